"""read_when: impossible dates and times, day-naming, spans in the owner's text, on_day."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.when import (
    Assumption,
    Grain,
    TimeRequest,
    WhenProblem,
    WhenReading,
    parse_when,
    read_when,
)
from bot.when.normalize import normalize, normalize_aligned
from tests.corpora.when_corpus import load_cases
from tests.unit.when.zone import paris

NOW = paris(2026, 11, 23, 8, 30)
"""Monday 23 November 2026, 08:30."""
WEDNESDAY = date(2026, 11, 25)


def _without_spans(text: str, reading: WhenReading) -> str:
    """The owner's words once the time expression is taken out, spaces tidied."""
    kept = text
    for start, end in reversed(reading.spans):
        kept = kept[:start] + " " + kept[end:]
    return re.sub(r"\s+", " ", kept).strip()


def _span_texts(text: str, reading: WhenReading) -> list[str]:
    return [text[start:end] for start, end in reading.spans]


# --- Dates that do not exist ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("31 février", "31 février"),
        ("le 31 février", "31 février"),
        ("Le 31 Février à 10h svp", "31 Février"),
        ("le 30/02", "30/02"),
        ("pour le 30.02 si possible", "30.02"),
        ("32 mars", "32 mars"),
        ("le 0 mai", "0 mai"),
        ("le 31 avril", "31 avril"),
        ("rdv le 31 juin à 10h pour Félix", "31 juin"),
        ("jeudi 31 septembre", "jeudi 31 septembre"),
        ("29 février 2027", "29 février 2027"),
        ("le 29/02/2027 à 9h", "29/02/2027"),
        ("2027-02-29", "2027-02-29"),
        ("le 31-04-2027", "31-04-2027"),
        ("du 28 février au 30 février", "30 février"),
        ("avant le 31 novembre", "31 novembre"),
        ("February 30", "February 30"),
        ("on April 31st at 10am", "April 31"),
        ("le 31 fevrier", "31 fevrier"),
    ],
)
def test_no_such_date(text: str, words: str) -> None:
    reading = read_when(text, NOW)
    assert reading.problem is WhenProblem.NO_SUCH_DATE
    assert reading.problem_words == words
    assert reading.request is None
    assert reading.names_day
    assert parse_when(text, NOW) is None


def test_february_29_without_a_year_is_the_next_leap_day() -> None:
    reading = read_when("le 29 février", NOW)
    assert reading.problem is None
    assert reading.request is not None
    assert reading.request.start == paris(2028, 2, 29)


# --- Times that do not exist ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words", "names_day"),
    [
        ("25h", "25h", False),
        ("25H", "25H", False),
        ("plutôt 25h ?", "25h", False),
        ("25 heures", "25 heures", False),
        ("demain à 25h", "25h", True),
        ("Demain 25h", "25h", True),
        ("lundi, 26h", "26h", True),
        ("à 99h", "99h", False),
        ("vers 26h", "26h", False),
        ("à 24h30", "24h30", False),
        ("14h75", "14h75", False),
        ("demain à 14h75", "14h75", True),
        ("jeudi à 9h60 pour le vaccin", "9h60", True),
        ("à 14h7", "14h7", False),
        ("23:60", "23:60", False),
        ("entre 14h et 25h", "25h", False),
        ("de 22h à 25h", "25h", False),
        ("at 25:00", "25:00", False),
        ("tomorrow at 25:30", "25:30", True),
        ("à partir de 25h", "25h", False),
        ("à 25h de préférence", "25h", False),
    ],
)
def test_no_such_time(text: str, words: str, names_day: bool) -> None:
    reading = read_when(text, NOW)
    assert reading.problem is WhenProblem.NO_SUCH_TIME
    assert reading.problem_words == words
    assert reading.request is None
    assert reading.names_day is names_day
    assert parse_when(text, NOW) is None


def test_tomorrow_at_25h_is_no_longer_all_of_tomorrow() -> None:
    assert parse_when("demain à 25h", NOW) is None
    assert parse_when("demain à 14h75", NOW) is None


def test_the_first_problem_is_reported() -> None:
    reading = read_when("le 31 février à 25h", NOW)
    assert reading.problem is WhenProblem.NO_SUCH_DATE
    assert reading.problem_words == "31 février"


