"""The clinic staff's side: alerts, announcements and requests in the staff chat, and commands.

Staff messages go through the outbox (bot/outbox.py): recorded first, then delivered, so a
Telegram error or a restart delays them and never loses them. Buttons in the staff chat answer
only members of that chat: a forged callback from anyone else is refused. Staff commands work
only in the staff chat.
"""

from __future__ import annotations

import contextlib
import html
import logging
import re
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum
from typing import Final

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatMemberStatus, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    TelegramError,
)
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.booking import Draft
from bot.i18n import Translator, pick_language
from bot.invites import invite_link, make_invite
from bot.outbox import (
    OutboxKind,
    StaffButton,
    StaffMessage,
    should_announce,
)
from bot.services import Services
from bot.staff_chat import StaffChat
from bot.staff_requests import (
    DECISION_LABELS,
    DECISION_MARKS,
    Opened,
    RequestKind,
    RequestRecord,
    RequestState,
    decision_label,
)
from bot.staff_stats import staff_stats, today_bookings
from bot.store import BookingRecord, BookingState
from bot.treats import Client, Patient, TreatsError
from bot.triage import assess
from conversations.blocked_owners import tell_owner
from conversations.callbacks import MENU_BOOK
from conversations.common import Context, answer_callback
from conversations.staff_desk import StaffDesk
from conversations.telegram_errors import CHAT_GONE

logger = logging.getLogger("vetbot.staff")

ACK: Final = "ack"
CALL: Final = "call"
REQUEST: Final = "req"
DONE: Final = "ok"
REFUSED: Final = "no"
STAFF_COMMANDS: Final = ("aujourdhui", "invitation", "pause", "reprise", "stats")
MEMBER_STATUSES: Final = frozenset(
    {ChatMemberStatus.MEMBER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER}
)
DEFAULT_PAUSE: Final = timedelta(hours=2)
_DURATION: Final = re.compile(r"^(\d{1,3})\s*(m|min|minutes?|h|heures?|j|jours?)?$")


def _staff_language(context: Context) -> Translator:
    svc = context.services
    return svc.catalogs[svc.clinic.locale]


def esc(text: object) -> str:
    return html.escape(str(text), quote=False)


# -- urgent alerts ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UrgentCase:
    """Everything the staff alert shows; gathered when the owner says it is urgent."""

    owner_user_id: int
    owner_name: str
    owner_phone: str | None
    pet: str
    signs: str
    words: str


def _age(birth: date | None, today: date) -> str | None:
    if birth is None:
        return None
    months = (today.year - birth.year) * 12 + today.month - birth.month
    if today.day < birth.day:
        months -= 1
    return f"{months // 12} ans" if months >= 24 else f"{max(months, 0)} mois"


def describe_pet(pet: Patient | None, name: str, today: date) -> str:
    if pet is None:
        return name
    details = [d for d in (pet.species, pet.breed, _age(pet.birth_date, today)) if d]
    return f"{pet.name} ({', '.join(details)})" if details else pet.name


def urgent_message(case: UrgentCase, outbox_id: int, _: Translator) -> StaffMessage:
    lines = [
        _("🚨 <b>URGENCE</b> : {signs}", signs=esc(case.signs)),
        _("🐾 {pet}", pet=esc(case.pet)),
        _(
            "👤 {owner} · 📞 {phone}",
            owner=esc(case.owner_name),
            phone=esc(case.owner_phone or "?"),
        ),
        _("💬 « {words} »", words=esc(case.words)),
    ]
    actions = (
        StaffButton(_("🙋 Je prends"), callback_data=f"{ACK}:{outbox_id}"),
        StaffButton(_("📞 Rappeler"), callback_data=f"{CALL}:{outbox_id}"),
    )
    chat_row = (
        StaffButton(_("💬 Ouvrir la discussion"), url=f"tg://user?id={case.owner_user_id}"),
    )
    return StaffMessage("\n".join(lines), (actions, chat_row))


