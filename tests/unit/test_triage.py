"""Red-flag triage: what staff get alerted about, and what they are not bothered with."""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.triage import (
    MAX_ASSESSED_CHARS,
    Category,
    Lexicon,
    LexiconError,
    RedFlag,
    Triage,
    assess,
    default_lexicon,
)

LONG_TEXT_BUDGET_SECONDS = 0.25
"""Generous for CI; measured at a few milliseconds."""


def flags(text: str, lexicon: Lexicon | None = None) -> list[tuple[str, str]]:
    """(category, owner's matched words), in text order."""
    found = assess(text, lexicon or default_lexicon()).flags
    return [(flag.id, flag.matched) for flag in found]


def ids(text: str, lexicon: Lexicon | None = None) -> list[str]:
    return [category for category, _ in flags(text, lexicon)]


def lexicon_of(*phrases: str) -> Lexicon:
    return Lexicon([Category(id="test", label_fr="Essai", label_en="Test", phrases_fr=phrases)])


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Mon chat respire la bouche ouverte", "breathing"),
        ("il a du mal à respirer depuis ce matin", "breathing"),
        ("elle a les gencives bleues", "breathing"),
        ("mon chien s'étouffe, il a un os coincé dans la gorge", "breathing"),
        ("My dog is struggling to breathe", "breathing"),
        ("mon chien s'est effondré dans le jardin", "collapse"),
        ("il ne se lève plus depuis ce matin", "collapse"),
        ("My cat collapsed and is unresponsive", "collapse"),
        ("mon chat a mangé du lys et il bave beaucoup", "hypersalivation"),
        ("elle salive énormément depuis ce matin", "hypersalivation"),
        ("my cat is drooling a lot", "hypersalivation"),
        ("il fait une crise d'épilepsie", "seizure"),
        ("my dog had a seizure this morning", "seizure"),
        ("elle saigne beaucoup de la patte", "bleeding"),
        ("il y a une hémorragie", "bleeding"),
        ("he is bleeding heavily from his paw", "bleeding"),
        ("il a mangé du chocolat", "poisoning"),
        ("il a mangé des raisins secs", "poisoning"),
        ("il a mangé des granulés anti-limaces", "poisoning"),
        ("il a avalé de la mort aux rats", "poisoning"),
        ("je lui ai donné un ibuprofène", "poisoning"),
        ("il a mangé mes médicaments", "poisoning"),
        ("my dog ate some xylitol gum", "poisoning"),
        ("she licked antifreeze", "poisoning"),
        ("il a avalé un os de poulet", "foreign_body"),
        ("mon chien a avalé une chaussette", "foreign_body"),
        ("my puppy swallowed a sock", "foreign_body"),
        ("il a été renversé par une voiture", "road_accident"),
        ("mon chat a été percuté", "road_accident"),
        ("my dog was hit by a car", "road_accident"),
        ("il est tombé du balcon", "trauma"),
        ("he fell from the balcony", "trauma"),
        ("le ventre est gonflé et dur", "bloat"),
        ("il essaie de vomir mais rien ne sort", "bloat"),
        ("his belly is bloated", "bloat"),
        ("ma chienne met bas depuis trois heures", "birth"),
        ("mise bas difficile", "birth"),
        ("a puppy is stuck", "birth"),
        ("mon chat n'arrive pas à uriner", "urinary"),
        ("il ne fait plus pipi depuis hier", "urinary"),
        ("mon chat est bloqué", "urinary"),
        ("my cat can't pee", "urinary"),
        ("il a une blessure à l'œil", "eye"),
        ("elle a l'œil qui sort", "eye"),
        ("my dog has an eye injury", "eye"),
        ("je crois qu'il a un coup de chaleur", "heatstroke"),
        ("he has heatstroke", "heatstroke"),
        ("il vomit du sang", "digestive"),
        ("diarrhée avec du sang", "digestive"),
        ("vomissements répétés depuis ce matin", "digestive"),
        ("my dog is vomiting blood", "digestive"),
        ("son museau est tout gonflé après une piqûre de guêpe", "allergy"),
        ("her face is swollen", "allergy"),
        ("il a été mordu par une vipère", "envenomation"),
        ("il a touché une chenille processionnaire", "envenomation"),
        ("my dog was bitten by a snake", "envenomation"),
        ("il s'est brûlé avec de l'eau bouillante", "burn"),
        ("il a mordu un fil électrique", "burn"),
        ("he got scalded", "burn"),
        ("il traîne les pattes arrière", "paralysis"),
        ("my dog is dragging his back legs", "paralysis"),
    ],
)
def test_red_flags_are_found_in_french_and_english(text: str, category: str) -> None:
    assert category in ids(text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("il a fait une convultion", "seizure"),
        ("mon chien respir mal", "breathing"),
        ("il a mangé des chocolats", "poisoning"),
        ("il a avalé du xylitole", "poisoning"),
        ("je pense qu'il est empoisoné", "poisoning"),
        ("saignement abondant", "bleeding"),
        ("il a été renversé par une voitrue", "road_accident"),
        ("ma chienne a une hémoragie", "bleeding"),
        ("my dog had a siezure", "seizure"),
        ("she ate chocolte", "poisoning"),
        ("mon chat est paralisé", "paralysis"),
    ],
)
def test_typos_are_tolerated(text: str, category: str) -> None:
    assert category in ids(text)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("il a ete renverse par une voiture", "road_accident"),
        ("HEMORRAGIE", "bleeding"),
        ("blessure a l'oeil", "eye"),
        ("il s'est effondre", "collapse"),
        ("ibuprofene", "poisoning"),
        ("il ne se leve plus", "collapse"),
    ],
)
def test_missing_accents_and_capitals_do_not_matter(text: str, category: str) -> None:
    assert category in ids(text)


