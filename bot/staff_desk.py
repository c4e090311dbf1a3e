"""The staff desk: what the clinic's staff are sent, and the rules of sending it, Telegram aside.

Staff messages go through the outbox (bot/outbox.py): recorded first, then delivered, so a
Telegram error or a restart delays them and never loses them. The desk files owners' requests
(at most one open per appointment), announces settled bookings under ``STAFF_ANNOUNCE`` and
raises urgent alerts; conversations/ only reads updates and shows answers. Every text is in the
staff's language, the clinic's locale: the caller passes that translator (``_``).

A clinic without a staff chat has `NoStaffChat` instead, so what follows a booking need not ask
which one it has: nothing is announced, and a request is UNAVAILABLE (the owner must phone).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum
from typing import TYPE_CHECKING, Final, Literal, Protocol

from bot.i18n import N_
from bot.outbox import Outbox, OutboxKind, OutboxRecord, StaffButton, StaffMessage, should_announce
from bot.staff_chat import StaffChat
from bot.staff_requests import (
    DECISION_LABELS,
    DECISION_MARKS,
    Opened,
    RequestKind,
    RequestRecord,
    RequestState,
    StaffRequests,
    decision_label,
)
from bot.store import BookingRecord, BookingState
from bot.treats import Client, TreatsError
from bot.urgent_cases import UrgentCase, esc, urgent_message, with_line

if TYPE_CHECKING:
    from bot.i18n import Translator

REQUEST: Final = "req"
"""Callback prefix of a request's decision (``req:<request id>:ok|no``)."""
DONE: Final = "ok"
REFUSED: Final = "no"

REQUEST_TITLES: Final = {
    RequestKind.CANCEL: N_("❌ Demande d'annulation"),
    RequestKind.RESCHEDULE: N_("🔁 Demande de déplacement"),
    RequestKind.REGISTER: N_("🆕 Demande d'inscription"),
    RequestKind.ADD_PET: N_("🐾 Nouvel animal à ajouter"),
    RequestKind.CHECK_BOOKING: N_("⚠️ RDV à vérifier (réponse du logiciel perdue)"),
}
"""Each request's title in the staff chat (translated where shown)."""


class Filing(Enum):
    """What became of a request an owner asked for. Truthy when the clinic has it (filed now or
    already pending), falsy when nobody could take it (no staff chat): the owner must phone."""

    FILED = "filed"
    PENDING = "pending"
    """An open request already names this appointment: nothing new was filed."""
    UNAVAILABLE = "unavailable"

    def __bool__(self) -> bool:
        return self is not Filing.UNAVAILABLE


def appointment_line(_: Translator, record: BookingRecord) -> str:
    """ "lun. 23 nov. 10:00 · Mimi · Vaccin · Dr Martin": one booking on one line."""
    return " · ".join(
        [_.short(record.scheduled_at), record.pet_name, record.type_name, record.vet_name]
    )


def request_message(request: RequestRecord, outbox_id: int, _: Translator) -> StaffMessage:
    """A request as the staff chat shows it: its title and details, then its two decision
    buttons, or the decision taken and by whom."""
    del outbox_id  # the buttons name the request, not the message
    lines = [f"<b>{_(REQUEST_TITLES[RequestKind(request.kind)])}</b>"]
    lines += [f"{esc(key)} : {esc(value)}" for key, value in request.details.items()]
    label = decision_label(request.kind, request.state)
    if label is not None:
        mark = DECISION_MARKS[request.state]
        lines.append(f"{mark} {esc(_(label))} — {esc(request.decided_by_name or '')}")
        return StaffMessage("\n".join(lines))
    done, refused = _decision_buttons(request.kind, _)
    return StaffMessage(
        "\n".join(lines),
        (
            (
                StaffButton(done, callback_data=f"{REQUEST}:{request.id}:{DONE}"),
                StaffButton(refused, callback_data=f"{REQUEST}:{request.id}:{REFUSED}"),
            ),
        ),
    )


def _decision_buttons(kind: RequestKind, _: Translator) -> tuple[str, str]:
    done, refused = DECISION_LABELS[RequestKind(kind)]
    return (
        f"{DECISION_MARKS[RequestState.DONE]} {_(done)}",
        f"{DECISION_MARKS[RequestState.REFUSED]} {_(refused)}",
    )