def with_line(message: StaffMessage, line: str, *, drop_ack: bool = False) -> StaffMessage:
    """The same alert with one more line (the appointment, who took it); kept in the outbox,
    so it survives restarts."""
    buttons = message.buttons
    if drop_ack:
        buttons = tuple(
            row
            for row in (
                tuple(b for b in r if not (b.callback_data or "").startswith(ACK + ":"))
                for r in buttons
            )
            if row
        )
    return StaffMessage(f"{message.text}\n{line}", buttons)


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
    case = await _gather_case(context, user_id, draft)
    _ = _staff_language(context)
    record = staff.outbox.enqueue(
        OutboxKind.URGENT,
        staff.chat_id,
        lambda oid: urgent_message(case, oid, _),
        owner_user_id=user_id,
        needs_ack=True,
    )
    draft.urgent_alert_id = str(record.id)
    context.services.metrics.urgent_alerts.inc()


async def _gather_case(context: Context, user_id: int, draft: Draft) -> UrgentCase:
    svc = context.services
    client: Client | None = None
    pet: Patient | None = None
    with contextlib.suppress(TreatsError):
        client = await svc.treats.get_client(draft.client_id)
    pet_name = draft.pet_name or "?"
    if draft.patient_id:
        with contextlib.suppress(TreatsError):
            pet = await svc.treats.get_patient(draft.patient_id)
    else:  # not named yet: the one pet of the record, or the names to ask the owner about
        with contextlib.suppress(TreatsError):
            pets = await svc.booking.pets(draft.client_id)
            if len(pets) == 1:
                pet, pet_name = pets[0], pets[0].name
            elif pets:
                pet_name = "? (" + ", ".join(p.name for p in pets) + ")"
    words = draft.owner_words or draft.reason or ""
    triage = assess(words, svc.lexicon)
    signs = ", ".join(dict.fromkeys(f.label_fr for f in triage.flags)) or "signalée par le client"
    today = svc.local_now().date()
    return UrgentCase(
        owner_user_id=user_id,
        owner_name=client.full_name if client else "?",
        owner_phone=client.phone if client else None,
        pet=describe_pet(pet, pet_name, today),
        signs=signs,
        words=words,
    )


# -- after a booking -------------------------------------------------------------------------


def announce_settled(application: Application, record: BookingRecord) -> None:  # type: ignore[type-arg]
    """The staff side of a settled booking, the same whichever path settled it (a tap, a
    retry, a restart): an uncertain one becomes "RDV à vérifier" (at most one per booking),
    a booked one is announced and added to its urgent alert. A failed one needs nothing."""
    staff = application.bot_data.staff_desk
    if staff is None:
        return
    svc: Services = application.bot_data.services
    _ = svc.catalogs[svc.clinic.locale]
    line = _one_line(_, record)
    if record.state is BookingState.UNCERTAIN:
        _file_request(
            staff,
            RequestKind.CHECK_BOOKING,
            record.user_id,
            client_id=record.client_id,
            booking_id=record.booking_id,
            details={"rdv": line},
        )
    elif record.state is not BookingState.BOOKED:
        return
    elif should_announce(staff.announce, is_urgent=record.is_urgent):  # type: ignore[arg-type]
        prefix = "🚨 " if record.is_urgent else "📅 "
        staff.outbox.enqueue(
            OutboxKind.BOOKING,
            staff.chat_id,
            StaffMessage(prefix + _("Nouveau RDV : {line}", line=esc(line))),
            owner_user_id=record.user_id,
            booking_id=record.booking_id,
        )
    alert = staff.outbox.get(int(record.urgent_alert_id)) if record.urgent_alert_id else None
    if alert is not None and record.state is BookingState.BOOKED:
        line = _(
            "📅 RDV pris : {when}, {vet}", when=_.when(record.scheduled_at), vet=record.vet_name
        )
        staff.outbox.update(
            alert.id, with_line(alert.message, esc(line)), booking_id=record.booking_id
        )