@pytest.mark.parametrize(
    "text",
    ["il convulse", "des convulsions", "il a convulsé", "il convulsait", "she is convulsing"],
)
def test_inflections_of_convulse(text: str) -> None:
    assert ids(text) == ["seizure"]


@pytest.mark.parametrize(
    "text",
    ["il saigne beaucoup", "il saignait beaucoup", "saignement important", "saignements abondants"],
)
def test_inflections_of_bleed(text: str) -> None:
    assert ids(text) == ["bleeding"]


@pytest.mark.parametrize(
    "text",
    [
        "il respire mal",
        "respiration difficile",
        "difficultés respiratoires",
        "il a du mal à respirer",
    ],
)
def test_inflections_of_breathe(text: str) -> None:
    assert ids(text) == ["breathing"]


def test_a_few_words_may_stand_between_the_words_of_a_phrase() -> None:
    lexicon = lexicon_of("mangé chocolat")

    assert flags("il a mangé toute une tablette de chocolat", lexicon) == [
        ("test", "mangé toute une tablette de chocolat")
    ]
    assert ids("il a mangé ce matin un gros morceau de chocolat", lexicon) == ["test"]


def test_too_many_words_between_break_a_phrase() -> None:
    lexicon = lexicon_of("mangé chocolat")

    assert ids("il a mangé puis dormi longtemps, rêvé de chocolat", lexicon) == []


def test_phrase_words_must_come_in_order() -> None:
    assert ids("du chocolat, il en a mangé", lexicon_of("mangé chocolat")) == []


def test_gaps_work_in_the_packaged_lexicon() -> None:
    assert ids("il a avalé hier soir une petite chaussette") == ["foreign_body"]
    assert ids("il a avalé son repas puis joué longtemps avec une chaussette") == []


def test_several_flags_come_in_the_owners_order() -> None:
    text = "Il a mangé du chocolat, et maintenant il vomit du sang et respire mal."

    assert flags(text) == [
        ("poisoning", "chocolat"),
        ("digestive", "vomit du sang"),
        ("breathing", "respire mal"),
    ]


