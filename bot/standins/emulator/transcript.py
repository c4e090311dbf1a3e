"""What a person saw in a chat, in order: the record a failing test prints and waits on.

Each chat has one `Transcript`. Every line is kept for printing; the bot's own doings (a new
message, an edit, a deletion) also carry a `SeenMessage` snapshot, which is what
``await person.next_reply()`` hands out, one at a time, in order.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

SENT = "sent"
EDITED = "edited"
DELETED = "deleted"

_CONTINUATION_INDENT = "    "


@dataclass(frozen=True)
class SeenDocument:
    """A file the bot sent, kept whole so a test can open it."""

    file_name: str | None
    mime_type: str | None
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True)
class InlineButton:
    text: str
    callback_data: str | None = None
    url: str | None = None
    web_app_url: str | None = None
    """A Mini App button's WebAppInfo ``url`` (open it with ``person.open_mini_app``)."""


@dataclass(frozen=True)
class SeenMessage:
    """A bot message as the person saw it at one moment (sent, edited or deleted)."""

    kind: str
    message_id: int
    text: str = ""
    entities: tuple[dict[str, Any], ...] = ()
    inline_buttons: tuple[InlineButton, ...] = ()
    reply_keyboard: tuple[str, ...] = ()
    removes_keyboard: bool = False
    document: SeenDocument | None = None
    raw: dict[str, Any] = field(default_factory=dict)

    @property
    def buttons(self) -> list[str]:
        """Labels the person can press: the inline keyboard, else the reply keyboard."""
        if self.inline_buttons:
            return [button.text for button in self.inline_buttons]
        return list(self.reply_keyboard)

    def render(self) -> str:
        if self.kind == DELETED:
            return f"x deleted #{self.message_id}"
        body = self.text
        if self.document is not None:
            document = self.document
            body = (
                f"document: {document.file_name} ({document.mime_type}, {document.size} bytes)"
                + (f" — {self.text}" if self.text else "")
            )
        keys = "".join(f" [{button.text}]" for button in self.inline_buttons)
        keys += "".join(f" ({label})" for label in self.reply_keyboard)
        if self.removes_keyboard:
            keys += " (keyboard removed)"
        if self.kind == EDITED:
            return f"~ edited #{self.message_id}: {body}{keys}"
        marker = "#" if self.document is not None else "<"
        prefix = "" if self.document is not None else "bot: "
        return f"{marker} {prefix}{body}{keys}"


@dataclass(frozen=True)
class TranscriptEntry:
    line: str
    seen: SeenMessage | None = None


class Transcript:
    """The ordered record of one chat, with a condition to wait for the bot's next doing."""

    def __init__(self, title: str) -> None:
        self.title = title
        self.entries: list[TranscriptEntry] = []
        self._changed = asyncio.Condition()

    async def add(self, line: str, seen: SeenMessage | None = None) -> None:
        async with self._changed:
            self.entries.append(TranscriptEntry(line, seen))
            self._changed.notify_all()

    def _first_seen(self, cursor: int) -> int | None:
        for index in range(cursor, len(self.entries)):
            if self.entries[index].seen is not None:
                return index
        return None

    async def next_seen(self, cursor: int, within: float) -> tuple[int, SeenMessage] | None:
        """The first bot doing at or after `cursor` and its index; None after `within` s."""
        async with self._changed:
            try:
                await asyncio.wait_for(
                    self._changed.wait_for(lambda: self._first_seen(cursor) is not None), within
                )
            except TimeoutError:
                return None
            index = self._first_seen(cursor)
            assert index is not None
            seen = self.entries[index].seen
            assert seen is not None
            return index, seen

    def render(self) -> str:
        lines = [f"--- {self.title} ---"]
        for entry in self.entries:
            first, *rest = entry.line.splitlines() or [""]
            lines.append(first)
            lines.extend(_CONTINUATION_INDENT + line for line in rest)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.render()