def _one_line(_: Translator, record: BookingRecord) -> str:
    return " · ".join(
        [_.short(record.scheduled_at), record.pet_name, record.type_name, record.vet_name]
    )


# -- requests --------------------------------------------------------------------------------

REQUEST_TITLES: Final = {
    RequestKind.CANCEL: "❌ Demande d'annulation",
    RequestKind.RESCHEDULE: "🔁 Demande de déplacement",
    RequestKind.REGISTER: "🆕 Demande d'inscription",
    RequestKind.ADD_PET: "🐾 Nouvel animal à ajouter",
    RequestKind.CHECK_BOOKING: "⚠️ RDV à vérifier (réponse du logiciel perdue)",
}


def request_message(request: RequestRecord, outbox_id: int) -> StaffMessage:
    del outbox_id
    lines = [f"<b>{REQUEST_TITLES[request.kind]}</b>"]
    lines += [f"{esc(key)} : {esc(value)}" for key, value in request.details.items()]
    label = decision_label(request.kind, request.state)
    if label is not None:
        mark = DECISION_MARKS[request.state]
        lines.append(f"{mark} {esc(label)} — {esc(request.decided_by_name or '')}")
        return StaffMessage("\n".join(lines))
    done, refused = _decision_buttons(request.kind)
    return StaffMessage(
        "\n".join(lines),
        (
            (
                StaffButton(done, callback_data=f"{REQUEST}:{request.id}:{DONE}"),
                StaffButton(refused, callback_data=f"{REQUEST}:{request.id}:{REFUSED}"),
            ),
        ),
    )


def _decision_buttons(kind: RequestKind) -> tuple[str, str]:
    done, refused = DECISION_LABELS[kind]
    return (
        f"{DECISION_MARKS[RequestState.DONE]} {done}",
        f"{DECISION_MARKS[RequestState.REFUSED]} {refused}",
    )


class Filing(Enum):
    """What became of a request an owner asked for. Truthy when the clinic has it (filed now or
    already pending), falsy when nobody could take it (no staff chat): the owner must phone."""

    FILED = "filed"
    PENDING = "pending"
    """An open request already names this appointment: nothing new was filed."""
    UNAVAILABLE = "unavailable"

    def __bool__(self) -> bool:
        return self is not Filing.UNAVAILABLE


def _file_request(
    staff: StaffDesk,
    kind: RequestKind,
    user_id: int,
    *,
    client_id: str | None = None,
    booking_id: str | None = None,
    details: dict[str, str],
) -> Opened:
    """Records the request and posts it to the staff chat; an appointment's request already
    open is returned as is (``filed=False``) and not posted again, unless it never was (a
    crash between its two commits: it must not block the appointment unseen)."""
    opened = staff.requests.open(
        kind, user_id=user_id, client_id=client_id, booking_id=booking_id, details=details
    )
    request = opened.record
    if request.outbox_id is not None:
        return opened
    record = staff.outbox.enqueue(
        OutboxKind.REQUEST,
        staff.chat_id,
        lambda oid: request_message(request, oid),
        owner_user_id=request.user_id,
        booking_id=request.booking_id,
    )
    staff.requests.link_outbox(request.id, record.id)
    return opened


def open_request(
    context: Context,
    kind: RequestKind,
    user_id: int,
    *,
    client_id: str | None = None,
    booking_id: str | None = None,
    details: dict[str, str],
) -> Filing:
    """File a request with the staff, at most one open per appointment (``booking_id``).

    FILED: posted now; PENDING: this appointment already has an open request (nothing new);
    UNAVAILABLE: no staff chat to take it. Truthy unless UNAVAILABLE."""
    staff = context.staff
    if staff is None:
        return Filing.UNAVAILABLE
    opened = _file_request(
        staff, kind, user_id, client_id=client_id, booking_id=booking_id, details=details
    )
    return Filing.FILED if opened.filed else Filing.PENDING


