"""One owner's conversation state between updates: PTB's ``user_data``, typed.

PTB keeps one `Session` per Telegram user (``ContextTypes(user_data=Session)``) and
`bot.runtime.persistence.StorePersistence` stores it pickled, so a booking half-way survives a
restart. Handlers read and write its attributes through ``context.session``; no field is
reached through a string key.

Versions before this one stored a plain dict with string keys. `restore_session` turns such a
row into a `Session` when the store is loaded, so an owner mid-booking at the upgrade goes on
where they were; it is the only place that knows the old keys.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from bot.booking import Draft
from bot.pickled import restore_fields

logger = logging.getLogger("vetbot.session")

OfferedPets = dict[str, tuple[str, str | None]]
"""The pets shown as buttons, by Treats id: (name, species), so a tap needs no API call."""


class SharedContact(NamedTuple):
    """The phone number an unknown owner shared, kept for a registration request."""

    name: str
    phone: str


@dataclass(slots=True)
class Session:
    """What the bot remembers of one owner's conversation (see the module docstring)."""

    draft: Draft | None = None
    """The booking being built; None outside a booking."""
    step: str | None = None
    """The conversation state last entered (`conversations.states`), so a fallback can show
    that step again."""
    offered_pets: OfferedPets = field(default_factory=dict)
    outage_tries: int = 0
    """How many tries in a row met a Treats API that did not answer: each retry must show a
    change, or the owner who taps "Réessayer" sees nothing happen."""
    panel_message_id: int | None = None
    """The message whose buttons the next step strips (see `conversations.common.show`)."""
    panel_content: str | None = None
    """A digest of what the panel shows: an edit to the same content is refused by Telegram."""
    new_panel: bool = False
    """Show the next step on a new message even after a tap (read once)."""
    language: str | None = None
    """The owner's /langue choice; None: Telegram's language, else the clinic's."""
    shared_contact: SharedContact | None = None

    def __setstate__(self, state: object) -> None:
        """Unpickle a session saved before a field was added (see `restore_fields`)."""
        restore_fields(self, state)

    def end_booking(self) -> None:
        """Forget the booking in progress (the draft and where it stood)."""
        self.draft = None
        self.step = None
        self.outage_tries = 0


# The string keys of the dict stored by earlier versions (read by `restore_session` only).
_OLD_DRAFT: Final = "draft"
_OLD_STEP: Final = "state"
_OLD_PETS: Final = "pets_offered"
_OLD_OUTAGE_TRIES: Final = "confirm_unanswered"
_OLD_PANEL: Final = "panel_message_id"
_OLD_PANEL_CONTENT: Final = "panel_content"
_OLD_NEW_PANEL: Final = "new_panel"
_OLD_LANGUAGE: Final = "language"
_OLD_CONTACT: Final = "shared_contact"
_OLD_KEYS: Final = frozenset(
    {
        _OLD_DRAFT,
        _OLD_STEP,
        _OLD_PETS,
        _OLD_OUTAGE_TRIES,
        _OLD_PANEL,
        _OLD_PANEL_CONTENT,
        _OLD_NEW_PANEL,
        _OLD_LANGUAGE,
        _OLD_CONTACT,
    }
)


def restore_session(stored: object) -> Session:
    """The `Session` for what the store held for one user: a `Session` as is, the dict of an
    earlier version folded field by field; anything else starts afresh (logged), since a
    conversation that cannot be read is better restarted than crashing every update."""
    if isinstance(stored, Session):
        return stored
    if not isinstance(stored, Mapping):
        logger.warning("unreadable stored session (%s): starting afresh", type(stored).__name__)
        return Session()
    unknown = set(stored) - _OLD_KEYS
    if unknown:
        logger.warning("stored session keys ignored: %s", ", ".join(sorted(map(str, unknown))))
    draft = stored.get(_OLD_DRAFT)
    contact = stored.get(_OLD_CONTACT)
    return Session(
        draft=draft if isinstance(draft, Draft) else None,
        step=stored.get(_OLD_STEP),
        offered_pets=dict(stored.get(_OLD_PETS) or {}),
        outage_tries=int(stored.get(_OLD_OUTAGE_TRIES) or 0),
        panel_message_id=stored.get(_OLD_PANEL),
        panel_content=stored.get(_OLD_PANEL_CONTENT),
        new_panel=bool(stored.get(_OLD_NEW_PANEL, False)),
        language=stored.get(_OLD_LANGUAGE),
        shared_contact=(
            SharedContact(contact["name"], contact["phone"])
            if isinstance(contact, Mapping)
            else None
        ),
    )