def test_english_writer() -> None:
    reading = read_when("a check-up on February 30 please", NOW, language="en")
    assert reading.problem is WhenProblem.NO_SUCH_DATE
    assert reading.problem_words == "February 30"


@pytest.mark.parametrize(
    ("text", "hour"),
    [("à 25h, pardon 15h", 15), ("à 14h75, non 14h45", 14)],
)
def test_a_corrected_time_is_not_a_problem(text: str, hour: int) -> None:
    reading = read_when(text, NOW)
    assert reading.problem is None
    assert reading.request is not None
    assert reading.request.start.hour == hour
    assert _span_texts(text, reading) == [text]


def test_a_corrected_date_is_not_a_problem() -> None:
    reading = read_when("le 31 février, non le 28 février", NOW)
    assert reading.problem is None
    assert reading.request is not None
    assert reading.request.start == paris(2027, 2, 28)


@pytest.mark.parametrize(
    "text",
    [
        "25 kg",
        "il pèse 25 kg",
        "j'ai 25 ans",
        "mon chien a 25 ans",
        "06 25 14 22 11",
        "06.25.14.22.11",
        "appelez le 06:25:14",
        "3 fois par jour",
        "2 jours",
        "il vomit depuis 25h",
        "il y a 25h qu'il n'a pas mangé",
        "il a dormi 25h",
        "25h de route",
        "on est à 25h de route",
        "à 25 heures de trajet",
        "pendant 30h",
        "avant 48h",
        "après 48h de diarrhée",
        "il a mangé à 25h",
        "ouvert 24h/24",
        "à 24h",
        "32 chats",
        "le 32",
        "j'ai 32 ans en mars",
        "15/13",
    ],
)
def test_not_a_time_is_not_flagged(text: str) -> None:
    reading = read_when(text, NOW)
    assert reading.problem is None
    assert reading.problem_words == ""


def test_within_25_hours_is_elapsed_time() -> None:
    reading = read_when("dans 25h", NOW)
    assert reading.problem is None
    assert reading.request is not None
    assert reading.request.start == NOW + timedelta(hours=25)


# --- names_day ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "lundi",
        "jeudi à 11h",
        "demain",
        "Demain matin",
        "après-demain vers 9h",
        "aujourd'hui",
        "ce soir",
        "cet après-midi",
        "le 15",
        "le 15/12 à 14h",
        "le 3 décembre",
        "la semaine prochaine",
        "ce week-end",
        "fin décembre",
        "en décembre",
        "le mois prochain",
        "dans 3 jours",
        "dans 15 jours",
        "lundi en huit",
        "entre mardi et jeudi",
        "avant jeudi",
        "à partir de jeudi",
        "dès que possible",
        "au plus vite",
        "n'importe quand",
        "dans 2 heures",
        "d'ici une heure",
        "tomorrow morning",
        "next Friday at 3pm",
        "pas demain mais jeudi",
        "31 février",
        "le 30/02 à 10h",
    ],
)
def test_names_a_day(text: str) -> None:
    assert read_when(text, NOW).names_day


@pytest.mark.parametrize(
    "text",
    [
        "à 11h",
        "plutôt 11h",
        "11h30",
        "vers 15h",
        "le matin",
        "dans la matinée",
        "l'après-midi",
        "en fin de journée",
        "à midi",
        "entre 14h et 16h",
        "de 14h à 16h",
        "après 17h",
        "avant 10h",
        "pas demain, à 11h",
        "at 3pm",
        "in the afternoon",
        "25h",
        "",
        "bonjour",
        "mon chat vomit depuis 2 jours",
        "2 comprimés matin et soir",
        "merci, à demain",
        "il a vomi ce matin",
    ],
)
def test_names_no_day(text: str) -> None:
    assert not read_when(text, NOW).names_day


