"""One bot account: its identity, chats, updates, webhook, commands and files."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from bot.clock import Clock
from bot.standins.emulator import refusals as errors
from bot.standins.emulator.callback_queries import CallbackAnswer, PendingCallbackQuery
from bot.standins.emulator.chats import (
    GROUP_ANONYMOUS_BOT,
    KICKED,
    Chat,
    Conversation,
    StoredFile,
    StoredMessage,
    TelegramUser,
    chat_member_api,
)
from bot.standins.emulator.flood import FloodControl
from bot.standins.emulator.mini_apps import MiniAppLaunch, Theme, WebAppQuery, launch, new_query_id
from bot.standins.emulator.params import UploadedFile
from bot.standins.emulator.transcript import DELETED, EDITED, SENT
from bot.standins.emulator.updates import UpdateQueue
from bot.standins.emulator.webhook import WebhookDelivery

DEFAULT_COMMAND_SCOPE: dict[str, Any] = {"type": "default"}
_FIRST_CALLBACK_QUERY_ID = 4_000_000_001
_CHAT_INSTANCE_BASE = 8_000_000_000_000


@dataclass(frozen=True)
class ApiCall:
    """One Bot API call as the emulator received it (files reduced to name and size)."""

    method: str
    params: dict[str, Any]


@dataclass(frozen=True)
class RefusedCall:
    """A Bot API call the emulator refused, and the error it answered (``ok: false``).

    On Telegram each one is an error the bot receives, in production mostly an error line in
    its log (a 429 is waited out and retried by the rate limiter; flood control also counts it
    in `FloodControl.refusals`). A test asserts there were none with
    ``assert not world.bot.refused, world.bot.refused``.
    """

    method: str
    params: dict[str, Any]
    error_code: int
    description: str
    parameters: dict[str, int] | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.params}: {self.error_code} {self.description}"


_Call = TypeVar("_Call", ApiCall, RefusedCall)


class BotAccount:
    """A bot registered in a `TelegramWorld`, known by its token."""

    def __init__(
        self,
        token: str,
        user: TelegramUser,
        clock: Clock,
        http: Callable[[], httpx.AsyncClient],
    ) -> None:
        self.token = token
        self.user = user
        self.clock = clock
        self.updates = UpdateQueue()
        self.webhook = WebhookDelivery(self.updates, clock, http)
        self.flood = FloodControl()
        self.conversations: dict[int, Conversation] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.files: dict[str, StoredFile] = {}
        self.calls: list[ApiCall] = []
        # Every call refused, whatever the reason: a bad parameter, an unknown method or chat,
        # a tap answered twice or too late, flood control, an injected fault.
        self.refused: list[RefusedCall] = []
        # Calls whose client closed the connection before the answer (a long poll the bot
        # cancelled): never answered, so the updates a poll would have returned stay pending.
        self.abandoned: list[ApiCall] = []
        self._call_made = asyncio.Condition()
        self.callback_queries: dict[str, PendingCallbackQuery] = {}
        # Mini App sessions people opened, by query_id, for answerWebAppQuery.
        self.web_app_queries: dict[str, WebAppQuery] = {}
        self._web_app_numbers = itertools.count(1)
        self._inline_message_numbers = itertools.count(1)
        self.known_users: dict[int, TelegramUser] = {}
        self._query_ids = itertools.count(_FIRST_CALLBACK_QUERY_ID)
        self._file_ids = itertools.count(1)

    async def record_call(self, call: ApiCall) -> None:
        """Remember a Bot API call and wake whoever waits for one."""
        async with self._call_made:
            self.calls.append(call)
            self._call_made.notify_all()

    async def wait_for_call(self, method: str, *, since: int = 0) -> ApiCall:
        """The first call of `method` at index `since` or later; waits for it (an event)."""
        return await self._wait_in(self.calls, method, since)

    async def record_refusal(self, call: ApiCall, error: errors.BotApiError) -> None:
        """Remember a refused call with the error it was answered."""
        parameters = error.parameters.to_api() if error.parameters else None
        refused = RefusedCall(
            call.method, call.params, error.error_code, error.description, parameters or None
        )
        async with self._call_made:
            self.refused.append(refused)
            self._call_made.notify_all()

    async def record_abandoned(self, call: ApiCall) -> None:
        """Remember a call whose client went away before it was answered."""
        async with self._call_made:
            self.abandoned.append(call)
            self._call_made.notify_all()

    async def wait_for_abandoned(self, method: str, *, since: int = 0) -> ApiCall:
        """The first call of `method` abandoned by its client at index `since` of `abandoned`
        or later; waits for it (an event)."""
        return await self._wait_in(self.abandoned, method, since)

    async def wait_for_refusal(self, method: str, *, since: int = 0) -> RefusedCall:
        """The first refused call of `method` at index `since` of `refused` or later; waits
        for it (an event): what the bot tried while Telegram shut it out."""
        return await self._wait_in(self.refused, method, since)

    async def _wait_in(self, calls: list[_Call], method: str, since: int) -> _Call:
        async with self._call_made:
            while True:
                for call in calls[since:]:
                    if call.method == method:
                        return call
                since = len(calls)
                await self._call_made.wait()

    @property
    def id(self) -> int:
        return self.user.id

    def now(self) -> int:
        return int(self.clock().timestamp())

    # -- chats -------------------------------------------------------------------------------

    def open_conversation(self, chat: Chat, *, open_to_bot: bool) -> Conversation:
        conversation = self.conversations.get(chat.id)
        if conversation is None:
            conversation = Conversation(chat, open_to_bot=open_to_bot)
            self.conversations[chat.id] = conversation
        return conversation

    def _addressable(self, chat_id: int | None) -> Conversation:
        """The chat `chat_id` names, unless Telegram refuses every call about it.

        The Bot API checks the chat before anything else about it (``check_chat_access`` in
        tdlib/telegram-bot-api): an unknown chat is "chat not found"; a basic group that became
        a supergroup is refused with ``migrate_to_chat_id``
        (https://core.telegram.org/bots/api#responseparameters); a group the bot was removed
        from is 403 "bot was kicked from the group chat" (or "supergroup chat").
        """
        if chat_id is None:
            raise errors.bad_request(errors.CHAT_ID_EMPTY)
        conversation = self.conversations.get(chat_id)
        if conversation is None:
            raise errors.bad_request(errors.CHAT_NOT_FOUND)
        if conversation.migrated_to is not None:
            raise errors.group_upgraded(conversation.migrated_to)
        if not conversation.is_private and conversation.bot_is_out:
            kicked = conversation.bot_status == KICKED
            text = errors.BOT_KICKED if kicked else errors.BOT_NOT_A_MEMBER
            raise errors.forbidden(text.format(conversation.chat.type))
        return conversation

    def known_conversation(self, chat_id: int | None) -> Conversation:
        """A chat the bot can see (a group it is in, or a person who wrote to it)."""
        conversation = self._addressable(chat_id)
        if not conversation.open_to_bot:
            raise errors.bad_request(errors.CHAT_NOT_FOUND)
        return conversation

    def writable_conversation(self, chat_id: int | None) -> Conversation:
        """A chat the bot may post in: Telegram lets a bot answer, never start, a private chat,
        and never post to a person who blocked it."""
        conversation = self._addressable(chat_id)
        self.ensure_not_blocked(conversation)
        if not conversation.open_to_bot:
            raise errors.forbidden(errors.CANT_INITIATE_CONVERSATION)
        return conversation

    def ensure_not_blocked(self, conversation: Conversation) -> None:
        """403 "bot was blocked by the user" for anything the bot does in a private chat whose
        person blocked it (Telegram's ``USER_IS_BLOCKED``): posting, editing, deleting."""
        if conversation.is_private and conversation.bot_is_out:
            raise errors.forbidden(errors.BOT_BLOCKED)

    def successor(self, conversation: Conversation) -> Conversation:
        """The chat people now use for `conversation`: the supergroup a group became."""
        while conversation.migrated_to is not None:
            conversation = self.conversations[conversation.migrated_to]
        return conversation

    # -- what people do ------------------------------------------------------------------------

    async def receive(
        self, conversation: Conversation, sender: TelegramUser, line: str, **content: Any
    ) -> StoredMessage:
        """A person posts in `conversation`: store it, log it, queue the ``message`` update."""
        conversation.open_to_bot = True
        message = StoredMessage(
            conversation.next_message_id(), conversation.chat, sender, self.now(), **content
        )
        conversation.messages[message.message_id] = message
        await conversation.transcript.add(line)
        await self.updates.push("message", message.to_api())
        return message

    async def press(
        self,
        conversation: Conversation,
        presser: TelegramUser,
        message: StoredMessage,
        data: str,
        line: str,
    ) -> PendingCallbackQuery:
        """A person taps an inline button: queue the ``callback_query`` update."""
        query = PendingCallbackQuery(
            id=str(next(self._query_ids)),
            chat_id=conversation.chat.id,
            message_id=message.message_id,
            data=data,
            asked_at=self.clock(),
        )
        self.callback_queries[query.id] = query
        await conversation.transcript.add(line)
        await self.updates.push(
            "callback_query",
            {
                "id": query.id,
                "from": presser.to_api(),
                "message": message.to_api(),
                "chat_instance": self.chat_instance(conversation),
                "data": data,
            },
        )
        return query

    def chat_instance(self, conversation: Conversation) -> str:
        """The opaque id of this bot's view of a chat, the same for every tap and launch there
        (https://core.telegram.org/bots/api#callbackquery: chat_instance, "Global identifier,
        uniquely corresponding to the chat to which the message with the callback button was
        sent")."""
        return str(_CHAT_INSTANCE_BASE + abs(conversation.chat.id))

    async def open_mini_app(
        self, conversation: Conversation, user: TelegramUser, url: str, line: str, theme: Theme
    ) -> MiniAppLaunch:
        """A person opens a Mini App from an inline button: issue its ``query_id`` (answerable
        once, `web_app_queries`), sign its initData with this bot's token, log it. No update is
        queued: Telegram tells the bot nothing when a page is opened."""
        query = WebAppQuery(
            new_query_id(self.id, next(self._web_app_numbers)), conversation.chat.id, user
        )
        self.web_app_queries[query.id] = query
        opened = launch(
            token=self.token,
            url=url,
            user=user,
            query_id=query.id,
            auth_date=self.now(),
            chat_instance=self.chat_instance(conversation),
            theme=theme,
        )
        await conversation.transcript.add(line)
        return opened

    def new_inline_message_id(self) -> str:
        """An opaque ``inline_message_id`` for a message sent on a person's behalf."""
        return f"emulated-inline-{self.id}-{next(self._inline_message_numbers)}"

    async def change_status(
        self, conversation: Conversation, actor: TelegramUser, status: str, line: str
    ) -> None:
        """The bot's own status in `conversation` changes (a person blocks or unblocks it, an
        administrator removes or adds it): log it, queue the ``my_chat_member`` update.

        https://core.telegram.org/bots/api#update: my_chat_member, "The bot's chat member status
        was updated in a chat. For private chats, this update is received only when the bot is
        blocked or unblocked by the user." Its ChatMemberUpdated carries the chat, the user who
        acted (``from``), the date, and the bot's old and new ChatMember.
        """
        old_status, conversation.bot_status = conversation.bot_status, status
        await conversation.transcript.add(line)
        await self.updates.push(
            "my_chat_member",
            {
                "chat": conversation.chat.to_api(),
                "from": actor.to_api(),
                "date": self.now(),
                "old_chat_member": chat_member_api(self.user, old_status),
                "new_chat_member": chat_member_api(self.user, status),
            },
        )

    async def migrate(
        self, group: Conversation, supergroup: Chat, actor: TelegramUser
    ) -> Conversation:
        """A basic group becomes `supergroup`, as Telegram does it: the members (and the bot,
        with its status) move over, the old chat gets a service message with
        ``migrate_to_chat_id`` from `actor`, the new one starts with a message carrying
        ``migrate_from_chat_id`` (sent, as Telegram does, by GroupAnonymousBot on behalf of the
        supergroup), and the old id is dead from then on. Old messages stay in the old chat.

        https://core.telegram.org/bots/api#message: migrate_to_chat_id, "The group has been
        migrated to a supergroup with the specified identifier"; migrate_from_chat_id, "The
        supergroup has been migrated from a group with the specified identifier".
        """
        moved = self.open_conversation(supergroup, open_to_bot=True)
        moved.members = dict(group.members)
        moved.bot_status = group.bot_status
        await self.receive(
            group,
            actor,
            f"- {actor.first_name} upgraded the group to a supergroup ({supergroup.id})",
            media={"migrate_to_chat_id": supergroup.id},
        )
        group.migrated_to = supergroup.id
        await self.receive(
            moved,
            GROUP_ANONYMOUS_BOT,
            f"- upgraded from the group {group.chat.id}, whose messages stay there",
            media={"sender_chat": supergroup.to_api(), "migrate_from_chat_id": group.chat.id},
        )
        return moved

    # -- what the bot does ---------------------------------------------------------------------

    async def post(self, conversation: Conversation, **content: Any) -> StoredMessage:
        message = StoredMessage(
            conversation.next_message_id(), conversation.chat, self.user, self.now(), **content
        )
        conversation.messages[message.message_id] = message
        seen = message.snapshot(SENT)
        await conversation.transcript.add(seen.render(), seen)
        return message

    async def edited(self, conversation: Conversation, message: StoredMessage) -> None:
        message.edit_date = self.now()
        seen = message.snapshot(EDITED)
        await conversation.transcript.add(seen.render(), seen)

    async def deleted(self, conversation: Conversation, message: StoredMessage) -> None:
        message.deleted = True
        seen = message.snapshot(DELETED)
        await conversation.transcript.add(seen.render(), seen)

    async def answer(self, query: PendingCallbackQuery, answer: CallbackAnswer) -> None:
        query.answer = answer
        query.answered.set()
        conversation = self.conversations[query.chat_id]
        shown = "alert" if answer.show_alert else "toast"
        if answer.text:
            await conversation.transcript.add(f"! {shown}: {answer.text}")

    def store_file(self, upload: UploadedFile) -> StoredFile:
        number = next(self._file_ids)
        stored = StoredFile(
            file_id=f"BQACAgEAAx-emulated-{self.id}-{number:06d}",
            file_unique_id=f"AgAD-{number:06d}",
            file_name=upload.filename,
            mime_type=upload.content_type,
            data=upload.data,
        )
        self.files[stored.file_id] = stored
        return stored

    def commands_key(self, scope: object, language_code: str | None) -> tuple[str, str]:
        scope_object = scope if isinstance(scope, dict) and scope else DEFAULT_COMMAND_SCOPE
        return json.dumps(scope_object, sort_keys=True), language_code or ""