def ask_to_cancel(
    context: Context, record: BookingRecord, *, replaced_by: BookingRecord | None = None
) -> Filing:
    """A cancellation request for ``record``, as the staff read it in the clinic's language:
    the appointment, its Treats id, and what replaces it when the owner moved it."""
    svc = context.services
    staff_language = svc.catalogs[svc.clinic.locale]
    details = {
        "RDV": f"{staff_language.short(record.scheduled_at)} · {record.pet_name} · "
        f"{record.type_name} · {record.vet_name}",
        "RDV Treats": record.appointment_id or "?",
    }
    if replaced_by is not None:
        details["Remplacé par"] = staff_language.short(replaced_by.scheduled_at)
    return open_request(
        context,
        RequestKind.CANCEL,
        record.user_id,
        client_id=record.client_id,
        booking_id=record.booking_id,
        details=details,
    )


# -- staff buttons ---------------------------------------------------------------------------


async def _from_staff(update: Update, context: Context) -> str | None:
    """The tapping staff member's name, or None (and a refusal) for anyone else."""
    staff = context.staff
    query, user = update.callback_query, update.effective_user
    if staff is None or query is None or user is None:
        return None
    _ = _staff_language(context)
    in_staff_chat = query.message is not None and query.message.chat.id == staff.chat_id
    member = False
    if in_staff_chat:
        with contextlib.suppress(TelegramError):
            status = (await context.bot.get_chat_member(staff.chat_id, user.id)).status
            member = status in MEMBER_STATUSES
    if not member:
        logger.warning("staff button refused for user %s", user.id)
        await answer_callback(update, context, _("Réservé à l'équipe de la clinique."), alert=True)
        return None
    return user.full_name


async def acknowledge(update: Update, context: Context) -> None:
    """ "Je prends": the first staff member takes the case; the alert shows who and when."""
    staff, query = context.staff, update.callback_query
    assert query is not None
    name = await _from_staff(update, context)
    if staff is None or name is None or update.effective_user is None:
        raise ApplicationHandlerStop
    _ = _staff_language(context)
    outbox_id = _int_after(query.data, ACK)
    taken = staff.outbox.acknowledge(outbox_id, by_id=update.effective_user.id, by_name=name)
    if taken is None:
        await answer_callback(update, context, _("Déjà pris en charge."))
        raise ApplicationHandlerStop
    now = context.services.clock()
    waited = (now - (taken.sent_at or taken.created_at)).total_seconds()
    context.services.metrics.ack_seconds.observe(max(0.0, waited))
    label = _("✅ Pris en charge par {name} à {time}", name=name, time=_.time(now))
    staff.outbox.update(outbox_id, with_line(taken.message, esc(label), drop_ack=True))
    await answer_callback(update, context, _("C'est noté, merci !"))
    raise ApplicationHandlerStop


async def call_back(update: Update, context: Context) -> None:
    """ "Rappeler": show the owner's phone to the staff member."""
    query = update.callback_query
    assert query is not None
    if await _from_staff(update, context) is None:
        raise ApplicationHandlerStop
    _ = _staff_language(context)
    svc, staff = context.services, context.staff
    alert = staff.outbox.get(_int_after(query.data, CALL)) if staff else None
    owner = svc.store.owner(alert.owner_user_id) if alert and alert.owner_user_id else None
    client = None
    if owner is not None:
        with contextlib.suppress(TreatsError):
            client = await svc.treats.get_client(owner.client_id)
    if client is None:
        await answer_callback(
            update, context, _("Numéro introuvable : voir le dossier."), alert=True
        )
    else:
        text = _("{name} : {phone}", name=client.full_name, phone=client.phone or "?")
        await answer_callback(update, context, text, alert=True)
    raise ApplicationHandlerStop


