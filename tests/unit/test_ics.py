"""The calendar file an owner receives: parsed back with a small strict RFC 5545 reader."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.ics import CalendarEvent, build_ics, fold_line, format_duration, ics_filename

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 20, 9, 30, 15, tzinfo=UTC)
NAME = re.compile(r"[A-Z0-9-]+")


@dataclass
class Component:
    """A parsed BEGIN/END block: its properties' raw values and its sub-components."""

    properties: dict[str, list[str]] = field(default_factory=dict)
    children: dict[str, list[Component]] = field(default_factory=dict)

    def only(self, kind: str) -> Component:
        (child,) = self.children[kind]
        return child


def make_event(**changes: object) -> CalendarEvent:
    event = CalendarEvent(
        appointment_id="apt-42",
        start=datetime(2026, 12, 1, 14, 30, tzinfo=PARIS),
        end=datetime(2026, 12, 1, 15, 0, tzinfo=PARIS),
        summary="Vaccin annuel – Médor",
        description="Animal : Médor\nMotif : vaccin, rappel; contrôle",
        location="12 rue des Lilas, 75011 Paris",
        organizer_name="Clinique vétérinaire des Lilas",
    )
    return replace(event, **changes)


def unescape(value: str) -> str:
    """TEXT unescaping; a lone backslash before anything else is a generator bug."""
    out: list[str] = []
    chars = iter(value)
    for char in chars:
        if char != "\\":
            assert char not in ",;", f"unescaped {char!r} in {value!r}"
            out.append(char)
            continue
        following = next(chars)
        assert following in "\\;,nN", f"bad escape \\{following} in {value!r}"
        out.append("\n" if following in "nN" else following)
    return "".join(out)


def parse(data: bytes) -> Component:
    """Unfold, split `NAME[;PARAMS]:VALUE`, nest BEGIN/END; each property kept as a list."""
    text = data.decode("utf-8")
    assert text.endswith("\r\n")
    physical = text[:-2].split("\r\n")
    assert all("\n" not in line and "\r" not in line for line in physical), "bare LF or CR"
    logical: list[str] = []
    for line in physical:
        if line.startswith(" "):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    root = Component()
    stack = [root]
    for line in logical:
        name, sep, value = line.partition(":")
        assert sep and NAME.fullmatch(name.split(";")[0]), f"malformed line {line!r}"
        if name == "BEGIN":
            child = Component()
            stack[-1].children.setdefault(value, []).append(child)
            stack.append(child)
        elif name == "END":
            assert len(stack) > 1, f"END:{value} without BEGIN"
            assert stack[-2].children[value][-1] is stack[-1], f"END:{value} closes another block"
            stack.pop()
        else:
            stack[-1].properties.setdefault(name, []).append(value)
    assert stack == [root], "unclosed component"
    return root


def one(component: Component, name: str) -> str:
    values = component.properties[name]
    assert len(values) == 1, f"{name} should appear once"
    return values[0]


def vevent(data: bytes) -> Component:
    return parse(data).only("VCALENDAR").only("VEVENT")


def test_calendar_header_is_rfc5545() -> None:
    calendar = parse(build_ics(make_event(), now=NOW)).only("VCALENDAR")

    assert one(calendar, "VERSION") == "2.0"
    assert one(calendar, "PRODID") == "-//vetbot//FR"
    assert one(calendar, "CALSCALE") == "GREGORIAN"
    assert one(calendar, "METHOD") == "PUBLISH"


def test_every_line_ends_with_crlf_and_fits_75_octets() -> None:
    long_text = "Éléphant à l’œil vif, " * 30  # multi-byte characters around every fold point
    data = build_ics(make_event(description=long_text, summary=long_text), now=NOW)

    assert data.count(b"\n") == data.count(b"\r\n")
    assert data.count(b"\r") == data.count(b"\r\n")
    for line in data.split(b"\r\n")[:-1]:
        assert len(line) <= 75
        line.decode("utf-8")  # no character cut in two
    assert unescape(one(vevent(data), "DESCRIPTION")) == long_text


