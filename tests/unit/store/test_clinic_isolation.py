"""Two clinics over one database: nothing one clinic's store does reads or changes the other's.

The same Telegram user id (or booking id, update id...) at two clinics is two different things;
an id taken from one clinic and forged at the other finds nothing. Runs on both backends.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.store import (
    BookingState,
    NoticeState,
    OutboxKind,
    PlannedReminder,
    ReminderKind,
    RequestKind,
    StaffMessage,
    StatusChangeKind,
    Store,
    UnknownBookingError,
)
from bot.store.status_changes import StatusChange
from tests.unit.store.drafts import SLOT, draft

STAFF_CHAT = -100123


@pytest.fixture
def other(store: Store) -> Store:
    """Clinic "other", over the same connection as ``store`` (clinic "default")."""
    return store.for_clinic("other")


def test_the_two_stores_share_one_database_under_two_clinics(store: Store, other: Store) -> None:
    assert (store.clinic, other.clinic) == ("default", "other")
    assert other.database is store.database


# Owners ------------------------------------------------------------------------------------


def test_the_same_user_is_a_different_owner_at_each_clinic(store: Store, other: Store) -> None:
    store.link_owner(42, "client-a", language="fr")
    assert other.owner(42) is None
    assert other.language(42) is None

    other.link_owner(42, "client-b", language="en")
    mine, theirs = store.owner(42), other.owner(42)
    assert mine is not None and (mine.client_id, mine.language) == ("client-a", "fr")
    assert theirs is not None and (theirs.client_id, theirs.language) == ("client-b", "en")

    other.set_language(42, "de")
    assert (store.language(42), other.language(42)) == ("fr", "de")


def test_a_language_chosen_at_one_clinic_does_not_follow_a_link_at_the_other(
    store: Store, other: Store
) -> None:
    store.set_language(42, "fr")
    linked = other.link_owner(42, "client-b")
    assert linked.language is None
    theirs = other.owner(42)
    assert theirs is not None and theirs.language is None


def test_reachability_is_per_clinic(store: Store, other: Store) -> None:
    assert store.mark_unreachable(42, "Forbidden: bot was blocked by the user")
    assert other.unreachable(42) is None
    assert not other.mark_reachable(42)
    assert not other.claim_unreachable_notice(42)
    assert store.unreachable(42) is not None

    assert other.mark_unreachable(42, "blocked at the other clinic")
    assert store.claim_unreachable_notice(42)
    assert other.claim_unreachable_notice(42)  # its own episode, its own notice
    assert store.mark_reachable(42)
    assert store.unreachable(42) is None
    assert other.unreachable(42) is not None


# Bookings ----------------------------------------------------------------------------------


def test_a_booking_id_of_one_clinic_is_unknown_at_the_other(store: Store, other: Store) -> None:
    store.claim_booking(draft(booking_id="b-1"))
    store.finish_booking("b-1", BookingState.BOOKED, appointment_id="appt-1")

    assert other.booking("b-1") is None
    with pytest.raises(UnknownBookingError):
        other.finish_booking("b-1", BookingState.FAILED)
    with pytest.raises(UnknownBookingError):
        other.mark_cancelled("b-1")
    with pytest.raises(UnknownBookingError):
        other.set_booking_status("b-1", api_status="CANCELLED", display_status=None)
    with pytest.raises(UnknownBookingError):
        other.confirm_presence("b-1")
    other.mark_told("b-1")

    mine = store.booking("b-1")
    assert mine is not None
    assert (mine.state, mine.api_status, mine.told_at) == (BookingState.BOOKED, None, None)
    assert mine.presence_confirmed_at is None


def test_claims_of_the_same_booking_id_at_two_clinics_do_not_collide(
    store: Store, other: Store
) -> None:
    assert store.claim_booking(draft(booking_id="b-1", client_id="client-a")).won
    theirs = other.claim_booking(draft(booking_id="b-1", client_id="client-b"))
    assert theirs.won and theirs.record.client_id == "client-b"
    assert not store.claim_booking(draft(booking_id="b-1")).won

    store.finish_booking("b-1", BookingState.BOOKED, appointment_id="appt-a")
    still = other.booking("b-1")
    assert still is not None and still.state is BookingState.SENDING
    other.finish_booking("b-1", BookingState.FAILED, detail="slot taken")
    mine = store.booking("b-1")
    assert mine is not None and mine.state is BookingState.BOOKED
    assert mine.client_id == "client-a" and mine.appointment_id == "appt-a"


def test_writing_a_booking_leaves_the_same_id_at_the_other_clinic(
    store: Store, other: Store, clock: ManualClock
) -> None:
    for clinic in (store, other):
        clinic.claim_booking(draft(booking_id="b-1", client_id=f"client-{clinic.clinic}"))
    store.finish_booking("b-1", BookingState.FAILED, detail="slot taken")
    other.finish_booking("b-1", BookingState.BOOKED, appointment_id="appt-b")

    later = SLOT + timedelta(days=1)
    assert store.claim_booking(draft(booking_id="b-1", scheduled_at=later)).won  # re-claimed
    store.set_booking_status("b-1", api_status="CONFIRMED", display_status="Confirmé")
    other.set_booking_status("b-1", api_status="PENDING", display_status=None)
    other.mark_cancelled("b-1")

    mine, theirs = store.booking("b-1"), other.booking("b-1")
    assert mine is not None and theirs is not None
    assert (mine.state, mine.scheduled_at, mine.api_status, mine.client_id) == (
        BookingState.SENDING,
        later,
        "CONFIRMED",
        "client-1",
    )
    assert (theirs.state, theirs.scheduled_at, theirs.api_status, theirs.client_id) == (
        BookingState.CANCELLED,
        SLOT,
        "PENDING",
        "client-other",
    )
    assert theirs.appointment_id == "appt-b"


def test_booking_lists_show_the_clinics_own_bookings(
    store: Store, other: Store, clock: ManualClock
) -> None:
    store.claim_booking(draft(booking_id="a-1", is_urgent=True))
    store.finish_booking("a-1", BookingState.BOOKED, appointment_id="appt-a")
    other.claim_booking(draft(booking_id="b-1"))  # left sending
    other.claim_booking(draft(booking_id="b-2"))
    other.finish_booking("b-2", BookingState.UNCERTAIN)

    assert [b.booking_id for b in store.bookings_in_state(BookingState.SENDING)] == []
    assert [b.booking_id for b in other.bookings_in_state(BookingState.SENDING)] == ["b-1"]
    assert [b.booking_id for b in store.untold_bookings()] == ["a-1"]
    assert [b.booking_id for b in other.untold_bookings()] == ["b-2"]
    assert [b.booking_id for b in store.upcoming_bookings(42, clock())] == ["a-1"]
    assert [b.booking_id for b in other.upcoming_bookings(42, clock())] == ["b-2"]
    day = (SLOT - timedelta(hours=12), SLOT + timedelta(hours=12))
    assert [b.booking_id for b in store.bookings_between(*day)] == ["a-1"]
    assert [b.booking_id for b in other.bookings_between(*day)] == ["b-2"]
    made = (clock() - timedelta(days=1), clock() + timedelta(days=1))
    assert [(b.booking_id, b.is_urgent) for b in store.bookings_made_between(*made)] == [
        ("a-1", True)
    ]
    assert [b.booking_id for b in other.bookings_made_between(*made)] == ["b-2"]


# Flags, updates, events --------------------------------------------------------------------


def test_a_pause_at_one_clinic_leaves_the_other_open(
    store: Store, other: Store, clock: ManualClock
) -> None:
    until = clock() + timedelta(hours=2)
    store.set_paused_until(until)
    assert store.paused_until() == until
    assert other.paused_until() is None

    other.set_paused_until(None)  # resuming the other clinic does not resume this one
    assert store.paused_until() == until


def test_a_staff_chat_move_is_the_clinics_own(store: Store, other: Store) -> None:
    mine = store.outbox.add(OutboxKind.NOTICE, STAFF_CHAT, StaffMessage("à nous"))
    theirs = other.outbox.add(OutboxKind.NOTICE, STAFF_CHAT, StaffMessage("à eux"))

    assert store.move_staff_chat(STAFF_CHAT, -100999) == 1
    assert store.staff_chat_moved_to(STAFF_CHAT) == -100999
    assert other.staff_chat_moved_to(STAFF_CHAT) is None
    moved, kept = store.outbox.get(mine.id), other.outbox.get(theirs.id)
    assert moved is not None and moved.chat_id == -100999
    assert kept is not None and kept.chat_id == STAFF_CHAT


def test_the_same_update_id_is_new_at_the_other_clinic(store: Store, other: Store) -> None:
    assert not store.seen_update(1001)
    assert store.seen_update(1001)
    assert not other.seen_update(1001)
    assert other.seen_update(1001)


def test_old_update_ids_are_pruned_per_clinic(
    store: Store, other: Store, clock: ManualClock
) -> None:
    assert not store.seen_update(1001)
    clock.advance(timedelta(days=2))
    assert not other.seen_update(2002)  # prunes the other clinic's old ids only
    assert _update_ids(store) == [1001]
    assert not store.seen_update(3003)
    assert _update_ids(store) == [3003]
    assert _update_ids(other) == [2002]


def _update_ids(store: Store) -> list[int]:
    rows = store.database.execute(
        "SELECT update_id FROM processed_updates WHERE clinic_id = ? ORDER BY update_id",
        (store.clinic,),
    )
    return [int(row[0]) for row in rows]


def test_flow_events_are_counted_per_clinic(store: Store, other: Store, clock: ManualClock) -> None:
    store.record_event(42, "booked")
    other.record_event(43, "booked")
    other.record_event(44, "booked")
    since = clock() - timedelta(hours=1)
    assert [e.user_id for e in store.events_since("booked", since)] == [42]
    assert [e.user_id for e in other.events_since("booked", since)] == [43, 44]


# Forgetting and retention ------------------------------------------------------------------


def _everything_about(store: Store, user_id: int, booking_id: str, clock: ManualClock) -> None:
    """Every kind of row the store holds about an owner, at ``store``'s clinic."""
    store.link_owner(user_id, f"client-{store.clinic}", language="fr")
    store.claim_booking(draft(booking_id=booking_id, user_id=user_id))
    booked = store.finish_booking(booking_id, BookingState.BOOKED, appointment_id="appt")
    store.reminders.plan(
        booking_id, [PlannedReminder(ReminderKind.DAY_BEFORE, SLOT - timedelta(hours=24))]
    )
    store.record_event(user_id, "booked")
    store.open_request(RequestKind.CANCEL, user_id=user_id, booking_id=booking_id, details={})
    store.outbox.add(OutboxKind.URGENT, STAFF_CHAT, StaffMessage("urgence"), owner_user_id=user_id)
    store.mark_unreachable(user_id, "blocked")
    change = _clinic_moved(store, booked.booking_id, clock)
    assert change is not None


