"""Which appointment type an emergency is booked as.

An owner on the urgent path may have chosen any type ("Consultation", or nothing yet), but the
clinic plans its day around its emergency type: an urgent case booked as a routine visit would
be missed on the schedule. So the clinic's own emergency type is used whenever it has one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Protocol

from bot.text import fold

__all__ = [
    "URGENT_TYPE_WORDS",
    "NamedType",
    "UrgentType",
    "choose_urgent_type",
    "chosen_is_urgent",
    "is_urgent",
]

URGENT_TYPE_WORDS: Final = ("urgen", "emergenc")
"""Without a configured list, a type whose folded name holds one of these is an emergency:
"Urgence", "Urgences vétérinaires", "Emergency visit"."""


class NamedType(Protocol):
    """An appointment type as this module needs it (``bot.treats.AppointmentType`` is one)."""

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...


@dataclass(frozen=True, slots=True)
class UrgentType:
    """The type to book: its id (None: nothing chosen and the clinic has no emergency type) and
    its name (None: keep the name the draft already has)."""

    id: str | None
    name: str | None


def is_urgent(urgent_types: Sequence[str] | None, type_id: str, name: str) -> bool:
    """Whether booking this type starts the urgent path.

    ``urgent_types`` is the clinic's list (``ClinicConfig.urgent_types``): ids or names, names
    compared without case or accents. None: the default words (``URGENT_TYPE_WORDS``) decide,
    so a clinic need not configure anything for an "Urgence" type; an empty list: no type is.
    """
    if urgent_types is None:
        folded = fold(name)
        return any(word in folded for word in URGENT_TYPE_WORDS)
    return any(entry == type_id or fold(entry) == fold(name) for entry in urgent_types)


def chosen_is_urgent(
    urgent_types: Sequence[str] | None, chosen_id: str | None, chosen_name: str | None
) -> bool:
    """Whether the owner's choice is already an emergency type: then it is kept, and the
    clinic's types need not be read (a read that could fail for nothing)."""
    return chosen_id is not None and is_urgent(urgent_types, chosen_id, chosen_name or "")


def choose_urgent_type(
    urgent_types: Sequence[str] | None,
    chosen_id: str | None,
    chosen_name: str | None,
    types: Sequence[NamedType],
) -> UrgentType:
    """The type to book an emergency as: the owner's choice if it is already urgent, else the
    clinic's first urgent type among ``types`` (in the API's order), else the owner's choice
    (with none, the clinic has no emergency type and any type must do)."""
    if chosen_is_urgent(urgent_types, chosen_id, chosen_name):
        return UrgentType(chosen_id, None)
    for kind in types:
        if is_urgent(urgent_types, kind.id, kind.name):
            return UrgentType(kind.id, kind.name)
    return UrgentType(chosen_id, None)
