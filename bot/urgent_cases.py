"""An urgent case as the staff see it: gathered when the owner says it is urgent, then shown as
the alert staff take ("Je prends") or call back ("Rappeler").

Gathering reads Treats for the owner and the pet, but an alert matters more than its details:
any Treats error leaves "?" where the record would have spoken. The texts are in the staff's
language (the clinic's locale), through the translator passed in.
"""

from __future__ import annotations

import contextlib
import html
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Final, Protocol

from bot.outbox import StaffButton, StaffMessage
from bot.treats import Client, Patient, TreatsError
from bot.triage import assess

if TYPE_CHECKING:
    from bot.booking import Draft
    from bot.i18n import Translator
    from bot.triage import Lexicon

ACK: Final = "ack"
"""Callback prefix of "Je prends" (``ack:<outbox id>``)."""
CALL: Final = "call"
"""Callback prefix of "Rappeler" (``call:<outbox id>``)."""


class ClientRecords(Protocol):
    """The Treats reads an alert needs (`bot.treats.TreatsClient`)."""

    async def get_client(self, client_id: str) -> Client: ...

    async def get_patient(self, patient_id: str) -> Patient: ...


class PetList(Protocol):
    """A client's pets, sorted by name (`bot.booking.BookingService`)."""

    async def pets(self, client_id: str) -> list[Patient]: ...


@dataclass(frozen=True, slots=True)
class UrgentCase:
    """Everything the staff alert shows; gathered when the owner says it is urgent."""

    owner_user_id: int
    owner_name: str
    owner_phone: str | None
    pet: str
    signs: str
    words: str


def esc(text: object) -> str:
    """Text for Telegram's HTML parse mode."""
    return html.escape(str(text), quote=False)


def _age(birth: date | None, today: date, _: Translator) -> str | None:
    if birth is None:
        return None
    months = (today.year - birth.year) * 12 + today.month - birth.month
    if today.day < birth.day:
        months -= 1
    if months >= 24:
        return _.plural("{n} an", "{n} ans", months // 12)
    return _.plural("{n} mois", "{n} mois", max(months, 0))


def describe_pet(pet: Patient | None, name: str, today: date, _: Translator) -> str:
    """ "Mimi (chat, européen, 3 ans)": the species and breed as the clinic's record has them."""
    if pet is None:
        return name
    details = [d for d in (pet.species, pet.breed, _age(pet.birth_date, today, _)) if d]
    return f"{pet.name} ({', '.join(details)})" if details else pet.name


async def gather_case(
    treats: ClientRecords,
    booking: PetList,
    lexicon: Lexicon,
    today: date,
    user_id: int,
    draft: Draft,
    _: Translator,
) -> UrgentCase:
    """The case of an owner's draft. ``today`` is the clinic's local date (the pet's age). A pet
    not named yet is the record's only pet, or "? (names)" for the staff to ask about."""
    client: Client | None = None
    pet: Patient | None = None
    with contextlib.suppress(TreatsError):
        client = await treats.get_client(draft.client_id)
    pet_name = draft.pet_name or "?"
    if draft.patient_id:
        with contextlib.suppress(TreatsError):
            pet = await treats.get_patient(draft.patient_id)
    else:  # not named yet: the one pet of the record, or the names to ask the owner about
        with contextlib.suppress(TreatsError):
            pets = await booking.pets(draft.client_id)
            if len(pets) == 1:
                pet, pet_name = pets[0], pets[0].name
            elif pets:
                pet_name = "? (" + ", ".join(p.name for p in pets) + ")"
    words = draft.owner_words or draft.reason or ""
    triage = assess(words, lexicon)
    signs = ", ".join(dict.fromkeys(f.label_fr for f in triage.flags)) or _(
        "signalée par le client"
    )
    return UrgentCase(
        owner_user_id=user_id,
        owner_name=client.full_name if client else "?",
        owner_phone=client.phone if client else None,
        pet=describe_pet(pet, pet_name, today, _),
        signs=signs,
        words=words,
    )


def urgent_message(case: UrgentCase, outbox_id: int, _: Translator) -> StaffMessage:
    """The alert: signs, pet, owner and phone, the owner's words; "Je prends", "Rappeler" and a
    link to the owner's chat."""
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