def test_forgetting_an_owner_at_one_clinic_leaves_the_other_clinics_records(
    store: Store, other: Store, clock: ManualClock
) -> None:
    _everything_about(store, 42, "b-1", clock)
    _everything_about(other, 42, "b-1", clock)
    theirs_before = _census(other, 42, "b-1")
    assert all(theirs_before.values()), theirs_before

    assert store.forget_owner(42) >= 9
    assert not any(_census(store, 42, "b-1").values())
    assert _census(other, 42, "b-1") == theirs_before


def test_forgetting_at_the_other_clinic_a_user_it_never_saw_deletes_nothing(
    store: Store, other: Store, clock: ManualClock
) -> None:
    _everything_about(store, 42, "b-1", clock)
    before = _census(store, 42, "b-1")
    assert other.forget_owner(42) == 0
    assert _census(store, 42, "b-1") == before


def test_purging_one_clinic_leaves_the_other_alone(
    store: Store, other: Store, clock: ManualClock
) -> None:
    for clinic in (store, other):
        _past_appointment(clinic, "old", clock, days_ahead=1)
    clock.advance(timedelta(days=367))

    assert store.purge_old() >= 6
    assert _leftovers(store, "old") == (None, 0, 0, 0, 0, 0)
    assert _leftovers(other, "old") == (BookingState.CANCELLED, 1, 1, 1, 1, 1)
    assert other.purge_old() >= 6
    assert _leftovers(other, "old") == (None, 0, 0, 0, 0, 0)