# --- spans ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "times", "rest"),
    [
        (
            "vaccin pour Mimi demain à 15h",
            ["demain à 15h"],
            "vaccin pour Mimi",
        ),
        (
            "Mimi ne mange plus depuis 2 jours, pouvez-vous la voir demain matin ?",
            ["demain matin"],
            "Mimi ne mange plus depuis 2 jours, pouvez-vous la voir ?",
        ),
        (
            "Rappel de vaccin pour Rex mardi prochain à 10h",
            ["mardi prochain à 10h"],
            "Rappel de vaccin pour Rex",
        ),
        (
            "Félix se gratte beaucoup, l’après-midi de MERCREDI ?",
            ["l’après-midi de MERCREDI"],
            "Félix se gratte beaucoup, ?",
        ),
        (
            "Mon  chat  boite   depuis hier,  JEUDI  À  9H30  svp 🐱🐾",
            ["JEUDI  À  9H30"],
            "Mon chat boite depuis hier, svp 🐱🐾",
        ),
        (
            "🐶 Otite pour Rocky, dès que possible !",
            ["dès que possible"],
            "🐶 Otite pour Rocky, !",
        ),
        (
            "détartrage pour Œdipe le 15/12 vers 14h",
            ["le 15/12 vers 14h"],
            "détartrage pour Œdipe",
        ),
        (
            "castration de Tigrou lundi ou mardi matin",
            ["lundi ou mardi matin"],
            "castration de Tigrou",
        ),
        (
            "je ne peux pas lundi, plutôt mardi 10h pour la vaccination",
            ["pas lundi, plutôt mardi 10h"],
            "je ne peux pour la vaccination",
        ),
        (
            "check-up for my dog in the morning on Monday please",
            ["in the morning on Monday"],
            "check-up for my dog please",
        ),
        (
            "Pour la stérilisation de Nala, c'est possible la semaine prochaine ?",
            ["la semaine prochaine"],
            "Pour la stérilisation de Nala, c'est possible ?",
        ),
        (
            "Il a vomi ce matin, pouvez-vous le voir cet après-midi ?",
            ["cet après-midi"],
            "Il a vomi ce matin, pouvez-vous le voir ?",
        ),
        (
            "bilan sanguin dans 3 jours pour Moka (12 ans)",
            ["dans 3 jours"],
            "bilan sanguin pour Moka (12 ans)",
        ),
        (
            "toilettage aujourd'hui entre 14h et 16h",
            ["aujourd'hui entre 14h et 16h"],
            "toilettage",
        ),
        ("griffes à couper, plutôt 11h", ["plutôt 11h"], "griffes à couper,"),
    ],
)
def test_spans_leave_the_owner_words(text: str, times: list[str], rest: str) -> None:
    reading = read_when(text, NOW)
    assert reading.request is not None
    assert _span_texts(text, reading) == times
    assert _without_spans(text, reading) == rest


def test_spans_are_in_the_original_text_with_accents_and_emoji() -> None:
    text = "Bonjour 😺 Rendez-vous  DÈS   demain  l'après-midi ?"
    reading = read_when(text, NOW)
    assert _span_texts(text, reading) == ["DÈS   demain  l'après-midi"]
    start, end = reading.spans[0]
    assert (start, end) == (text.index("DÈS"), text.index(" ?"))


def test_spans_of_a_problem_cover_the_offending_words() -> None:
    text = "Vaccin de Mimi demain à 25h"
    reading = read_when(text, NOW)
    assert reading.problem is WhenProblem.NO_SUCH_TIME
    assert _span_texts(text, reading) == ["demain à 25h"]
    assert _without_spans(text, reading) == "Vaccin de Mimi"


@pytest.mark.parametrize(
    "text",
    [
        "mon chat vomit depuis 2 jours",
        "2 comprimés matin et soir",
        "Ok super merci à demain",
        "il a eu son vaccin le 3 mars",
        "le 3 mars 2020",
        "pas demain",
        "",
    ],
)
def test_nothing_read_gives_the_empty_reading(text: str) -> None:
    assert read_when(text, NOW) == WhenReading(None)


def test_ignored_times_are_not_spans() -> None:
    text = "il vomit depuis 2 jours, demain 9h ?"
    reading = read_when(text, NOW)
    assert _span_texts(text, reading) == ["demain 9h"]