async def decide(update: Update, context: Context) -> None:
    """ "Fait" / "Refusé" (or "Bien réservé" / "Pas réservé"): record, tell the owner."""
    staff, query = context.staff, update.callback_query
    assert query is not None
    name = await _from_staff(update, context)
    if staff is None or name is None or update.effective_user is None:
        raise ApplicationHandlerStop
    _ = _staff_language(context)
    parts = (query.data or "").split(":")
    if len(parts) != 3 or not parts[1].isdigit() or parts[2] not in (DONE, REFUSED):
        await answer_callback(update, context)
        raise ApplicationHandlerStop
    decided = staff.requests.decide(
        int(parts[1]), done=parts[2] == DONE, by_id=update.effective_user.id, by_name=name
    )
    if decided is None:
        await answer_callback(update, context, _("Déjà traité."))
        raise ApplicationHandlerStop
    if decided.outbox_id is not None:
        staff.outbox.update(decided.outbox_id, request_message(decided, decided.outbox_id))
    await answer_callback(update, context, _("C'est noté, merci !"))
    await tell_owner_decision(context, decided)
    raise ApplicationHandlerStop


async def tell_owner_decision(context: Context, request: RequestRecord) -> None:
    svc = context.services

    _ = svc.catalogs[pick_language(svc.store.language(request.user_id), svc.clinic.locale)]
    done = request.state == "done"
    texts = {
        (RequestKind.CANCEL, True): _("✅ La clinique a bien annulé votre rendez-vous."),
        (RequestKind.CANCEL, False): _(
            "La clinique n'a pas pu annuler ce rendez-vous. Appelez-la au {phone}."
        ),
        (RequestKind.RESCHEDULE, True): _("✅ La clinique a déplacé votre rendez-vous."),
        (RequestKind.RESCHEDULE, False): _(
            "La clinique n'a pas pu déplacer ce rendez-vous. Appelez-la au {phone}."
        ),
        (RequestKind.REGISTER, True): _(
            "✅ La clinique a créé votre dossier. Tapez /start pour prendre rendez-vous."
        ),
        (RequestKind.REGISTER, False): _(
            "La clinique n'a pas pu créer votre dossier ici. Appelez-la au {phone}."
        ),
        (RequestKind.ADD_PET, True): _(
            "✅ La clinique a ajouté votre animal à votre dossier : vous pouvez prendre "
            "rendez-vous pour lui."
        ),
        (RequestKind.ADD_PET, False): _(
            "La clinique n'a pas pu ajouter votre animal. Appelez-la au {phone}."
        ),
        (RequestKind.CHECK_BOOKING, True): _(
            "✅ La clinique a vérifié : votre rendez-vous est bien enregistré."
        ),
        (RequestKind.CHECK_BOOKING, False): _(
            "La clinique a vérifié : ce rendez-vous n'a pas pu être enregistré. Choisissons un "
            "autre créneau."
        ),
    }
    text = texts[(RequestKind(request.kind), done)].format(phone=svc.clinic.phone_display)
    markup = None
    if RequestKind(request.kind) is RequestKind.CHECK_BOOKING and not done:
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("📅 Choisir un autre créneau"), callback_data=MENU_BOOK)]]
        )
    elif RequestKind(request.kind) is RequestKind.ADD_PET and done:  # never a dead end
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(_("📅 Prendre rendez-vous"), callback_data=MENU_BOOK)]]
        )
    try:
        await tell_owner(context.application, request.user_id, text, reply_markup=markup)
    except TelegramError as error:  # the decision stands; the staff see it in the chat
        logger.warning(
            "telling user %s of request %s failed: %s", request.user_id, request.id, error
        )


def _int_after(data: str | None, kind: str) -> int:
    raw = (data or "").removeprefix(kind + ":")
    return int(raw) if raw.isdigit() else -1


# -- staff commands --------------------------------------------------------------------------