def test_an_old_booking_at_the_other_clinic_does_not_purge_a_recent_one_of_the_same_id(
    store: Store, other: Store, clock: ManualClock
) -> None:
    _past_appointment(other, "b-1", clock, days_ahead=1)
    clock.advance(timedelta(days=300))
    _past_appointment(store, "b-1", clock, days_ahead=1)
    clock.advance(timedelta(days=67))

    assert store.purge_old() == 0  # while the other clinic's old "b-1" is still there
    assert _leftovers(store, "b-1") == (BookingState.CANCELLED, 1, 1, 1, 1, 1)
    assert other.purge_old() >= 6
    assert _leftovers(store, "b-1") == (BookingState.CANCELLED, 1, 1, 1, 1, 1)


def _past_appointment(store: Store, booking_id: str, clock: ManualClock, days_ahead: int) -> None:
    """A booking ``days_ahead`` from now with a reminder, a status change (cancelled by the
    clinic), a decided request, a sent staff message and a flow event."""
    when = clock() + timedelta(days=days_ahead)
    store.claim_booking(draft(booking_id=booking_id, scheduled_at=when))
    booked = store.finish_booking(booking_id, BookingState.BOOKED, appointment_id="a")
    store.reminders.plan(booking_id, [PlannedReminder(ReminderKind.SOON, when)])
    filed = store.open_request(RequestKind.CANCEL, user_id=42, booking_id=booking_id, details={})
    store.decide_request(filed.record.id, done=False, by_id=7, by_name="Accueil")
    sent = store.outbox.add(OutboxKind.BOOKING, STAFF_CHAT, StaffMessage("réservé"))
    store.outbox.mark_sent(sent.id, message_id=500, revision=sent.revision, realert_at=None)
    store.record_event(42, "booked")
    store.status_changes.record_check(
        booked,
        clock(),
        api_status="CANCELLED",
        display_status="Annulé",
        scheduled_at=when,
        change=StatusChangeKind.CANCELLED,
    )


