"""What the week view's page may ask the bot (docs/mini-app.md), framework aside.

Every call is checked the same way before anything is read: the page's ``initData`` must be
Telegram's, for this bot, recent (`bot.miniapp.init_data`); its user must be an owner this
clinic knows, whose conversation is at the time or slot step. The page never names a pet, a
type or a vet: they come from that conversation, so a page can only show and choose what its
owner could choose in the chat. The one thing the page names, a slot, is checked against the
vets of the owner's draft and against a fresh read of the vet's free slots before it goes to
the chat, where the usual summary and "Confirmer" take over (the booking is never made here).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final, Protocol

from bot.booking import BookingService, Draft, OfferedSlot
from bot.clock import Clock
from bot.config import ClinicConfig
from bot.i18n import Catalogs, Translator, pick_language
from bot.miniapp.init_data import InitDataRefused, MiniAppUser, verify_init_data
from bot.store import Store
from bot.treats import TreatsError
from bot.week_view import Week, WeekDay, week_of, week_start_for

logger = logging.getLogger("vetbot.miniapp")

SLOT_ID_TIME: Final = "%Y-%m-%dT%H:%MZ"
"""A slot's id is ``<vet id>|<start in UTC>``: opaque to the page, checked on the way back."""


@dataclass(frozen=True, slots=True)
class OwnerAtTimeStep:
    """The owner's conversation as the week view needs it."""

    draft: Draft
    language: str | None
    """The owner's /langue choice, if any."""


class OwnerConversations(Protocol):
    """The chat side, given by the composition root (PTB's user data and update queue)."""

    def at_time_step(self, user_id: int) -> OwnerAtTimeStep | None:
        """The owner's draft when their conversation is at the time or slot step."""
        ...

    async def choose(self, user: MiniAppUser, slot: OfferedSlot) -> None:
        """Hands the chosen slot to the owner's conversation, which shows the summary."""
        ...


@dataclass(frozen=True, slots=True)
class ApiAnswer:
    status: int
    body: dict[str, Any]


