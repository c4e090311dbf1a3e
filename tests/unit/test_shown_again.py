"""A step shown again (an update handled twice after a takeover, a refresh, a step back and
forth) keeps its buttons valid when it shows the same thing, and only then: the summary's
booking id stays while the slot stays, the slot list's generation while the list stays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.booking import Draft, OfferedSlot, SlotPage

NOW = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)  # Monday 08:30 in Paris, on a UTC server
TEN = OfferedSlot(
    vet_id="v1", start=NOW + timedelta(days=1), end=NOW + timedelta(days=1, minutes=15)
)
ELEVEN = OfferedSlot(
    vet_id="v1", start=TEN.start + timedelta(hours=1), end=TEN.end + timedelta(hours=1)
)
TUESDAY = date(2026, 11, 24)


def test_the_summary_of_the_same_slot_keeps_its_booking_id() -> None:
    draft = Draft(client_id="c1", started_at=NOW, slot=TEN)
    first = draft.summary_booking_id()
    assert draft.summary_booking_id() == first, "shown again: one id, one appointment"
    draft.slot = ELEVEN
    moved = draft.summary_booking_id()
    assert moved != first, "an old summary's Confirmer must not book the new time"
    draft.slot = TEN
    assert draft.summary_booking_id() not in (first, moved)


def test_the_same_slot_list_keeps_its_generation_and_another_list_does_not() -> None:
    draft = Draft(client_id="c1", started_at=NOW)
    first = draft.new_offer(SlotPage(TUESDAY, (TEN, ELEVEN)))
    assert draft.new_offer(SlotPage(TUESDAY, (TEN, ELEVEN))) == first
    assert draft.new_offer(SlotPage(TUESDAY, (ELEVEN,))) == first + 1, "one slot went"
    assert draft.new_offer(SlotPage(TUESDAY + timedelta(days=1), (ELEVEN,))) == first + 2