async def today(update: Update, context: Context) -> None:
    """/aujourdhui: today's bookings made through the bot."""
    svc = context.services
    _ = _staff_language(context)
    now = svc.clock()
    bookings = today_bookings(svc.store, now, svc.clinic.tz)
    if not bookings:
        text = _("Aucun rendez-vous pris par le bot aujourd'hui.")
    else:
        lines = [_("<b>Rendez-vous pris par le bot aujourd'hui</b>")]
        for record in bookings:
            mark = " ⚠️" if record.state == "uncertain" else ""
            mark += " 🚨" if record.is_urgent else ""
            mark += " ✅ " + _("sera là") if record.presence_confirmed_at else ""
            lines.append(f"• {esc(_one_line(_, record))}{mark}")
        text = "\n".join(lines)
    await _reply(update, text)


async def stats(update: Update, context: Context) -> None:
    """/stats: bookings per day over 7 days, urgent cases, median time to confirm."""
    svc = context.services
    _ = _staff_language(context)
    figures = staff_stats(svc.store, svc.clock(), svc.clinic.tz)
    lines = [_("<b>Les 7 derniers jours</b>")]
    lines += [f"{esc(_.day(day))} : {count}" for day, count in figures.bookings_per_day]
    lines.append(_("Cas urgents : {n}", n=figures.urgent_cases))
    median = figures.median_minutes_to_confirm
    lines.append(
        _("Temps médian de /start à la confirmation : {minutes} min", minutes=f"{median:.1f}")
        if median is not None
        else _("Temps médian de /start à la confirmation : pas encore de données")
    )
    await _reply(update, "\n".join(lines))


async def pause(update: Update, context: Context) -> None:
    """/pause [durée]: owners are asked to phone instead of booking online."""
    svc = context.services
    _ = _staff_language(context)
    length = _duration(" ".join(context.args or []))
    if length is None:
        await _reply(update, _("Durée non comprise. Exemples : /pause, /pause 30min, /pause 2h."))
        return
    until = svc.clock() + length
    svc.store.set_paused_until(until)
    await _reply(
        update,
        _(
            "⏸ Réservation en ligne en pause jusqu'à {time}. /reprise pour la rouvrir.",
            time=_.when(until),
        ),
    )


async def resume(update: Update, context: Context) -> None:
    """/reprise: online booking is open again."""
    svc = context.services
    _ = _staff_language(context)
    svc.store.set_paused_until(None)
    await _reply(update, _("▶️ Réservation en ligne rouverte."))


async def invitation(update: Update, context: Context) -> None:
    """/invitation <phone or client id>: a signed invite link for an owner."""
    svc = context.services
    _ = _staff_language(context)
    wanted = " ".join(context.args or []).strip()
    if svc.link_secret is None:
        await _reply(update, _("Les invitations ne sont pas configurées (VETBOT_LINK_SECRET)."))
        return
    if not wanted:
        await _reply(
            update, _("Utilisation : /invitation 06 12 34 56 78 (ou l'identifiant client)")
        )
        return
    try:
        if re.fullmatch(r"[0-9a-fA-F-]{36}", wanted):
            clients = [await svc.treats.get_client(wanted)]
        else:
            clients = await svc.treats.find_clients_by_phone(wanted)
    except TreatsError:
        clients = []
    if len(clients) != 1:
        await _reply(update, _("Aucun client unique trouvé pour « {wanted} ».", wanted=esc(wanted)))
        return
    client = clients[0]
    token = make_invite(client.id, svc.link_secret, now=svc.clock())
    link = invite_link(context.bot.username, token)
    await _reply(
        update,
        _(
            "Lien d'invitation pour {name} (valable 14 jours) :\n{link}",
            name=esc(client.full_name),
            link=esc(link),
        ),
    )


async def refuse_outside(update: Update, context: Context) -> None:
    """A staff command anywhere but the staff chat."""
    svc = context.services
    _ = svc.catalogs[svc.clinic.locale]
    await _reply(update, _("Cette commande est réservée au groupe de l'équipe de la clinique."))
    raise ApplicationHandlerStop


async def _reply(update: Update, text: str) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)


def _duration(text: str) -> timedelta | None:
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


async def _only_private(update: Update, context: Context) -> None:
    """Owners talk to the bot in private; nothing said in groups reaches their conversation."""
    chat = update.effective_chat
    if chat is not None and chat.type != "private":
        raise ApplicationHandlerStop


