"""Several clinic records on one phone number: the owner is linked to the oldest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from bot.client_choice import oldest_client
from bot.treats import Client

JAN = datetime(2019, 1, 15, 9, 0, tzinfo=UTC)


def client(client_id: str, created_at: datetime | None) -> Client:
    return Client(id=client_id, first_name="Marie", last_name="Dubois", created_at=created_at)


def test_the_oldest_record_wins_whatever_the_order_listed() -> None:
    old, new = client("c-b", JAN), client("c-a", JAN + timedelta(days=400))
    assert oldest_client([new, old]) is old
    assert oldest_client([old, new]) is old


def test_instants_are_compared_across_zones() -> None:
    """10:00 in Paris (UTC+1 in January) is before 09:30 UTC."""
    paris_ten = client("c-z", datetime(2019, 1, 15, 10, 0, tzinfo=timezone(timedelta(hours=1))))
    utc_half_past_nine = client("c-a", datetime(2019, 1, 15, 9, 30, tzinfo=UTC))
    assert oldest_client([utc_half_past_nine, paris_ten]) is paris_ten


def test_a_record_without_a_creation_date_comes_last() -> None:
    undated, dated = client("c-a", None), client("c-z", JAN + timedelta(days=3000))
    assert oldest_client([undated, dated]) is dated


def test_a_tie_is_settled_by_the_id() -> None:
    assert oldest_client([client("c-2", JAN), client("c-1", JAN)]).id == "c-1"
    assert oldest_client([client("c-2", None), client("c-1", None)]).id == "c-1"


def test_one_record_is_that_record() -> None:
    only = client("c-1", None)
    assert oldest_client([only]) is only


def test_no_record_is_the_callers_case() -> None:
    with pytest.raises(ValueError, match="no client"):
        oldest_client([])
