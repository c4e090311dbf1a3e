"""The clauses of a message that tell the pet's story, not the owner's wish: their times are
history ("il a vomi ce matin"), the rest is read for the booking ("demain 10h ?")."""

from __future__ import annotations

import pytest

from bot.history import history_spans
from bot.word_index import tokenize


def story(text: str, names: frozenset[str] = frozenset()) -> list[str]:
    return [text[a:b].strip() for a, b in history_spans(text, tokenize(text), names)]


@pytest.mark.parametrize(
    ("text", "told"),
    [
        ("il a vomi ce matin", ["il a vomi ce matin"]),
        ("il a vomi ce matin, demain 10h ?", ["il a vomi ce matin"]),
        ("il a vomi ce matin, demain 10h", ["il a vomi ce matin"]),  # "demain" asks anew
        ("il a vomi lundi, mardi et mercredi", ["il a vomi lundi", "mardi et mercredi"]),
        ("il a vomi hier, jeudi 10h", ["il a vomi hier"]),  # no list: maybe the wish
        ("il tousse depuis hier soir, un créneau ce soir ?", ["il tousse depuis hier soir"]),
        ("il vomit ce matin", ["il vomit ce matin"]),  # a symptom of today
        ("il tousse cette nuit", ["il tousse cette nuit"]),
        ("il s'est coupé samedi, je voudrais un contrôle mercredi", ["il s'est coupé samedi"]),
        ("hier soir il toussait. Dispo demain ?", ["hier soir il toussait"]),
        ("ça fait 3 jours qu'il boite, lundi possible ?", ["ça fait 3 jours qu'il boite"]),
        ("she vomited this morning, can you see her tomorrow?", ["she vomited this morning"]),
        ("he was sick last night", ["he was sick last night"]),
        ("Rex boite jeudi 10h", []),  # a symptom, but no moment of today: maybe the wish
        ("il a besoin d'un vaccin jeudi", []),  # "a besoin" is no past tense
        ("je voudrais venir, il a vomi hier", ["il a vomi hier"]),
        ("le vétérinaire a dit de revenir dans 15 jours", []),  # the wish: "revenir"
        ("vaccin à Noisette jeudi", []),  # "à" is no "a"
        ("rappel a Mimi jeudi", []),  # nor "a" after a word that is no subject
        ("c'est Mimi, jeudi 10h", []),  # "Mimi" is no participle
        ("visite a domicile jeudi", []),  # "-e" without its accent is no participle
        ("s'il vous plaît, jeudi", []),
    ],
)
def test_what_tells_the_story(text: str, told: list[str]) -> None:
    assert story(text, frozenset({"mimi", "noisette"})) == told


def test_a_clause_naming_an_act_is_no_more_of_the_story() -> None:
    text = "il a eu sa castration il y a 10 jours, contrôle jeudi et vendredi"
    act = text.index("contrôle")
    assert story(text) == ["il a eu sa castration il y a 10 jours", "contrôle jeudi et vendredi"]
    spans = history_spans(text, tokenize(text), acts=[(act, act + len("contrôle"))])
    assert [text[a:b].strip() for a, b in spans] == ["il a eu sa castration il y a 10 jours"]