# --- the alignment behind spans -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word", "original"),
    [
        ("RDV DEMAIN", "demain", "DEMAIN"),
        ("l’après-midi", "aprem", "après-midi"),
        ("à dix-sept heures", "17", "dix-sept"),
        ("demain10h", "10", "10"),
        ("😺😺 jeudi", "jeudi", "jeudi"),
        ("Œuf  et   mercredy", "mercredi", "mercredy"),
        ("tonight", "soir", "tonight"),
        ("le 1er mars", "1", "le 1er"),  # "le premier" is one idiom
    ],
)
def test_normalized_words_map_back_to_the_original(text: str, word: str, original: str) -> None:
    normalized = normalize_aligned(text)
    start = normalized.text.split().index(word)
    offset = len(" ".join(normalized.text.split()[:start])) + (1 if start else 0)
    begin, end = normalized.original_span(offset, offset + len(word))
    assert text[begin:end] == original


_MESSY = st.text(
    alphabet=st.sampled_from(list("abdehijmnoprstuéèàçœŒİ'’ -:/.,?!0123456789hH🐱\u0301\u00a0")),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(_MESSY | st.text(max_size=40))
def test_alignment_is_ordered_and_inside_the_text(text: str) -> None:
    normalized = normalize_aligned(text)
    assert normalized.text == normalize(text)
    assert len(normalized.starts) == len(normalized.ends) == len(normalized.text)
    assert list(normalized.starts) == sorted(normalized.starts)
    assert list(normalized.ends) == sorted(normalized.ends)
    spans = zip(normalized.starts, normalized.ends, strict=True)
    assert all(0 <= start <= end <= len(text) for start, end in spans)


_PHRASES = st.sampled_from(
    ["demain", "à 25h", "le 31 février", "jeudi 14h", "vers 15h", "l'après-midi", "pas lundi"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_PHRASES | _MESSY, max_size=4).map(" ".join), st.none() | st.just(WEDNESDAY))
def test_reading_invariants(text: str, on_day: date | None) -> None:
    reading = read_when(text, NOW, on_day=on_day)
    previous_end = -1
    for start, end in reading.spans:
        assert previous_end < start < end <= len(text)
        previous_end = end
    if reading.problem is not None:
        assert reading.request is None
        assert reading.problem_words
        assert reading.problem_words in text
    if reading.request is None and reading.problem is None:
        assert reading == WhenReading(None)


def test_a_problem_never_comes_with_a_request() -> None:
    request = TimeRequest(NOW, NOW + timedelta(hours=1), Grain.HOUR)
    with pytest.raises(ValueError, match="problem"):
        WhenReading(request, WhenProblem.NO_SUCH_TIME, "25h")
    with pytest.raises(ValueError, match="problem_words"):
        WhenReading(None, WhenProblem.NO_SUCH_TIME)


def test_parse_when_is_the_request_of_read_when() -> None:
    for case in load_cases():
        assert parse_when(case.phrase, case.now) == read_when(case.phrase, case.now).request


# --- on_day ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("à 11h", paris(2026, 11, 25, 11), paris(2026, 11, 25, 11, 1)),
        ("plutôt 11h", paris(2026, 11, 25, 11), paris(2026, 11, 25, 11, 1)),
        ("vers 16h", paris(2026, 11, 25, 15, 30), paris(2026, 11, 25, 16, 30)),
        ("l'après-midi", paris(2026, 11, 25, 14), paris(2026, 11, 25, 18)),
        ("le matin", paris(2026, 11, 25, 8), paris(2026, 11, 25, 12)),
        ("entre 14h et 16h", paris(2026, 11, 25, 14), paris(2026, 11, 25, 16)),
        ("après 17h", paris(2026, 11, 25, 17), paris(2026, 11, 26)),
        ("à 3h", paris(2026, 11, 25, 15), paris(2026, 11, 25, 15, 1)),
        ("pas demain, à 11h", paris(2026, 11, 25, 11), paris(2026, 11, 25, 11, 1)),
        ("11h ou 15h", paris(2026, 11, 25, 11), paris(2026, 11, 25, 11, 1)),
    ],
)
def test_a_time_of_day_is_read_on_the_day_on_screen(
    text: str, start: datetime, end: datetime
) -> None:
    reading = read_when(text, NOW, on_day=WEDNESDAY)
    assert not reading.names_day
    assert reading.request is not None
    assert (reading.request.start, reading.request.end) == (start, end)


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("demain à 11h", paris(2026, 11, 24, 11)),
        ("jeudi à 11h", paris(2026, 11, 26, 11)),
        ("aujourd'hui à 11h", paris(2026, 11, 23, 11)),
        ("ce soir", paris(2026, 11, 23, 18)),
        ("dans 2 heures", NOW + timedelta(hours=2)),
        ("dès que possible", NOW),
    ],
)
def test_on_day_is_ignored_when_the_words_name_a_day(text: str, start: datetime) -> None:
    reading = read_when(text, NOW, on_day=WEDNESDAY)
    assert reading.names_day
    assert reading.request == parse_when(text, NOW)
    assert reading.request is not None
    assert reading.request.start == start