@dataclass(frozen=True, slots=True)
class StaffDesk:
    """The staff side of a clinic with a staff chat (built once by the composition root)."""

    outbox: Outbox
    requests: StaffRequests
    chat: StaffChat
    announce: Literal["all", "urgent"]

    @property
    def chat_id(self) -> int:
        """The staff chat now (it follows an upgrade to a supergroup)."""
        return self.chat.chat_id

    def file_request(
        self,
        kind: RequestKind,
        user_id: int,
        _: Translator,
        *,
        client_id: str | None = None,
        booking_id: str | None = None,
        details: dict[str, str],
    ) -> Filing:
        """File a request with the staff, at most one open per appointment (``booking_id``).

        FILED: posted now; PENDING: this appointment already has an open request (nothing
        new). Truthy either way."""
        opened = self._file(
            kind, user_id, _, client_id=client_id, booking_id=booking_id, details=details
        )
        return Filing.FILED if opened.filed else Filing.PENDING

    def _file(
        self,
        kind: RequestKind,
        user_id: int,
        _: Translator,
        *,
        client_id: str | None,
        booking_id: str | None,
        details: dict[str, str],
    ) -> Opened:
        """Records the request and posts it to the staff chat; an appointment's request already
        open is returned as is (``filed=False``) and not posted again, unless it never was (a
        crash between its two commits: it must not block the appointment unseen)."""
        opened = self.requests.open(
            kind, user_id=user_id, client_id=client_id, booking_id=booking_id, details=details
        )
        request = opened.record
        if request.outbox_id is not None:
            return opened
        record = self.outbox.enqueue(
            OutboxKind.REQUEST,
            self.chat_id,
            lambda oid: request_message(request, oid, _),
            owner_user_id=request.user_id,
            booking_id=request.booking_id,
        )
        self.requests.link_outbox(request.id, record.id)
        return opened

    def ask_to_cancel(
        self, record: BookingRecord, _: Translator, *, replaced_by: BookingRecord | None = None
    ) -> Filing:
        """A cancellation request for ``record``: the appointment, its Treats id, and what
        replaces it when the owner moved it."""
        details = {
            _("RDV"): appointment_line(_, record),
            _("RDV Treats"): record.appointment_id or "?",
        }
        if replaced_by is not None:
            details[_("Remplacé par")] = _.short(replaced_by.scheduled_at)
        return self.file_request(
            RequestKind.CANCEL,
            record.user_id,
            _,
            client_id=record.client_id,
            booking_id=record.booking_id,
            details=details,
        )

    def announce_settled(self, record: BookingRecord, _: Translator) -> None:
        """The staff side of a settled booking, the same whichever path settled it (a tap, a
        retry, a restart): an uncertain one becomes "RDV à vérifier" (at most one per booking),
        a booked one is announced (all, or only urgent ones, per ``announce``) and added to its
        urgent alert. A failed one needs nothing."""
        line = appointment_line(_, record)
        if record.state is BookingState.UNCERTAIN:
            self._file(
                RequestKind.CHECK_BOOKING,
                record.user_id,
                _,
                client_id=record.client_id,
                booking_id=record.booking_id,
                details={_("rdv"): line},
            )
        elif record.state is not BookingState.BOOKED:
            return
        elif should_announce(self.announce, is_urgent=record.is_urgent):
            prefix = "🚨 " if record.is_urgent else "📅 "
            self.outbox.enqueue(
                OutboxKind.BOOKING,
                self.chat_id,
                StaffMessage(prefix + _("Nouveau RDV : {line}", line=esc(line))),
                owner_user_id=record.user_id,
                booking_id=record.booking_id,
            )
        alert = self.outbox.get(int(record.urgent_alert_id)) if record.urgent_alert_id else None
        if alert is not None and record.state is BookingState.BOOKED:
            taken = _(
                "📅 RDV pris : {when}, {vet}", when=_.when(record.scheduled_at), vet=record.vet_name
            )
            self.outbox.update(
                alert.id, with_line(alert.message, esc(taken)), booking_id=record.booking_id
            )

    def raise_urgent_alert(self, case: UrgentCase, _: Translator) -> OutboxRecord:
        """Alert the staff now, before any booking; re-alerted until someone takes it. The
        record's id is what the booking's announcement later adds its line to."""
        return self.outbox.enqueue(
            OutboxKind.URGENT,
            self.chat_id,
            lambda oid: urgent_message(case, oid, _),
            owner_user_id=case.owner_user_id,
            needs_ack=True,
        )


class NoStaffChat:
    """The staff side of a clinic without a staff chat: nobody to tell, nobody to file with."""

    def file_request(
        self,
        kind: RequestKind,
        user_id: int,
        _: Translator,
        *,
        client_id: str | None = None,
        booking_id: str | None = None,
        details: dict[str, str],
    ) -> Filing:
        """Nobody could take it: the owner must phone."""
        del kind, user_id, _, client_id, booking_id, details
        return Filing.UNAVAILABLE

    def ask_to_cancel(
        self, record: BookingRecord, _: Translator, *, replaced_by: BookingRecord | None = None
    ) -> Filing:
        """Nobody could take it: the owner must phone."""
        del record, _, replaced_by
        return Filing.UNAVAILABLE

    def announce_settled(self, record: BookingRecord, _: Translator) -> None:
        """Nothing to announce to."""
        del record, _


# -- staff commands' rules -------------------------------------------------------------------

DEFAULT_PAUSE: Final = timedelta(hours=2)
"""A bare /pause."""
_DURATION: Final = re.compile(r"^(\d{1,3})\s*(m|min|minutes?|h|heures?|j|jours?)?$")
_CLIENT_ID: Final = re.compile(r"[0-9a-fA-F-]{36}")


def pause_length(text: str) -> timedelta | None:
    """/pause's argument: "" (two hours), "30min", "2h", "1 jour"... (a bare number is hours);
    None when not understood."""
    text = text.strip().lower()
    if not text:
        return DEFAULT_PAUSE
    match = _DURATION.match(text)
    if match is None:
        return None
    amount, unit = int(match[1]), (match[2] or "h")[0]
    return {"m": timedelta(minutes=amount), "h": timedelta(hours=amount)}.get(
        unit, timedelta(days=amount)
    )


class ClientLookup(Protocol):
    """The Treats reads /invitation needs (`bot.treats.TreatsClient`)."""

    async def get_client(self, client_id: str) -> Client: ...

    async def find_clients_by_phone(self, phone: str) -> list[Client]: ...


async def invited_client(treats: ClientLookup, wanted: str) -> Client | None:
    """/invitation's owner: a Treats client id (36 characters) or a phone. Only one client
    matching gets a link: a phone shared by two records would invite the wrong one."""
    try:
        if _CLIENT_ID.fullmatch(wanted):
            clients = [await treats.get_client(wanted)]
        else:
            clients = await treats.find_clients_by_phone(wanted)
    except TreatsError:
        return None
    return clients[0] if len(clients) == 1 else None