@pytest.mark.parametrize("width", range(60, 90))
def test_folding_never_splits_a_character(width: int) -> None:
    line = "DESCRIPTION:" + "a" * (width - 12) + "é€😺" * 5

    folded = fold_line(line).encode("utf-8").split(b"\r\n")

    assert all(len(part) <= 75 for part in folded)
    assert all(part.startswith(b" ") for part in folded[1:])
    assert b"".join([folded[0], *(part[1:] for part in folded[1:])]).decode("utf-8") == line


def test_text_fields_round_trip_with_accents_and_special_characters() -> None:
    description = "Animal : Médor, 7 ans; chien\nMotif : toux\\rhume\r\nÀ jeun : non"
    event = make_event(description=description, summary="Consultation, Médor; urgence")

    parsed = vevent(build_ics(event, now=NOW))

    assert unescape(one(parsed, "SUMMARY")) == "Consultation, Médor; urgence"
    assert unescape(one(parsed, "DESCRIPTION")) == description.replace("\r\n", "\n")
    assert unescape(one(parsed, "LOCATION")) == (
        "Clinique vétérinaire des Lilas, 12 rue des Lilas, 75011 Paris"
    )
    assert unescape(one(parsed, "CONTACT")) == "Clinique vétérinaire des Lilas"
    assert one(parsed, "STATUS") == "CONFIRMED"
    assert one(parsed, "SEQUENCE") == "0"


def test_location_does_not_repeat_a_name_already_in_the_address() -> None:
    event = make_event(location="Clinique vétérinaire des Lilas, 12 rue des Lilas")

    assert unescape(one(vevent(build_ics(event, now=NOW)), "LOCATION")) == event.location


def test_a_nameless_clinic_gets_no_empty_contact() -> None:
    parsed = vevent(build_ics(make_event(organizer_name=" "), now=NOW))

    assert "CONTACT" not in parsed.properties
    assert unescape(one(parsed, "LOCATION")) == "12 rue des Lilas, 75011 Paris"


def test_control_characters_are_dropped() -> None:
    event = make_event(summary="Médor\x00\x07 vaccin\tannuel")

    assert unescape(one(vevent(build_ics(event, now=NOW)), "SUMMARY")) == "Médor vaccin\tannuel"


def test_uid_is_stable_across_builds_and_derived_from_the_appointment() -> None:
    first = build_ics(make_event(), now=NOW)
    resent = build_ics(make_event(summary="Autre titre"), now=NOW + timedelta(days=3), sequence=1)

    assert one(vevent(first), "UID") == one(vevent(resent), "UID") == "apt-42@vetbot"
    assert one(vevent(resent), "SEQUENCE") == "1"
    assert one(vevent(build_ics(make_event(appointment_id="apt-43"), now=NOW)), "UID") != (
        "apt-42@vetbot"
    )


def test_same_input_gives_the_same_bytes() -> None:
    assert build_ics(make_event(), now=NOW) == build_ics(make_event(), now=NOW)


@pytest.mark.parametrize(
    ("local_start", "utc_start"),
    [
        (datetime(2026, 12, 1, 14, 30, tzinfo=PARIS), "20261201T133000Z"),  # winter, UTC+1
        (datetime(2026, 7, 1, 14, 30, tzinfo=PARIS), "20260701T123000Z"),  # summer, UTC+2
        (datetime(2026, 3, 29, 3, 30, tzinfo=PARIS), "20260329T013000Z"),  # just after the change
    ],
)
def test_times_are_written_in_utc(local_start: datetime, utc_start: str) -> None:
    event = make_event(start=local_start, end=local_start + timedelta(minutes=30))

    parsed = vevent(build_ics(event, now=NOW.astimezone(PARIS)))

    assert one(parsed, "DTSTART") == utc_start
    end = datetime.strptime(one(parsed, "DTEND"), "%Y%m%dT%H%M%SZ")
    start = datetime.strptime(utc_start, "%Y%m%dT%H%M%SZ")
    assert end - start == timedelta(minutes=30)
    assert one(parsed, "DTSTAMP") == "20261120T093015Z"