def test_without_on_day_the_usual_reading_is_kept() -> None:
    request = read_when("à 11h", NOW).request
    assert request == parse_when("à 11h", NOW)
    assert request is not None
    assert request.start == paris(2026, 11, 23, 11)


def test_a_time_already_past_on_the_day_on_screen_falls_back() -> None:
    today = NOW.date()
    past = read_when("à 8h", NOW, on_day=today)
    assert past.request == parse_when("à 8h", NOW)
    assert past.request is not None
    assert past.request.start == paris(2026, 11, 24, 8)


def test_a_time_partly_past_on_the_day_on_screen_starts_now() -> None:
    reading = read_when("le matin", NOW, on_day=NOW.date())
    assert reading.request is not None
    assert (reading.request.start, reading.request.end) == (NOW, paris(2026, 11, 23, 12))


def test_a_day_on_screen_in_the_past_falls_back() -> None:
    reading = read_when("à 11h", NOW, on_day=date(2026, 11, 20))
    assert reading.request == parse_when("à 11h", NOW)


def test_on_day_does_not_hide_a_problem() -> None:
    reading = read_when("à 25h", NOW, on_day=WEDNESDAY)
    assert reading.problem is WhenProblem.NO_SUCH_TIME
    assert reading.request is None


def test_on_day_when_clocks_go_back() -> None:
    now = paris(2026, 10, 22, 8, 30)
    sunday = date(2026, 10, 25)  # 03:00 CEST -> 02:00 CET
    night = read_when("à 2h30 du matin", now, on_day=sunday)
    assert night.request is not None
    assert night.request.start == paris(2026, 10, 25, 2, 30)
    assert night.request.start.utcoffset() == timedelta(hours=2)
    assert Assumption.AMBIGUOUS_TIME in night.request.assumptions
    afternoon = read_when("l'après-midi", now, on_day=sunday)
    assert afternoon.request is not None
    assert afternoon.request.start == paris(2026, 10, 25, 14)
    assert afternoon.request.start.utcoffset() == timedelta(hours=1)


def test_on_day_when_clocks_go_forward() -> None:
    now = paris(2027, 3, 25, 8, 30)
    sunday = date(2027, 3, 28)  # 02:00 CET -> 03:00 CEST
    reading = read_when("à 2h30 du matin", now, on_day=sunday)
    assert reading.request is not None
    assert reading.request.start == paris(2027, 3, 28, 3, 30)
    assert reading.request.start.utcoffset() == timedelta(hours=2)
    assert Assumption.NONEXISTENT_TIME in reading.request.assumptions
    evening = read_when("vers 19h", now, on_day=sunday)
    assert evening.request is not None
    assert evening.request.preferred == paris(2027, 3, 28, 19)
    assert evening.request.preferred.utcoffset() == timedelta(hours=2)


# --- crashes found by fuzzing read_when (they predate it) -----------------------------------


def test_an_empty_time_range_is_that_time() -> None:
    request = parse_when("de 15h à 15h", NOW)
    assert request is not None
    assert (request.start, request.end, request.grain) == (
        paris(2026, 11, 23, 15),
        paris(2026, 11, 23, 15, 1),
        Grain.MINUTE,
    )


@pytest.mark.parametrize("text", ["jusqu'à 0h", "avant 00h00", "till 00:00"])
def test_until_0h_is_until_midnight(text: str) -> None:
    request = parse_when(text, NOW)
    assert request is not None
    assert (request.start, request.end) == (NOW, paris(2026, 11, 24))
