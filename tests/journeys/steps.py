"""The steps a journey is made of, typed; where each was written; what a quote must match.

`script.py` builds them from the Markdown files, `runner.py` plays them. Times are UTC here:
the scripts' Paris times are converted when parsed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

OWNERS = ("Marie", "Thomas", "Alice")
"""Marie: one pet (Mimi). Thomas: three (Rex, Caramel, Noisette). Alice: Marie's record, with
Telegram in English."""
STAFF = "L'équipe"


# -- sources and errors ------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """Where a step was written: the reviewer's way back to the sentence."""

    path: Path
    line: int
    text: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


class ScriptError(Exception):
    """A line the runner cannot read, or cannot mean (e.g. a wrong weekday)."""

    def __init__(self, source: Source, reason: str) -> None:
        super().__init__(f"{source.where}: {source.text.strip()}\n  → {reason}")
        self.source = source
        self.reason = reason


# -- quoted fragments ------------------------------------------------------------------------------


def normalized(text: str) -> str:
    """How fragments are compared: any case, typographic apostrophes and non-breaking spaces as
    plain ones; accents count."""
    return text.replace("\u2019", "'").replace("\u00a0", " ").replace("\u202f", " ").casefold()


@dataclass(frozen=True)
class Fragments:
    """Substrings a text must contain (`present`) and must not (`absent`)."""

    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()

    def problems(self, text: str) -> list[str]:
        """What is wrong with `text`, in words; [] when it is as expected."""
        seen = normalized(text)
        missing = [f"il manque « {f} »" for f in self.present if normalized(f) not in seen]
        extra = [f"« {f} » ne devrait pas y être" for f in self.absent if normalized(f) in seen]
        return missing + extra

    def __str__(self) -> str:
        parts = [f"« {f} »" for f in self.present] + [f"« ! {f} »" for f in self.absent]
        return ", ".join(parts)


# -- steps -----------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Step:
    source: Source


@dataclass(frozen=True, kw_only=True)
class SetClock(Step):
    at: datetime
    """UTC."""


@dataclass(frozen=True, kw_only=True)
class Identify(Step):
    who: str


@dataclass(frozen=True, kw_only=True)
class Write(Step):
    who: str
    text: str


@dataclass(frozen=True, kw_only=True)
class Command(Step):
    who: str
    name: str
    payload: str | None


@dataclass(frozen=True, kw_only=True)
class Sticker(Step):
    who: str
    emoji: str | None


@dataclass(frozen=True, kw_only=True)
class Tap(Step):
    who: str
    label: str


@dataclass(frozen=True, kw_only=True)
class TapFirstSlot(Step):
    """The first slot button of the message just read, whatever its exact label."""

    who: str


@dataclass(frozen=True, kw_only=True)
class TapOld(Step):
    """A button tapped again from an older panel (a double tap, a scrolled-up keyboard)."""

    who: str
    label: str


@dataclass(frozen=True, kw_only=True)
class TapData(Step):
    """Raw callback data, as a forged or outdated client could send."""

    who: str
    data: str


@dataclass(frozen=True, kw_only=True)
class ReadAll(Step):
    """Let the bot finish, and take whatever it said as read (no check)."""

    who: str


@dataclass(frozen=True, kw_only=True)
class BotSays(Step):
    """The bot's next message to `who` contains (and lacks) the fragments."""

    who: str
    fragments: Fragments


@dataclass(frozen=True, kw_only=True)
class LastMessageLacks(Step):
    """The message just read lacks the fragments."""

    who: str
    fragments: Fragments


@dataclass(frozen=True, kw_only=True)
class BotSendsCalendar(Step):
    who: str


@dataclass(frozen=True, kw_only=True)
class BotSilent(Step):
    """Once the bot has handled everything, it has nothing more for `who`."""

    who: str


@dataclass(frozen=True, kw_only=True)
class Notification(Step):
    """The short notice shown when `who` last tapped (the callback answer)."""

    who: str
    fragments: Fragments


@dataclass(frozen=True, kw_only=True)
class Buttons(Step):
    """Among the buttons of the message just read: each present fragment in some label, each
    absent one in none."""

    who: str
    fragments: Fragments


@dataclass(frozen=True, kw_only=True)
class FirstSlotIs(Step):
    who: str
    label: str


@dataclass(frozen=True, kw_only=True)
class FirstSlotFrom(Step):
    who: str
    at: time


@dataclass(frozen=True, kw_only=True)
class SlotsNameVet(Step):
    who: str


@dataclass(frozen=True, kw_only=True)
class Received(Step):
    """How many messages in a chat (an owner's, or the staff's when `who` is STAFF) contain
    the fragments, once the bot has handled everything."""

    who: str
    count: int
    fragments: Fragments


@dataclass(frozen=True, kw_only=True)
class StaffReceives(Step):
    """The next staff-chat message (new or edited) containing the first fragment; the others
    must hold for it too."""

    fragments: Fragments


@dataclass(frozen=True, kw_only=True)
class StaffSilent(Step):
    pass


@dataclass(frozen=True, kw_only=True)
class StaffTap(Step):
    label: str


@dataclass(frozen=True, kw_only=True)
class StaffCommand(Step):
    name: str
    payload: str | None


@dataclass(frozen=True, kw_only=True)
class TreatsCount(Step):
    """Appointments created in Treats during the journey for an owner's record."""

    who: str
    count: int


@dataclass(frozen=True, kw_only=True)
class TreatsHas(Step):
    pet: str
    at: datetime
    """UTC: the exact start, or (with `whole_day`) the day's midnight in Paris."""
    whole_day: bool = False
    vet: str | None = None
    urgent: bool | None = None


@dataclass(frozen=True, kw_only=True)
class ReasonCheck(Step):
    """The reason of the appointment the last TreatsHas found."""

    fragments: Fragments


@dataclass(frozen=True, kw_only=True)
class DifferentVets(Step):
    who: str


@dataclass(frozen=True, kw_only=True)
class TreatsFails(Step):
    """The next `count` Treats requests answer 500 (only the next booking's, with `booking`)."""

    count: int
    booking: bool = False


@dataclass(frozen=True, kw_only=True)
class SlotTakenMeanwhile(Step):
    pass


@dataclass(frozen=True, kw_only=True)
class Restart(Step):
    pass


# -- journeys --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Journey:
    path: Path
    title: str
    line: int
    steps: tuple[Step, ...] = ()
    error: ScriptError | None = None
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def id(self) -> str:
        return f"{self.path.stem}-{slug(self.title)}"

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


def slug(title: str) -> str:
    folded = unicodedata.normalize("NFKD", title.replace("\u2019", "'"))
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")[:70].rstrip("-")