def _leftovers(store: Store, booking_id: str) -> tuple[object, ...]:
    """The booking's state and how many reminders, status changes, requests, outbox rows and
    flow events the clinic still has (of any booking, for the last three)."""
    record = store.booking(booking_id)
    database, clinic = store.database, store.clinic

    def count(table: str) -> int:
        (n,) = database.execute(
            f"SELECT COUNT(*) FROM {table} WHERE clinic_id = ?", (clinic,)
        ).fetchone()
        return int(n)

    return (
        None if record is None else record.state,
        len(store.reminders.for_booking(booking_id)),
        count("status_changes"),
        count("staff_requests"),
        count("staff_outbox"),
        count("flow_events"),
    )


# Status changes ----------------------------------------------------------------------------


def _clinic_moved(store: Store, booking_id: str, clock: ManualClock) -> StatusChange | None:
    seen = store.booking(booking_id)
    assert seen is not None
    return store.status_changes.record_check(
        seen,
        clock(),
        api_status="CONFIRMED",
        display_status="Confirmé",
        scheduled_at=seen.scheduled_at + timedelta(hours=1),
        change=StatusChangeKind.MOVED,
    )


def test_status_changes_are_numbered_and_kept_per_clinic(
    store: Store, other: Store, clock: ManualClock
) -> None:
    for clinic in (store, other):
        clinic.claim_booking(draft(booking_id="b-1"))
        clinic.finish_booking("b-1", BookingState.BOOKED, appointment_id="appt")
    assert store.status_changes.count_watched(clock()) == 1
    assert [b.booking_id for b in other.status_changes.to_check(clock(), 10)] == ["b-1"]

    mine = _clinic_moved(store, "b-1", clock)
    assert mine is not None
    assert [c.id for c in store.status_changes.pending()] == [mine.id]
    assert other.status_changes.pending() == []
    assert other.status_changes.get(mine.id) is None
    unmoved = other.booking("b-1")
    assert unmoved is not None and unmoved.scheduled_at == SLOT and unmoved.api_status is None

    other.status_changes.mark_notified(mine.id, clock())  # a forged id: finds nothing
    other.status_changes.mark_outdated(mine.id)
    still = store.status_changes.get(mine.id)
    assert still is not None and still.state is NoticeState.PENDING

    theirs = _clinic_moved(other, "b-1", clock)
    assert theirs is not None and theirs.id == mine.id  # each clinic numbers its own
    other.status_changes.mark_notified(theirs.id, clock())
    told, untold = other.status_changes.get(theirs.id), store.status_changes.get(mine.id)
    assert told is not None and told.state is NoticeState.NOTIFIED
    assert untold is not None and untold.state is NoticeState.PENDING
    assert store.status_changes.notice_failed(mine.id, "timed out") is NoticeState.PENDING
    failed_once = store.status_changes.get(mine.id)
    assert failed_once is not None and failed_once.attempts == 1
    notified = other.status_changes.get(theirs.id)
    assert notified is not None and (notified.attempts, notified.last_error) == (1, None)