def test_one_flag_per_category_with_its_first_occurrence() -> None:
    assert flags("chocolat, puis raisins, puis encore du chocolat") == [("poisoning", "chocolat")]


def test_matched_words_are_the_owners_own_words() -> None:
    text = "Au secours, mon chien a été RENVERSÉ par une Voiture !!"

    (flag,) = assess(text, default_lexicon()).flags

    assert flag.matched == "RENVERSÉ par une Voiture"
    assert flag.matched in text


def test_a_flag_carries_short_labels_for_the_staff_alert() -> None:
    (flag,) = assess("il a mangé du chocolat", default_lexicon()).flags

    assert flag == RedFlag(
        id="poisoning",
        label_fr="Intoxication suspectée",
        label_en="Suspected poisoning",
        matched="chocolat",
    )


@pytest.mark.parametrize(
    "text",
    [
        "vaccin annuel",
        "rappel vaccin",
        "rappel de vaccin",
        "contrôle de routine",
        "coupe des griffes",
        "griffes à couper",
        "il a un peu de tartre",
        "vermifuge",
        "bilan de santé",
        "stérilisation",
        "castration de mon chat",
        "puce électronique",
        "il mange bien",
        "il va bien",
        "toilettage",
        "une consultation pour mon chat",
        "check-up",
        "annual vaccine",
        "la raison de ma visite est le vaccin",
        "il mange des croquettes au poisson",
        "il a une petite boule sur le dos",
        "une question sur ma facture",
        "il a avalé son comprimé sans problème",
        "il a pris ses médicaments ce matin",
        "ma chienne Lily a besoin de son rappel",
        "il s'est roulé dans la boue",
        "il boite un peu depuis hier",
        "my dog is limping a bit",
        "he is fit and healthy, just a checkup",
        "I was cooking when he started scratching",
        "I left the leash in the car",
        "he ran over to greet me",
        "nail trim and ear cleaning",
        "il ronfle quand il dort",
        "renouvellement d'ordonnance",
        "il perd ses poils en été",
        "certificat de bonne santé pour le voyage",
        "Bonjour, je voudrais un rendez-vous pour le vaccin de mon chiot",
    ],
)
def test_clearly_non_urgent_texts_raise_no_flag(text: str) -> None:
    triage = assess(text, default_lexicon())

    assert triage == Triage(flags=())
    assert not triage.urgent_suspected


def test_real_words_listed_as_not_typos_are_not_read_as_triggers() -> None:
    assert ids("il adore le poisson") == []
    assert ids("du poison pour les rats") == ["poisoning"]


@pytest.mark.parametrize("text", ["", "   ", "?!…", "👍", "'''", "n't"])
def test_empty_or_wordless_texts_are_not_urgent(text: str) -> None:
    assert not assess(text, default_lexicon()).urgent_suspected


def test_long_text_is_fast_and_still_finds_a_hit_at_its_end() -> None:
    filler = "Il mange bien, il joue avec sa balle et il dort beaucoup sur le canapé. "
    text = (filler * 80)[:4970] + " Et il respire mal."
    assert len(text) >= 4980

    started = time.perf_counter()
    triage = assess(text, default_lexicon())
    elapsed = time.perf_counter() - started

    assert [(flag.id, flag.matched) for flag in triage.flags] == [("breathing", "respire mal")]
    assert elapsed < LONG_TEXT_BUDGET_SECONDS


def test_text_beyond_the_assessed_length_is_ignored() -> None:
    text = "a" * MAX_ASSESSED_CHARS + " il respire mal"

    assert not assess(text, default_lexicon()).urgent_suspected


