"""Staff requests: what owners ask that only a person at the clinic can do, and the decision.

Cancel, reschedule, "register me" and "add a pet" are decided "Fait" / "Refusé"; an uncertain
booking becomes a check, decided "Bien réservé" / "Pas réservé". Both map to DONE / REFUSED.
The first decision wins (two staff tapping at once: the second is told it is already decided),
and the booking follows the decision in the same commit (see ``bot.store.request_rows``). An
appointment has at most one open request: a second one for it is not filed, the open one is
returned (``Opened.filed`` is False).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from types import MappingProxyType
from typing import Final

from bot.clock import Clock
from bot.i18n import N_
from bot.store import Store
from bot.store.request_rows import Opened, RequestKind, RequestRecord, RequestState

__all__ = [
    "DECISION_LABELS",
    "DECISION_MARKS",
    "NEEDS_BOOKING",
    "Opened",
    "RequestKind",
    "RequestRecord",
    "RequestState",
    "StaffRequests",
    "decision_label",
]

DECISION_LABELS: Final[Mapping[RequestKind, tuple[str, str]]] = MappingProxyType(
    {
        RequestKind.CANCEL: (N_("Fait"), N_("Refusé")),
        RequestKind.RESCHEDULE: (N_("Fait"), N_("Refusé")),
        RequestKind.REGISTER: (N_("Fait"), N_("Refusé")),
        RequestKind.ADD_PET: (N_("Fait"), N_("Refusé")),
        RequestKind.CHECK_BOOKING: (N_("Bien réservé"), N_("Pas réservé")),
    }
)
"""The two buttons of each kind, (done, refused): French message ids, translated into the
staff's language where shown (`bot.staff_desk.request_message`)."""
DECISION_MARKS: Final[Mapping[RequestState, str]] = MappingProxyType(
    {RequestState.DONE: "✅", RequestState.REFUSED: "✖️"}
)
"""The mark beside a decision, on its button and once taken: a refusal is never a check mark."""
NEEDS_BOOKING: Final = frozenset({RequestKind.CHECK_BOOKING})
"""Kinds meaningless without a booking id. A cancel or reschedule may concern an appointment
the bot did not make (only its Treats id in ``details``), so they do not need one."""


def decision_label(kind: RequestKind, state: RequestState) -> str | None:
    """The label of the decision taken ("Fait", "Pas réservé"...) as a message id to
    translate; None while open."""
    done, refused = DECISION_LABELS[RequestKind(kind)]
    match RequestState(state):
        case RequestState.DONE:
            return done
        case RequestState.REFUSED:
            return refused
        case RequestState.OPEN:
            return None


class StaffRequests:
    """Opens and decides requests; the Telegram layer shows them and tells the owner."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def open(
        self,
        kind: RequestKind,
        *,
        user_id: int,
        client_id: str | None = None,
        booking_id: str | None = None,
        details: Mapping[str, str],
    ) -> Opened:
        """Records an open request (committed on return); post it with ``Outbox.enqueue`` and
        ``link_outbox``. When a request naming the same booking is still open, nothing is
        recorded: that request comes back with ``filed=False`` (one open request per
        appointment, whatever asked: a repeated tap, a move, another instance)."""
        kind = RequestKind(kind)
        if kind in NEEDS_BOOKING and booking_id is None:
            raise ValueError(f"a {kind} request needs the booking id")
        bad = [key for key, value in details.items() if not isinstance(value, str)]
        if bad or not all(isinstance(key, str) for key in details):
            raise TypeError(f"request details are text only (not: {bad})")
        return self._store.open_request(
            kind, user_id=user_id, client_id=client_id, booking_id=booking_id, details=details
        )

    def decide(
        self, request_id: int, *, done: bool, by_id: int, by_name: str
    ) -> RequestRecord | None:
        """Records the decision; None if already decided (by anyone) or unknown.

        A cancel done cancels the booking; a check moves the uncertain booking to booked
        (done) or failed (refused, the owner is offered slots again).
        """
        return self._store.decide_request(request_id, done=done, by_id=by_id, by_name=by_name)

    def get(self, request_id: int) -> RequestRecord | None:
        return self._store.request(request_id)

    def open_requests(self) -> list[RequestRecord]:
        """Undecided requests, oldest first."""
        return self._store.open_requests()

    def link_outbox(self, request_id: int, outbox_id: int) -> RequestRecord | None:
        """Remembers the staff-chat message of the request, to edit it with the decision."""
        return self._store.link_request_outbox(request_id, outbox_id)

    def waiting_for(self, request: RequestRecord) -> timedelta:
        """How long the request has been (or was) open, e.g. to remind staff of old ones."""
        end = request.decided_at or self._clock()
        return end - request.created_at
