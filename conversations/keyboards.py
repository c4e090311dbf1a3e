"""Keyboards the owner sees. Labels are translated; payloads come from callbacks.py."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    WebAppInfo,
)

from bot.booking import OfferedSlot
from bot.config import VetConfig
from bot.i18n import Translator
from bot.treats import AppointmentType, Patient
from conversations import callbacks as cb


def _button(label: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(label, callback_data=data)


def _rows(buttons: Sequence[InlineKeyboardButton], width: int) -> list[list[InlineKeyboardButton]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def back_row(_: Translator) -> list[InlineKeyboardButton]:
    return [_button(_("↩️ Retour"), cb.BACK), _button(_("✖️ Annuler"), cb.ABORT)]


def share_contact(_: Translator) -> ReplyKeyboardMarkup:
    return ReplyKeyboardMarkup(
        [[KeyboardButton(_("📱 Partager mon numéro"), request_contact=True)]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def menu(_: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(_("📅 Prendre rendez-vous"), cb.MENU_BOOK)],
            [_button(_("🗓 Mes rendez-vous"), cb.MENU_APPOINTMENTS)],
            [_button(_("ℹ️ La clinique"), cb.MENU_INFO)],
        ]
    )


def back_to_menu(_: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[_button(_("🏠 Menu"), cb.MENU)]])


def pets(_: Translator, choices: Sequence[Patient]) -> InlineKeyboardMarkup:
    buttons = [
        _button(
            f"{pet.name} ({_.species(pet.species)})" if pet.species else pet.name,
            cb.pack(cb.PET, pet.id),
        )
        for pet in choices
    ]
    buttons.append(_button(_("➕ Un autre animal"), cb.ADD_PET))
    return InlineKeyboardMarkup([*_rows(buttons, 2), back_row(_)])


def types(
    _: Translator, choices: Sequence[AppointmentType], *, other_pet: bool = False
) -> InlineKeyboardMarkup:
    """``other_pet``: the pet was chosen for the owner (their only one), so offer another."""
    buttons = [
        _button(
            _("{name} ({minutes} min)", name=t.name, minutes=t.duration_minutes),
            cb.pack(cb.TYPE, t.id),
        )
        for t in choices
    ]
    if other_pet:
        buttons.append(_button(_("➕ Un autre animal"), cb.ADD_PET))
    return InlineKeyboardMarkup([*_rows(buttons, 1), back_row(_)])


def vets(_: Translator, choices: Sequence[VetConfig]) -> InlineKeyboardMarkup:
    buttons = [_button(vet.name, cb.pack(cb.VET, vet.id)) for vet in choices]
    buttons.append(_button(_("Peu importe"), cb.VET_ANY))
    return InlineKeyboardMarkup([*_rows(buttons, 2), back_row(_)])


def week_view_row(_: Translator, page_url: str | None) -> list[list[InlineKeyboardButton]]:
    """ "🗓 Voir la semaine", opening the week view (a Mini App), when the bot serves one."""
    if page_url is None:
        return []
    return [[InlineKeyboardButton(_("🗓 Voir la semaine"), web_app=WebAppInfo(page_url))]]


def when(_: Translator, page_url: str | None = None) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(_("⚡ Au plus tôt"), cb.WHEN_ASAP)],
            [
                _button(_("Demain"), cb.WHEN_TOMORROW),
                _button(_("Cette semaine"), cb.WHEN_THIS_WEEK),
            ],
            *week_view_row(_, page_url),
            back_row(_),
        ]
    )


def when_choices(_: Translator, labels: Sequence[str]) -> InlineKeyboardMarkup:
    """The readings of an unsure time, one per row, then "another date" and back."""
    rows = [[_button(label, cb.pack(cb.WHEN_PICK, i))] for i, label in enumerate(labels)]
    rows.append([_button(_("✏️ Une autre date"), cb.WHEN_OTHER)])
    return InlineKeyboardMarkup([*rows, back_row(_)])


def slots(
    _: Translator,
    offer: Sequence[OfferedSlot],
    generation: int,
    vet_names: dict[str, str] | None,
    *,
    earlier: bool,
    page_url: str | None = None,
) -> InlineKeyboardMarkup:
    """Slot buttons ("10:00 · Dr Martin" when any vet will do), then paging, the week view
    when there is one, then back."""
    buttons = []
    for index, slot in enumerate(offer):
        label = _.time(slot.start)
        if vet_names is not None:
            label += f" · {vet_names.get(slot.vet_id, '')}"
        buttons.append(_button(label, cb.pack(cb.SLOT, generation, index)))
    paging = []
    if earlier:
        paging.append(_button(_("◀️ Plus tôt"), cb.pack(cb.SLOT, generation, cb.EARLIER)))
    paging.append(_button(_("Plus tard ▶️"), cb.pack(cb.SLOT, generation, cb.LATER)))
    return InlineKeyboardMarkup(
        [
            *_rows(buttons, 2 if vet_names else 3),
            paging,
            *week_view_row(_, page_url),
            back_row(_),
        ]
    )


def summary(_: Translator, booking_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [_button(_("✅ Confirmer"), cb.pack(cb.CONFIRM, booking_id))],
            [
                _button(_("🔁 Changer d'horaire"), cb.CHANGE_SLOT),
                _button(_("✖️ Annuler"), cb.ABORT),
            ],
        ]
    )


def retry(_: Translator) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[_button(_("🔄 Réessayer"), cb.RETRY)], [_button(_("✖️ Annuler"), cb.ABORT)]]
    )


def languages() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                _button("🇫🇷 Français", cb.pack(cb.LANGUAGE, "fr")),
                _button("🇬🇧 English", cb.pack(cb.LANGUAGE, "en")),
            ]
        ]
    )
