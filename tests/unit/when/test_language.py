"""Typos, missing accents, glued digits, spelled numbers and English reach the same windows."""

from __future__ import annotations

import pytest

from bot.when import parse_when
from bot.when.normalize import correct_typo, normalize
from tests.unit.when.zone import MONDAY_AFTERNOON


@pytest.mark.parametrize(
    ("variant", "reference"),
    [
        ("apres midi", "après-midi"),
        ("aprem", "après-midi"),
        ("mercredy", "mercredi"),
        ("mecredi", "mercredi"),
        ("mercerdi 10h", "mercredi 10h"),
        ("demian", "demain"),
        ("dmain matin", "demain matin"),
        ("JEUDI 14H", "jeudi 14h"),
        ("jeudi14h30", "jeudi 14h30"),
        ("samedi a dix heures et demie", "samedi à 10h30"),
        ("à dix-sept heures quarante-cinq", "à 17h45"),
        ("aujourdhui 17h", "aujourd'hui 17h"),
        ("semaine prochainne", "la semaine prochaine"),
        ("ven. 18h", "vendredi 18h"),
        ("tomorrow morning", "demain matin"),
        ("tomorow at 10am", "demain à 10h"),
        ("next week", "la semaine prochaine"),
        ("on friday at 4pm", "vendredi à 16h"),
        ("wednesday at half past ten", "mercredi à 10h30"),
        ("between 2 and 4pm on thursday", "jeudi entre 14h et 16h"),
        ("around 6pm", "vers 18h"),
        ("in 3 days", "dans 3 jours"),
        ("the day after tomorrow", "après-demain"),
        ("asap", "dès que possible"),
        ("December 15th", "le 15 décembre"),
        ("at noon", "à midi"),
    ],
)
def test_variant_reads_like_reference(variant: str, reference: str) -> None:
    expected = parse_when(reference, MONDAY_AFTERNOON)
    assert expected is not None
    assert parse_when(variant, MONDAY_AFTERNOON) == expected


@pytest.mark.parametrize("word", ["voir", "mari", "martin", "domain", "hardi", "moins", "mairie"])
def test_real_words_are_not_corrected_into_time_words(word: str) -> None:
    assert correct_typo(word) == word


def test_normalisation_is_canonical_french() -> None:
    assert normalize("Mardi prochain à 10h30") == "mardi prochain a 10 h 30"
    assert normalize("Tomorrow at 3pm") == "demain a 3 pm"
    assert normalize("dès que possible") == "asap"


def test_extra_words_around_are_ignored() -> None:
    request = parse_when("je voudrais passer jeudi vers 17h si possible, merci", MONDAY_AFTERNOON)
    assert request is not None
    assert request.preferred is not None and request.preferred.hour == 17
    assert request.approximate


def test_negated_day_is_dropped() -> None:
    request = parse_when("je ne peux pas demain, mais jeudi oui", MONDAY_AFTERNOON)
    assert request is not None
    assert request.start.day == 14


def test_correction_keeps_the_last_option() -> None:
    request = parse_when("mardi, non pardon, mercredi", MONDAY_AFTERNOON)
    assert request is not None
    assert request.start.day == 13


def test_parallel_options_are_paired() -> None:
    request = parse_when("jeudi 14h ou vendredi 10h", MONDAY_AFTERNOON)
    assert request is not None
    assert (request.start.day, request.start.hour) == (14, 14)


@pytest.mark.parametrize(
    ("english", "reference"),
    [
        ("a vaccine for my dog tomorrow", "demain"),
        ("I need a free slot tomorrow at 10am", "demain à 10h"),
        ("a rabies shot on friday", "vendredi"),
        ("can I get a visit next week", "la semaine prochaine"),
    ],
)
def test_an_english_writers_a_is_the_article(english: str, reference: str) -> None:
    """Folded, "a vaccine" is the French "a vacciné": a past event, whose date is history."""
    assert parse_when(english, MONDAY_AFTERNOON, language="en") == parse_when(
        reference, MONDAY_AFTERNOON
    )
    assert parse_when(english, MONDAY_AFTERNOON, language="en") is not None


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_french_past_event_stays_history_in_either_language(language: str) -> None:
    assert parse_when("il a vomi ce matin", MONDAY_AFTERNOON, language=language) is None
    assert parse_when("elle a vu le véto lundi", MONDAY_AFTERNOON, language=language) is None
