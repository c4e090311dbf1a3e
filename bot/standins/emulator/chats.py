"""Users, chats and stored messages, and how they look as Bot API objects."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.standins.emulator.markup import (
    INLINE_KEYBOARD,
    REMOVE_KEYBOARD,
    client_labels,
    inline_buttons,
)
from bot.standins.emulator.transcript import InlineButton, SeenDocument, SeenMessage, Transcript

PRIVATE = "private"
GROUP = "group"
SUPERGROUP = "supergroup"

MEMBER = "member"
ADMINISTRATOR = "administrator"
LEFT = "left"
KICKED = "kicked"
GONE = frozenset({LEFT, KICKED})
"""Statuses of a member no longer in the chat (for the bot in a private chat: blocked)."""

GROUP_ANONYMOUS_BOT_ID = 1087968824
"""The account Telegram names as the sender of a supergroup's first service message (the one
with ``migrate_from_chat_id``), with the supergroup itself as ``sender_chat``."""


@dataclass(frozen=True)
class TelegramUser:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def to_api(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        optional = {
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }
        user.update({key: value for key, value in optional.items() if value is not None})
        return user


@dataclass(frozen=True)
class Chat:
    id: int
    type: str
    title: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None

    @classmethod
    def private_with(cls, user: TelegramUser) -> Chat:
        return cls(user.id, PRIVATE, None, user.first_name, user.last_name, user.username)

    def to_api(self) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": self.id, "type": self.type}
        optional = {
            "title": self.title,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "username": self.username,
        }
        chat.update({key: value for key, value in optional.items() if value is not None})
        return chat


GROUP_ANONYMOUS_BOT = TelegramUser(
    GROUP_ANONYMOUS_BOT_ID, "Group", username="GroupAnonymousBot", is_bot=True
)

_ADMINISTRATOR_RIGHTS = {
    "can_be_edited": False,
    "is_anonymous": False,
    "can_manage_chat": True,
    "can_delete_messages": True,
    "can_manage_video_chats": True,
    "can_restrict_members": True,
    "can_promote_members": False,
    "can_change_info": True,
    "can_invite_users": True,
    "can_post_stories": False,
    "can_edit_stories": False,
    "can_delete_stories": False,
    "can_pin_messages": True,
}


def chat_member_api(user: TelegramUser, status: str) -> dict[str, Any]:
    """A ``ChatMember`` (https://core.telegram.org/bots/api#chatmember) with the fields its
    status requires: an administrator's rights, a banned member's ``until_date`` (0: "banned
    forever", https://core.telegram.org/bots/api#chatmemberbanned)."""
    member: dict[str, Any] = {"user": user.to_api(), "status": status}
    if status == ADMINISTRATOR:
        member.update(_ADMINISTRATOR_RIGHTS)
    elif status == KICKED:
        member["until_date"] = 0
    return member


@dataclass(frozen=True)
class StoredFile:
    """An uploaded file, kept whole for inspection and for re-sending by ``file_id``."""

    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None
    data: bytes

    def to_api(self) -> dict[str, Any]:
        document: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
        }
        if self.file_name is not None:
            document["file_name"] = self.file_name
        if self.mime_type is not None:
            document["mime_type"] = self.mime_type
        return document


@dataclass
class StoredMessage:
    """A message as Telegram keeps it; `to_api()` is the Bot API ``Message``."""

    message_id: int
    chat: Chat
    sender: TelegramUser
    date: int
    text: str | None = None
    entities: tuple[dict[str, Any], ...] = ()
    caption: str | None = None
    caption_entities: tuple[dict[str, Any], ...] = ()
    inline_markup: dict[str, Any] | None = None
    client_markup: dict[str, Any] | None = None
    document: StoredFile | None = None
    media: dict[str, Any] = field(default_factory=dict)
    reply_to: StoredMessage | None = None
    edit_date: int | None = None
    deleted: bool = False

    def to_api(self, *, with_reply: bool = True) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender.to_api(),
            "chat": self.chat.to_api(),
            "date": self.date,
        }
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if self.reply_to is not None and with_reply:
            message["reply_to_message"] = self.reply_to.to_api(with_reply=False)
        if self.text is not None:
            message["text"] = self.text
            if self.entities:
                message["entities"] = list(self.entities)
        if self.document is not None:
            message["document"] = self.document.to_api()
        message.update(self.media)
        if self.caption:
            message["caption"] = self.caption
            if self.caption_entities:
                message["caption_entities"] = list(self.caption_entities)
        if self.inline_markup:
            message["reply_markup"] = self.inline_markup
        return message

    def snapshot(self, kind: str) -> SeenMessage:
        buttons = tuple(
            InlineButton(
                b["text"], b.get("callback_data"), b.get("url"), b.get("web_app", {}).get("url")
            )
            for b in inline_buttons(self.inline_markup)
        )
        document = None
        if self.document is not None:
            file = self.document
            document = SeenDocument(file.file_name, file.mime_type, file.data)
        return SeenMessage(
            kind=kind,
            message_id=self.message_id,
            text=self.text if self.text is not None else self.caption or "",
            entities=self.entities or self.caption_entities,
            inline_buttons=buttons,
            reply_keyboard=tuple(client_labels(self.client_markup)),
            removes_keyboard=bool(self.client_markup and self.client_markup.get(REMOVE_KEYBOARD)),
            document=document,
            raw=self.to_api(),
        )

    @property
    def has_inline_keyboard(self) -> bool:
        return bool(self.inline_markup and self.inline_markup.get(INLINE_KEYBOARD))


class Conversation:
    """One chat as one bot sees it: its messages, members and transcript."""

    def __init__(self, chat: Chat, *, open_to_bot: bool) -> None:
        self.chat = chat
        self.messages: dict[int, StoredMessage] = {}
        self.members: dict[int, str] = {}
        self.open_to_bot = open_to_bot
        # The bot's own status here: "member" or "administrator"; "kicked" once removed from a
        # group or, in a private chat, once the person blocked it.
        self.bot_status = MEMBER
        # A basic group that became a supergroup: the supergroup's id (this chat is dead).
        self.migrated_to: int | None = None
        self.chat_actions: list[str] = []
        title = chat.title or " ".join(p for p in (chat.first_name, chat.last_name) if p)
        self.transcript = Transcript(f"{title} ({chat.type} chat {chat.id})")
        self._last_message_id = 0

    def next_message_id(self) -> int:
        self._last_message_id += 1
        return self._last_message_id

    @property
    def is_private(self) -> bool:
        return self.chat.type == PRIVATE

    @property
    def bot_is_out(self) -> bool:
        """The bot was removed from this group, or blocked by this person."""
        return self.bot_status in GONE

    def bot_messages(self, bot_id: int) -> list[StoredMessage]:
        """The bot's messages still on screen, newest first."""
        return [
            message
            for message in reversed(self.messages.values())
            if message.sender.id == bot_id and not message.deleted
        ]
