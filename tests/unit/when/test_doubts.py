"""Every assumption is on the reading as a Doubt with its candidates; unread time words make it
ask. The conversation builds its questions ("jeudi 14 ou vendredi 15 ?") from these."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.when import (
    MUST_ASK,
    Assumption,
    Doubt,
    Grain,
    TimeRequest,
    WhenReading,
    parse_when,
    read_when,
)
from tests.unit.when.zone import paris, server_now

MONDAY = server_now("2026-05-11T13:10:00Z")
"""Monday 11 May 2026, 15:10 in Paris; the 15th is a Friday."""


def _starts(doubt: Doubt) -> list[datetime]:
    return [candidate.start for candidate in doubt.candidates]


def _doubt(reading: WhenReading, kind: Assumption) -> Doubt:
    return next(doubt for doubt in reading.doubts if doubt.kind is kind)


# --- a weekday that contradicts the date ------------------------------------------------------


def test_a_weekday_that_contradicts_the_date_asks_which_day() -> None:
    reading = read_when("jeudi 15", MONDAY)
    assert reading.request is not None
    assert reading.request.start == paris(2026, 5, 15)  # the date is kept, as before
    assert Assumption.WEEKDAY_MISMATCH in reading.request.assumptions
    assert reading.must_ask
    doubt = _doubt(reading, Assumption.WEEKDAY_MISMATCH)
    assert doubt.ask
    assert _starts(doubt) == [paris(2026, 5, 14), paris(2026, 5, 15)]
    assert reading.request in doubt.candidates


def test_the_time_of_day_goes_with_both_candidates() -> None:
    doubt = _doubt(read_when("jeudi 15 à 10h", MONDAY), Assumption.WEEKDAY_MISMATCH)
    assert _starts(doubt) == [paris(2026, 5, 14, 10), paris(2026, 5, 15, 10)]
    assert {c.grain for c in doubt.candidates} == {Grain.MINUTE}


def test_a_later_month_where_weekday_and_date_agree_is_offered_too() -> None:
    """ "lundi 15": the coming 15th is a Friday; the next Monday 15th is in June."""
    reading = read_when("lundi 15", MONDAY)
    assert reading.request is not None
    assert reading.request.start == paris(2026, 6, 15)  # kept, as before
    doubt = _doubt(reading, Assumption.WEEKDAY_MISMATCH)
    assert reading.must_ask
    assert _starts(doubt) == [paris(2026, 5, 15), paris(2026, 5, 18), paris(2026, 6, 15)]


def test_a_relative_day_and_a_weekday_that_disagree() -> None:
    doubt = _doubt(read_when("demain jeudi", MONDAY), Assumption.WEEKDAY_MISMATCH)
    assert _starts(doubt) == [paris(2026, 5, 12), paris(2026, 5, 14)]


def test_a_relative_day_and_a_date_that_disagree() -> None:
    doubt = _doubt(read_when("demain le 15", MONDAY), Assumption.WEEKDAY_MISMATCH)
    assert _starts(doubt) == [paris(2026, 5, 12), paris(2026, 5, 15)]


def test_a_weekday_that_matches_the_date_asks_nothing() -> None:
    reading = read_when("vendredi 15", MONDAY)
    assert reading.doubts == ()
    assert not reading.must_ask


# --- "prochain", "suivant", "d'après" ---------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "this_week", "next_week"),
    [
        ("mardi prochain", paris(2026, 5, 12), paris(2026, 5, 19)),
        ("mercredi suivant", paris(2026, 5, 13), paris(2026, 5, 20)),
        ("le jeudi d'après", paris(2026, 5, 14), paris(2026, 5, 21)),
        ("le week-end prochain", paris(2026, 5, 16), paris(2026, 5, 23)),
        ("avant mardi prochain", MONDAY, MONDAY),
    ],
)
def test_a_next_weekday_early_in_the_week_offers_both_weeks(
    text: str, this_week: datetime, next_week: datetime
) -> None:
    reading = read_when(text, MONDAY)
    doubt = _doubt(reading, Assumption.NEXT_WEEKDAY_AMBIGUOUS)
    assert reading.must_ask
    if this_week != next_week:
        assert _starts(doubt) == [this_week, next_week]


def test_prochain_keeps_this_weeks_day_and_suivant_next_weeks() -> None:
    prochain = parse_when("mercredi prochain", MONDAY)
    suivant = parse_when("mercredi suivant", MONDAY)
    assert prochain is not None and suivant is not None
    assert (prochain.start, suivant.start) == (paris(2026, 5, 13), paris(2026, 5, 20))


def test_suivant_late_in_the_week_is_clear() -> None:
    friday = server_now("2026-05-15T08:00:00Z")
    reading = read_when("mardi suivant", friday)
    assert reading.request is not None
    assert reading.request.start == paris(2026, 5, 19)
    assert not reading.must_ask


# --- safe assumptions: shown, not asked -------------------------------------------------------


def test_an_afternoon_hour_offers_morning_and_afternoon_without_asking() -> None:
    reading = read_when("jeudi à 5h", MONDAY)
    doubt = _doubt(reading, Assumption.AFTERNOON_ASSUMED)
    assert not doubt.ask
    assert not reading.must_ask
    assert _starts(doubt) == [paris(2026, 5, 14, 5), paris(2026, 5, 14, 17)]


def test_alternatives_are_each_offered() -> None:
    reading = read_when("lundi ou jeudi", MONDAY)
    doubt = _doubt(reading, Assumption.ALTERNATIVES)
    assert not reading.must_ask
    assert _starts(doubt) == [paris(2026, 5, 14), paris(2026, 5, 18)]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("ce matin", Assumption.ROLLED_FORWARD),
        ("la semaine prochaine le matin", Assumption.TIME_IGNORED),
        ("entre 16h et 14h", Assumption.RANGE_REORDERED),
        ("le lendemain", Assumption.COUNTED_FROM_TODAY),
    ],
)
def test_each_other_assumption_has_a_doubt_with_the_reading_taken(
    text: str, kind: Assumption
) -> None:
    reading = read_when(text, MONDAY)
    assert reading.request is not None
    doubt = _doubt(reading, kind)
    assert doubt.candidates == (reading.request,)
    assert not doubt.ask


def test_every_assumption_is_a_doubt() -> None:
    for text in ("jeudi 15 à 5h", "mardi prochain ou jeudi 15", "demain au dîner"):
        reading = read_when(text, MONDAY)
        assert reading.request is not None
        assert {d.kind for d in reading.doubts} == set(reading.request.assumptions), text


def test_daylight_saving_assumptions_are_doubts() -> None:
    before_autumn = server_now("2026-10-24T09:00:00Z")
    reading = read_when("demain à 2h30 du matin", before_autumn)
    assert [d.kind for d in reading.doubts] == [Assumption.AMBIGUOUS_TIME]


# --- unread time words ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "unread"),
    [
        ("demain au dîner", ("dîner",)),
        ("jeudi après l'école", ("après",)),
        ("vendredi à l'heure du goûter ou au petit-déjeuner", ("petit-déjeuner",)),
        ("dans 2 heures demain", ("demain",)),
        ("la semain prochaine à 10h", ("semain",)),
        ("thuesday at 10", ("thuesday",)),
        ("le 15 au dîner, 10 h 30 min", ("dîner",)),
    ],
)
def test_unread_time_words_make_the_reading_ask(text: str, unread: tuple[str, ...]) -> None:
    reading = read_when(text, MONDAY)
    assert reading.request is not None
    assert reading.unread_words == unread
    assert Assumption.UNREAD_WORDS in reading.request.assumptions
    assert reading.must_ask
    doubt = _doubt(reading, Assumption.UNREAD_WORDS)
    assert doubt.words == unread
    assert doubt.candidates == (reading.request,)


@pytest.mark.parametrize(
    "text",
    [
        "il a vomi après le déjeuner, possible demain ?",
        "avant de venir jeudi, faut-il qu'il soit à jeun ?",
        "d'après la véto, un contrôle dans 15 jours",
        "il boite depuis le déjeuner, demain ?",
        "bonne journée, à jeudi 10h",
        "il a dormi toute la nuit, demain matin ?",
        "on est à 2h de route, demain 10h ?",
        "ça dure 2h ? demain 10h",
        "dès qu'il va mieux, jeudi",
        "vendredi 9h, merci et bonne soirée",
        "toutes les 8h depuis mardi, rdv demain",
        "il tousse en ce moment, possible demain ?",
    ],
)
def test_history_routine_and_courtesy_are_not_unread(text: str) -> None:
    reading = read_when(text, MONDAY)
    assert reading.request is not None
    assert reading.unread_words == ()
    assert not reading.must_ask


def test_unread_words_are_as_the_owner_wrote_them() -> None:
    text = "Jeudi matin ou bien VENDRDEI au Dîner ?"
    reading = read_when(text, MONDAY)
    assert all(word in text for word in reading.unread_words)
    assert "Dîner" in reading.unread_words


def test_a_weekday_cut_short_is_read_not_left_unread() -> None:
    reading = read_when("jeud 11h", MONDAY)
    assert reading.request is not None
    assert reading.request.start == paris(2026, 5, 14, 11)
    assert reading.unread_words == ()


# --- the model --------------------------------------------------------------------------------


def test_only_some_kinds_must_ask() -> None:
    assert {
        Assumption.WEEKDAY_MISMATCH,
        Assumption.NEXT_WEEKDAY_AMBIGUOUS,
        Assumption.UNREAD_WORDS,
    } == MUST_ASK


def test_doubts_go_with_a_request() -> None:
    request = TimeRequest(MONDAY, paris(2026, 5, 12), Grain.DAY)
    doubt = Doubt(Assumption.ALTERNATIVES, (request,))
    with pytest.raises(ValueError, match="doubts"):
        WhenReading(None, doubts=(doubt,))
    with pytest.raises(ValueError, match="unread"):
        WhenReading(None, unread_words=("dîner",))


def test_the_old_fields_are_unchanged_and_default_to_nothing() -> None:
    reading = read_when("demain à 10h", MONDAY)
    assert reading == WhenReading(
        parse_when("demain à 10h", MONDAY), names_day=True, spans=((0, 12),)
    )
    assert (reading.doubts, reading.unread_words, reading.questions) == ((), (), ())


def test_on_day_candidates_stay_on_the_day_on_screen() -> None:
    reading = read_when("à 4h", MONDAY, on_day=date(2026, 5, 13))
    doubt = _doubt(reading, Assumption.AFTERNOON_ASSUMED)
    assert _starts(doubt) == [paris(2026, 5, 13, 4), paris(2026, 5, 13, 16)]


_PIECES = st.sampled_from(
    [
        "jeudi 15",
        "mardi prochain",
        "mercredi suivant",
        "à 5h",
        "ou",
        "le lendemain",
        "au dîner",
        "après le déjeuner",
        "lun.",
        "jeud",
        "17 02",
        "le premier lundi du mois",
        "pas avant jeudi",
        "bonne soirée",
        "il a vomi",
        "demain",
        "dans 2 heures",
        "entre 16h et 14h",
        "thuesday",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(_PIECES, min_size=1, max_size=4).map(" ".join), st.none() | st.just(date(2026, 5, 13))
)
def test_doubts_match_the_assumptions_and_hold_the_reading(text: str, on_day: date | None) -> None:
    reading = read_when(text, MONDAY, on_day=on_day)
    if reading.request is None:
        assert (reading.doubts, reading.unread_words) == ((), ())
        return
    assert {d.kind for d in reading.doubts} == set(reading.request.assumptions)
    assert reading.must_ask == any(d.kind in MUST_ASK for d in reading.doubts)
    assert bool(reading.unread_words) == (Assumption.UNREAD_WORDS in reading.request.assumptions)
    for doubt in reading.doubts:
        assert reading.request in doubt.candidates
        starts = [c.start.timestamp() for c in doubt.candidates]
        assert starts == sorted(starts)
        assert all(c.start.timestamp() >= MONDAY.timestamp() for c in doubt.candidates)
    assert all(word in text for word in reading.unread_words)