def test_a_failed_notice_counts_at_its_own_clinic_only(
    store: Store, other: Store, clock: ManualClock
) -> None:
    changes = []
    for clinic in (store, other):
        clinic.claim_booking(draft(booking_id="b-1"))
        clinic.finish_booking("b-1", BookingState.BOOKED, appointment_id="appt")
        change = _clinic_moved(clinic, "b-1", clock)
        assert change is not None
        changes.append(change.id)
    mine, theirs = changes
    assert mine == theirs

    assert other.status_changes.notice_failed(theirs, "timed out") is NoticeState.PENDING
    untouched = store.status_changes.get(mine)
    assert untouched is not None and (untouched.attempts, untouched.last_error) == (0, None)

    store.status_changes.mark_notified(mine, clock())
    assert other.status_changes.notice_failed(theirs, "timed out") is NoticeState.PENDING
    counted = other.status_changes.get(theirs)
    assert counted is not None and counted.attempts == 2


def test_a_status_check_at_one_clinic_leaves_the_others_booking(
    store: Store, other: Store, clock: ManualClock
) -> None:
    for clinic in (store, other):
        clinic.claim_booking(draft(booking_id="b-1"))
        clinic.finish_booking("b-1", BookingState.BOOKED, appointment_id="appt")
    store.status_changes.mark_checked("b-1", clock())
    checked, unchecked = store.booking("b-1"), other.booking("b-1")
    assert checked is not None and checked.status_checked_at == clock()
    assert unchecked is not None and unchecked.status_checked_at is None


def _census(store: Store, user_id: int, booking_id: str) -> dict[str, object]:
    """What ``store``'s clinic shows of the owner, through its public reads."""
    since = SLOT - timedelta(days=400)
    return {
        "link": store.owner(user_id),
        "language": store.language(user_id),
        "booking": store.booking(booking_id),
        "reminders": store.reminders.for_booking(booking_id),
        "events": [e for e in store.events_since("booked", since) if e.user_id == user_id],
        "request": store.pending_request(booking_id),
        "alerts": store.outbox.urgent_alerts_of(user_id, since),
        "unreachable": store.unreachable(user_id),
        "changes": [c for c in store.status_changes.pending() if c.booking.user_id == user_id],
    }