def test_unique_unknown_words_stay_fast() -> None:
    text = " ".join(f"mot{n:05d}xyz" for n in range(MAX_ASSESSED_CHARS // 12))

    started = time.perf_counter()
    assess(text, default_lexicon())

    assert time.perf_counter() - started < LONG_TEXT_BUDGET_SECONDS * 4


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_assessed_and_matches_are_taken_from_it(text: str) -> None:
    for flag in assess(text, default_lexicon()).flags:
        assert flag.matched and flag.matched in unicodedata.normalize("NFC", text)


def test_decomposed_accents_are_read_as_letters() -> None:
    assert flags("il s'est effondre\u0301") == [("collapse", "effondré")]


@pytest.mark.parametrize(
    "text", ["my cat can't pee", "my cat can’t pee", "my cat canʼt pee", "my cat cannot pee"]
)
def test_english_negations_in_any_spelling(text: str) -> None:
    assert ids(text) == ["urinary"]


def test_a_negation_is_not_dropped() -> None:
    assert ids("my cat can pee") == []


def test_packaged_lexicon_is_complete_and_bilingual() -> None:
    lexicon = default_lexicon()

    assert lexicon is default_lexicon()
    assert len(lexicon.categories) >= 15
    for category in lexicon.categories:
        assert category.label_fr and category.label_en
        assert len(category.label_fr) <= 40 and len(category.label_en) <= 40
        assert category.phrases_fr and category.phrases_en


def test_every_packaged_phrase_triggers_its_own_category() -> None:
    lexicon = default_lexicon()
    missed = [
        (category.id, phrase)
        for category in lexicon.categories
        for phrase in category.phrases
        if category.id not in ids(phrase, lexicon)
    ]

    assert missed == []


def test_a_clinic_extension_adds_a_hit(tmp_path: Path) -> None:
    extension = tmp_path / "clinique.toml"
    extension.write_text(
        '[[flag]]\nid = "poisoning"\nfr = ["laurier-rose"]\n',
        encoding="utf-8",
    )
    text = "il a mâchouillé du laurier rose"
    assert ids(text) == []

    merged = default_lexicon().merge(Lexicon.load(extension))

    assert flags(text, merged) == [("poisoning", "laurier rose")]
    assert ids("il a mangé du chocolat", merged) == ["poisoning"]
    (flag,) = assess(text, merged).flags
    assert flag.label_fr == "Intoxication suspectée"


def test_a_clinic_extension_may_add_a_category(tmp_path: Path) -> None:
    extension = tmp_path / "nac.toml"
    extension.write_text(
        '[[flag]]\nid = "exotic"\nlabel_fr = "NAC en détresse"\nlabel_en = "Exotic pet distress"\n'
        'fr = ["tortue ne bouge plus la tête"]\nen = ["parrot fluffed up"]\n',
        encoding="utf-8",
    )

    merged = default_lexicon().merge(Lexicon.load(extension))

    assert ids("mon perroquet, my parrot is fluffed up", merged) == ["exotic"]
    assert merged.categories[-1] == Category(
        id="exotic",
        label_fr="NAC en détresse",
        label_en="Exotic pet distress",
        phrases_fr=("tortue ne bouge plus la tête",),
        phrases_en=("parrot fluffed up",),
    )


def test_a_new_category_needs_both_labels() -> None:
    unlabelled = Lexicon([Category(id="exotic", label_fr="", label_en="", phrases_fr=("x y",))])

    with pytest.raises(LexiconError, match="label"):
        default_lexicon().merge(unlabelled)


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[flag]]\nid = "x"\nfrench = ["a b"]', "unknown keys"),
        ('[[flag]]\nid = "Bad Id"\nfr = ["chocolat"]', "id"),
        ('[[flag]]\nid = "x"\nfr = "chocolat"', "list of str"),
        ('[[flag]]\nid = "x"\nfr = ["le la du"]', "words"),
        ('[[flag]]\nid = "x"\nfr = ["a"]\n[[flag]]\nid = "x"\nfr = ["b"]', "duplicate"),
        ("flag = [", "lexicon"),
        ('color = "red"', "unknown keys"),
    ],
)
def test_malformed_lexicon_files_are_refused(toml: str, message: str) -> None:
    with pytest.raises(LexiconError, match=message):
        Lexicon.from_toml(toml)