def test_alarm_reminds_two_hours_before_by_default() -> None:
    alarm = vevent(build_ics(make_event(), now=NOW)).only("VALARM")

    assert one(alarm, "ACTION") == "DISPLAY"
    assert one(alarm, "TRIGGER") == "-PT2H"
    assert unescape(one(alarm, "DESCRIPTION")) == "Vaccin annuel – Médor"


def test_custom_alarm_and_no_alarm() -> None:
    custom = vevent(build_ics(make_event(alarm_before=timedelta(days=1, minutes=30)), now=NOW))
    without = vevent(build_ics(make_event(alarm_before=None), now=NOW))

    assert one(custom.only("VALARM"), "TRIGGER") == "-P1DT30M"
    assert "VALARM" not in without.children


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(hours=2), "PT2H"),
        (timedelta(minutes=15), "PT15M"),
        (timedelta(hours=1, seconds=30), "PT1H0M30S"),
        (timedelta(days=2), "P2D"),
        (timedelta(days=1, hours=1, minutes=1, seconds=1), "P1DT1H1M1S"),
        (timedelta(0), "PT0S"),
    ],
)
def test_durations_follow_the_rfc_grammar(delta: timedelta, expected: str) -> None:
    assert format_duration(delta) == expected


@pytest.mark.parametrize("status", ["TENTATIVE", "CANCELLED"])
def test_status_is_written(status: str) -> None:
    assert one(vevent(build_ics(make_event(status=status), now=NOW)), "STATUS") == status


@pytest.mark.parametrize(
    "changes",
    [
        {"start": datetime(2026, 12, 1, 14, 30)},
        {"end": datetime(2026, 12, 1, 15, 0)},
    ],
)
def test_naive_datetimes_are_refused(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="aware"):
        build_ics(make_event(**changes), now=NOW)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        build_ics(make_event(), now=datetime(2026, 11, 20, 9, 30))


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end": datetime(2026, 12, 1, 14, 0, tzinfo=PARIS)}, "end after"),
        ({"status": "MAYBE"}, "status"),
        ({"appointment_id": " "}, "appointment id"),
        ({"alarm_before": timedelta(minutes=-5)}, "negative"),
    ],
)
def test_inconsistent_events_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build_ics(make_event(**changes), now=NOW)


@pytest.mark.parametrize(
    ("pet_name", "expected"),
    [
        ("Mimi", "rdv-2026-12-01-mimi.ics"),
        ("Médor & Cie", "rdv-2026-12-01-medor-cie.ics"),
        ("Cœur d'Ébène", "rdv-2026-12-01-coeur-d-ebene.ics"),
        ("  Straße  ", "rdv-2026-12-01-strasse.ics"),
        ("🐶", "rdv-2026-12-01-animal.ics"),
        ("../../etc/passwd", "rdv-2026-12-01-etc-passwd.ics"),
    ],
)
def test_filename_is_ascii_safe(pet_name: str, expected: str) -> None:
    name = ics_filename(datetime(2026, 12, 1, 14, 30, tzinfo=PARIS), pet_name)

    assert name == expected
    assert name.isascii()


def test_filename_uses_the_local_date_of_the_appointment() -> None:
    late_evening = datetime(2026, 12, 1, 23, 30, tzinfo=ZoneInfo("Pacific/Tahiti"))

    assert ics_filename(late_evening, "Mimi") == "rdv-2026-12-01-mimi.ics"


def test_long_pet_names_give_bounded_filenames() -> None:
    assert len(ics_filename(NOW, "Rex " * 50)) <= len("rdv-2026-11-20-.ics") + 40
