"""What owner handlers ask of the staff side, from a handler's context: can the staff hear an
alert now, raise one, file a request, is online booking paused.

The rules are in `bot.staff_desk` and `bot.urgent_cases`; this module only finds the desk (None
without a staff chat) and the staff's language in the context. It imports no handler module, so
every owner feature (flow.py, urgent.py, owner_requests.py) may import it.
"""

from __future__ import annotations

from bot.booking import Draft
from bot.i18n import Translator
from bot.services import Services
from bot.staff_desk import Filing
from bot.staff_requests import RequestKind
from bot.store import BookingRecord
from bot.urgent_cases import gather_case
from conversations.common import Context, esc


def staff_language(services: Services) -> Translator:
    """The staff's language: the clinic's locale, whoever the owner is."""
    return services.catalogs[services.clinic.locale]


def staff_can_hear(context: Context) -> bool:
    """Whether an alert raised now reaches the staff chat now (not: no staff chat, or the bot
    removed from it). The owner is told "the team is alerted" only then."""
    staff = context.staff
    return staff is not None and staff.chat.reachable


async def raise_urgent_alert(context: Context, user_id: int, draft: Draft) -> None:
    """Alert the staff now, before any booking; remember the alert to add the appointment."""
    staff = context.staff
    if staff is None:
        return
    svc = context.services
    _ = staff_language(svc)
    today = svc.local_now().date()
    case = await gather_case(svc.treats, svc.booking, svc.lexicon, today, user_id, draft, _)
    record = staff.raise_urgent_alert(case, _)
    draft.urgent_alert_id = str(record.id)
    svc.metrics.urgent_alerts.inc()


def open_request(
    context: Context,
    kind: RequestKind,
    user_id: int,
    *,
    client_id: str | None = None,
    booking_id: str | None = None,
    details: dict[str, str],
) -> Filing:
    """File a request with the staff (see `bot.staff_desk.StaffDesk.file_request`);
    UNAVAILABLE without a staff chat."""
    staff = context.staff
    if staff is None:
        return Filing.UNAVAILABLE
    return staff.file_request(
        kind,
        user_id,
        staff_language(context.services),
        client_id=client_id,
        booking_id=booking_id,
        details=details,
    )


def ask_to_cancel(context: Context, record: BookingRecord) -> Filing:
    """A cancellation request for ``record``, as the staff read it in the clinic's language;
    UNAVAILABLE without a staff chat."""
    staff = context.staff
    if staff is None:
        return Filing.UNAVAILABLE
    return staff.ask_to_cancel(record, staff_language(context.services))


def paused_text(context: Context, _: Translator) -> str | None:
    """The owner-facing pause notice (the staff's /pause), or None when online booking is
    open."""
    svc = context.services
    until = svc.store.paused_until()
    if until is None or until <= svc.clock():
        return None
    return _(
        "La réservation en ligne est en pause pour le moment. Appelez la clinique au {phone} "
        "({hours}).",
        phone=esc(svc.clinic.phone_display),
        hours=esc(svc.clinic.opening_hours),
    )
