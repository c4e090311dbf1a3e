"""Owner links and languages: remembered across restarts, and forgotten completely on request."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.clock import ManualClock
from bot.store import BookingState, LinkVia, OwnerLink, Store
from bot.store.db import Dialect
from bot.store.privacy import USER_TABLES
from tests.unit.store.conftest import NOW
from tests.unit.store.drafts import draft


def test_after_reopening_the_file_the_link_is_still_there(
    store_url: str, clock: ManualClock
) -> None:
    with Store.open(store_url, clock) as first:
        first.link_owner(42, "client-1", language="fr", via="invite")

    with Store.open(store_url, clock) as reopened:
        assert reopened.owner(42) == OwnerLink(42, "client-1", "fr", NOW, LinkVia.INVITE)


def test_an_unknown_user_has_no_link_and_no_language(store: Store) -> None:
    assert store.owner(42) is None
    assert store.language(42) is None


def test_relinking_moves_the_user_and_keeps_their_language(
    store: Store, clock: ManualClock
) -> None:
    store.link_owner(42, "client-1", language="en")
    clock.advance(timedelta(days=3))

    relinked = store.link_owner(42, "client-2")

    assert relinked == OwnerLink(42, "client-2", "en", NOW + timedelta(days=3), LinkVia.CONTACT)
    assert store.owner(42) == relinked


def test_a_language_chosen_before_linking_is_kept_by_the_link(store: Store) -> None:
    store.set_language(42, "en")
    assert store.language(42) == "en"
    assert store.owner(42) is None

    link = store.link_owner(42, "client-1")

    assert link.language == "en"
    store.set_language(42, "fr")
    assert store.owner(42) == OwnerLink(42, "client-1", "fr", NOW, LinkVia.CONTACT)


def test_an_unknown_way_of_linking_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="sms"):
        store.link_owner(42, "client-1", via="sms")
    assert store.owner(42) is None


def test_forgetting_a_user_removes_everything_about_them_and_nothing_else(
    store_url: str, clock: ManualClock
) -> None:
    with Store.open(store_url, clock) as store:
        for user_id in (42, 7):
            store.link_owner(user_id, f"client-{user_id}", language="fr")
            store.claim_booking(draft(booking_id=f"b-{user_id}", user_id=user_id))
            store.finish_booking(f"b-{user_id}", BookingState.BOOKED, appointment_id="appt")
            store.record_event(user_id, "start")

        deleted = store.forget_owner(42)

        assert deleted == 4  # link, language, booking, event
        assert store.forget_owner(42) == 0
    with Store.open(store_url, clock) as reopened:
        assert reopened.owner(42) is None
        assert reopened.language(42) is None
        assert reopened.booking("b-42") is None
        assert [e.user_id for e in reopened.events_since("start", NOW)] == [7]
        assert reopened.owner(7) is not None
        assert reopened.booking("b-7") is not None


def test_every_table_holding_a_user_id_is_forgotten(store: Store) -> None:
    """A later migration adding a per-user table must also add it to forget_owner."""
    if store.database.dialect is Dialect.SQLITE:
        tables = [
            name
            for (name,) in store.database.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
            )
        ]
        with_user_id = {
            table
            for table in tables
            if any(
                col[1] == "user_id" for col in store.database.execute(f"PRAGMA table_info({table})")
            )
        }
    else:
        with_user_id = {
            name
            for (name,) in store.database.execute(
                "SELECT table_name FROM information_schema.columns "
                "WHERE column_name = 'user_id' AND table_schema = current_schema()"
            )
        }
    owned_by_ptb = {"ptb_user_data"}  # dropped through Application.drop_user_data
    assert with_user_id - owned_by_ptb == set(USER_TABLES)