class WeekApi:
    """The page's two calls: the week, and the choice of a slot."""

    def __init__(
        self,
        *,
        bot_token: Callable[[], str],
        clinic: ClinicConfig,
        booking: BookingService,
        store: Store,
        catalogs: Catalogs,
        clock: Clock,
        conversations: OwnerConversations,
    ) -> None:
        self._bot_token = bot_token
        self._clinic = clinic
        self._booking = booking
        self._store = store
        self._catalogs = catalogs
        self._clock = clock
        self._conversations = conversations

    def __repr__(self) -> str:
        return f"WeekApi({self._clinic.id!r})"

    async def week(self, init_data: str, first: str | None) -> ApiAnswer:
        """The week from ``first`` (by default the asked day, or today) for the owner's draft."""
        owner = self._owner(init_data)
        if isinstance(owner, ApiAnswer):
            return owner
        _user, at_step, _ = owner
        day = _day(first)
        if first is not None and day is None:
            return _error(400, "bad-day", _("Cette date n'est pas lisible."))
        return await self._week_answer(at_step.draft, day, _, status=200)

    async def choose(self, init_data: str, slot_id: str, first: str | None) -> ApiAnswer:
        """The owner tapped a slot: checked, then handed to the chat."""
        owner = self._owner(init_data)
        if isinstance(owner, ApiAnswer):
            return owner
        user, at_step, _ = owner
        draft = at_step.draft
        wanted = _slot(slot_id)
        if wanted is None or wanted[0] not in self._booking.vet_ids_of(draft):
            return _error(400, "bad-slot", _("Ce créneau n'est pas proposé ici."))
        vet_id, start = wanted
        assert draft.appointment_type_id is not None
        local_day = start.astimezone(self._clinic.tz).date()
        try:
            free = await self._booking.free_on(
                local_day, draft.appointment_type_id, [vet_id], urgent=draft.is_urgent, fresh=True
            )
        except TreatsError as error:
            logger.warning("week view: slots of %s not read: %s", local_day, error.message)
            return _unavailable(_)
        slot = next((s for s in free if s.start == start and s.vet_id == vet_id), None)
        if slot is None:
            message = _("Ce créneau vient d'être pris, désolé : voici la semaine à jour.")
            fresh = await self._week_answer(draft, _day(first) or local_day, _, status=409)
            return ApiAnswer(409, {"error": "taken", "message": message, **fresh.body})
        await self._conversations.choose(user, slot)
        return ApiAnswer(200, {"ok": True, "message": _texts(_)["chosen"]})

    def _owner(self, init_data: str) -> tuple[MiniAppUser, OwnerAtTimeStep, Translator] | ApiAnswer:
        """Who asks, checked; or the refusal to send back."""
        _ = self._catalogs[self._clinic.locale]  # until the owner's language is known
        try:
            session = verify_init_data(init_data, self._bot_token(), now=self._clock())
        except InitDataRefused as refused:
            logger.info("week view: initData refused (%s)", refused.reason)
            return _error(
                401, "refused", _("Cette page a expiré : rouvrez-la depuis la conversation.")
            )
        user = session.user
        if session.chat_type not in (None, "private"):
            return _error(403, "refused", _("Cette page s'ouvre depuis la conversation."))
        at_step = self._conversations.at_time_step(user.id)
        language = pick_language(
            at_step.language if at_step else None, user.language_code, self._clinic.locale
        )
        _ = self._catalogs[language]
        if self._store.owner(user.id) is None or at_step is None:
            return _error(
                409,
                "nothing-to-choose",
                _("Il n'y a pas de créneau à choisir en ce moment : revenez dans la conversation."),
            )
        return user, at_step, _

    async def _week_answer(
        self, draft: Draft, first: date | None, _: Translator, *, status: int
    ) -> ApiAnswer:
        assert draft.appointment_type_id is not None
        now = self._clock()
        today = now.astimezone(self._clinic.tz).date()
        start = first or week_start_for(draft.when, today, self._clinic.tz)
        try:
            week = await week_of(
                self._booking,
                self._clinic,
                draft.appointment_type_id,
                self._booking.vet_ids_of(draft),
                start,
                now=now,
                asked=draft.when,
                urgent=draft.is_urgent,
            )
        except TreatsError as error:
            logger.warning("week view: week of %s not read: %s", start, error.message)
            return _unavailable(_)
        vet = self._clinic.vet(draft.vet_id) if draft.vet_id else None
        body = {
            "lang": _.language,
            "texts": _texts(_),
            "summary": {
                "pet": draft.pet_name or "",
                "reason": draft.type_name or "",
                "vet": vet.name if vet else None,
            },
            "week": self._week_json(week, _, any_vet=vet is None),
        }
        return ApiAnswer(status, body)

    def _week_json(self, week: Week, _: Translator, *, any_vet: bool) -> dict[str, Any]:
        return {
            "first_day": week.first_day.isoformat(),
            "previous": week.previous.isoformat() if week.previous else None,
            "next": week.next.isoformat() if week.next else None,
            "days": [self._day_json(day, _, any_vet=any_vet) for day in week.days],
        }

    def _day_json(self, day: WeekDay, _: Translator, *, any_vet: bool) -> dict[str, Any]:
        slots = []
        for shown in day.slots:
            slot = shown.slot
            vet = self._clinic.vet(slot.vet_id) if any_vet else None
            when = _.when(slot.start)
            slots.append(
                {
                    "id": slot_id(slot),
                    "time": _.time(slot.start),
                    "vet": vet.name if vet else None,
                    "asked": shown.asked,
                    "label": _("{when}, avec {vet}", when=when, vet=vet.name) if vet else when,
                }
            )
        return {
            "date": day.day.isoformat(),
            "label": _.day(day.day),
            "closed": day.closed,
            "hours": " · ".join(f"{_minutes(r.start)}–{_minutes(r.end)}" for r in day.opening),
            "slots": slots,
        }


def slot_id(slot: OfferedSlot) -> str:
    return f"{slot.vet_id}|{slot.start.astimezone(UTC).strftime(SLOT_ID_TIME)}"


def _slot(text: str) -> tuple[str, datetime] | None:
    vet_id, _, when = text.partition("|")
    if not vet_id or len(text) > 80:
        return None
    try:
        start = datetime.strptime(when, SLOT_ID_TIME).replace(tzinfo=UTC)
    except ValueError:
        return None
    return vet_id, start


def _day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _texts(_: Translator) -> dict[str, str]:
    """Every text the page shows, in the owner's language (the page has none of its own)."""
    return {
        "title": _("Choisir un créneau"),
        "previous": _("◀ Semaine précédente"),
        "next": _("Semaine suivante ▶"),
        "closed": _("Fermé"),
        "no_slot": _("Aucun créneau libre"),
        "asked": _("Votre demande"),
        "any_vet": _("Tous les vétérinaires"),
        "chosen": _("C'est noté : revenez dans la conversation pour confirmer."),
        "loading": _("Chargement…"),
        "error": _("Un souci de notre côté : réessayez, ou revenez dans la conversation."),
    }


def _error(status: int, kind: str, message: str) -> ApiAnswer:
    return ApiAnswer(status, {"error": kind, "message": message})


def _unavailable(_: Translator) -> ApiAnswer:
    return _error(
        503,
        "unavailable",
        _("Le logiciel de la clinique ne répond pas : réessayez dans un instant."),
    )