# -- the staff chat itself: the bot removed or added back, the group upgraded --------------


async def bot_membership(update: Update, context: Context) -> None:
    """Telegram's ``my_chat_member`` in the staff chat: the bot removed (staff messages wait,
    /readyz says so) or added back (what waited goes now)."""
    staff, change = context.staff, update.my_chat_member
    if staff is None or change is None or change.chat.id not in staff.chat.ids:
        return
    status = change.new_chat_member.status
    if status in MEMBER_STATUSES:
        staff.chat.regained()
        staff.outbox.retry_now(staff.chat_id)
    else:
        staff.chat.lost(f"the bot's status there is now {status!s}")
    raise ApplicationHandlerStop


async def group_upgraded(update: Update, context: Context) -> None:
    """The service message Telegram posts when a group becomes a supergroup: follow it."""
    staff, message = context.staff, update.effective_message
    if staff is None or message is None:
        return
    if message.migrate_to_chat_id is not None:
        moved = staff.chat.moved(message.chat.id, message.migrate_to_chat_id)
    elif message.migrate_from_chat_id is not None:
        moved = staff.chat.moved(message.migrate_from_chat_id, message.chat.id)
    else:
        return
    if moved:
        staff.outbox.wake()
    raise ApplicationHandlerStop


async def check_staff_chat(bot: Bot, chat: StaffChat) -> None:
    """At start: is the bot still in the staff chat? (It may have been removed, or the group
    upgraded, while the bot was stopped.) A network error leaves it to the outbox to find."""
    try:
        member = await bot.get_chat_member(chat.chat_id, bot.id)
    except ChatMigrated as error:
        chat.moved(chat.chat_id, error.new_chat_id)
        return
    except Forbidden as error:
        chat.lost(error.message)
        return
    except BadRequest as error:
        if error.message.lower() in CHAT_GONE:
            chat.lost(error.message)
        return
    except TelegramError:
        return
    if member.status in MEMBER_STATUSES:
        chat.regained()
    else:
        chat.lost(f"the bot's status there is {member.status!s}")


def handlers(chat: StaffChat | None) -> dict[int, list[BaseHandler]]:
    """The staff handlers by handler group: they run before the owners' conversation."""
    staff_chat = filters.Chat(chat.ids if chat is not None else [])
    if chat is not None:
        # Commands keep working in the supergroup the group became.
        chat.on_change(lambda: staff_chat.add_chat_ids(chat.chat_id))
    commands = [
        CommandHandler("aujourdhui", _stopping(today), filters=staff_chat),
        CommandHandler("stats", _stopping(stats), filters=staff_chat),
        CommandHandler("pause", _stopping(pause), filters=staff_chat),
        CommandHandler("reprise", _stopping(resume), filters=staff_chat),
        CommandHandler("invitation", _stopping(invitation), filters=staff_chat),
        CommandHandler(list(STAFF_COMMANDS), refuse_outside),
    ]
    buttons = [
        ChatMemberHandler(bot_membership, ChatMemberHandler.MY_CHAT_MEMBER),
        MessageHandler(filters.StatusUpdate.MIGRATE, group_upgraded),
        CallbackQueryHandler(acknowledge, pattern=rf"^{ACK}:"),
        CallbackQueryHandler(call_back, pattern=rf"^{CALL}:"),
        CallbackQueryHandler(decide, pattern=rf"^{REQUEST}:"),
    ]
    return {-2: [*buttons, *commands], -1: [TypeHandler(Update, _only_private)]}


def _stopping(callback):  # type: ignore[no-untyped-def]
    async def wrapped(update: Update, context: Context) -> None:
        await callback(update, context)
        raise ApplicationHandlerStop

    wrapped.__doc__ = callback.__doc__
    return wrapped


def paused_text(context: Context, _: Translator) -> str | None:
    """The owner-facing pause notice, or None when online booking is open."""
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
