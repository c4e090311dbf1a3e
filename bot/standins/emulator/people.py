"""People who talk to the bot: they write, tap buttons, share contacts, and wait for replies.

A test reads like a conversation::

    alice = world.person("Alice", phone_number="+33612345678")
    await alice.command("start")
    reply = await alice.next_reply()
    answer = await alice.tap("confirmer")
    page = await alice.open_mini_app("voir la semaine")  # a Mini App: URL and signed initData

Nothing here sleeps: waiting is on the chat's transcript condition, with a timeout that fails
the test with the transcript of what the person saw.

Long texts: a Telegram client never sends one message over 4096 characters, so `send` refuses
them (ValueError); `send_long` sends such a text as a client does, in 4096-character parts.

What people do to the bot itself: a person blocks it (`Person.block`) and writes again later
(the app's "Restart" unblocks first); an administrator removes it from a group and adds it back
(`Group.remove_bot`, `Group.add_bot`); a basic group becomes a supergroup
(`Group.upgrade_to_supergroup`). Each is what Telegram tells the bot and what it refuses after.
"""

from __future__ import annotations

import asyncio
import re
import unicodedata
from typing import Any, Protocol

from bot.standins.emulator.bots import BotAccount
from bot.standins.emulator.callback_queries import CallbackAnswer, PendingCallbackQuery
from bot.standins.emulator.chats import (
    KICKED,
    MEMBER,
    Chat,
    Conversation,
    StoredMessage,
    TelegramUser,
)
from bot.standins.emulator.formatting import utf16_length
from bot.standins.emulator.markup import inline_buttons
from bot.standins.emulator.mini_apps import MiniAppLaunch, Theme
from bot.standins.emulator.transcript import SENT, SeenDocument, SeenMessage, Transcript


class GroupChat(Protocol):
    """What `Person.in_group` needs of a group (`groups.Group` is one): people are written
    below groups, which are made of them."""

    @property
    def title(self) -> str: ...

    @property
    def member_ids(self) -> frozenset[int]: ...

    @property
    def conversation(self) -> Conversation: ...


DEFAULT_TIMEOUT_SECONDS = 5.0
MAX_MESSAGE_LENGTH = 4096
_BOT_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?")
_DEFAULT_STICKER_EMOJI = "👍"
_STICKER_SIZE = 512
_PHOTO_SIZES = ((90, 67), (320, 240), (1280, 960))
_VOICE_MIME_TYPE = "audio/ogg"


def fold(text: str) -> str:
    """Case- and accent-insensitive form of a label, for matching what a person means."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char)).casefold()


def command_entities(text: str) -> tuple[dict[str, Any], ...]:
    """The ``bot_command`` entities Telegram marks in a person's text."""
    return tuple(
        {
            "type": "bot_command",
            "offset": utf16_length(text[: match.start()]),
            "length": utf16_length(match.group()),
        }
        for match in _BOT_COMMAND.finditer(text)
    )


class ChatView:
    """What can be seen in one chat, and a cursor over the bot's doings there."""

    def __init__(self, bot: BotAccount, conversation: Conversation) -> None:
        self._bot = bot
        self._conversation = conversation
        self._cursor = 0

    @property
    def chat(self) -> Chat:
        return self._conversation.chat

    @property
    def transcript(self) -> Transcript:
        return self._conversation.transcript

    async def next_reply(self, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> SeenMessage:  # noqa: ASYNC109
        """The bot's next unread doing here: a message, an edit or a deletion, in order."""
        found = await self.transcript.next_seen(self._cursor, timeout)
        if found is None:
            raise AssertionError(
                f"the bot did nothing more in {self.chat.id} within {timeout} s\n{self.transcript}"
            )
        index, seen = found
        self._cursor = index + 1
        return seen

    @property
    def messages(self) -> list[SeenMessage]:
        """The bot's messages on screen now (as edited), oldest first."""
        on_screen = reversed(self._conversation.bot_messages(self._bot.id))
        return [message.snapshot(SENT) for message in on_screen]

    @property
    def last_text(self) -> str | None:
        """The text (or caption) of the bot's latest message on screen."""
        on_screen = self._conversation.bot_messages(self._bot.id)
        return on_screen[0].snapshot(SENT).text if on_screen else None

    @property
    def buttons(self) -> list[str]:
        """Labels of the latest keyboard shown, inline or reply; [] once removed."""
        for message in self._conversation.bot_messages(self._bot.id):
            if message.inline_markup or message.client_markup:
                return message.snapshot(SENT).buttons
        return []

    @property
    def documents(self) -> list[SeenDocument]:
        """Files the bot sent here, oldest first."""
        seen = [entry.seen for entry in self.transcript.entries if entry.seen is not None]
        return [message.document for message in seen if message.kind == SENT and message.document]


class Participant:
    """One user acting in one chat: everything a Telegram client lets them send."""

    def __init__(
        self,
        user: TelegramUser,
        bot: BotAccount,
        conversation: Conversation,
        *,
        phone_number: str | None = None,
    ) -> None:
        self.user = user
        self.phone_number = phone_number
        self._bot = bot
        self._conversation = conversation

    @property
    def _name(self) -> str:
        return self.user.first_name

    async def _ready(self) -> Conversation:
        """Where this person's next act lands, as their app would have it: in the supergroup a
        group became, after restarting a bot they blocked (the app's "Restart" button unblocks
        it). In a group the bot was removed from nothing reaches the bot: ValueError."""
        conversation = self._conversation = self._bot.successor(self._conversation)
        if conversation.bot_is_out and conversation.is_private:
            await self._bot.change_status(
                conversation, self.user, MEMBER, f"- {self._name} restarted the bot (unblocked)"
            )
        elif conversation.bot_is_out:
            raise ValueError(
                f"the bot is not in {conversation.chat.title!r} any more (remove_bot): it would"
                f" never see what {self.user.full_name} does there; add_bot() first"
            )
        return conversation

    async def _post(self, line: str, **content: Any) -> StoredMessage:
        conversation = await self._ready()
        return await self._bot.receive(conversation, self.user, line, **content)

    def _file_ids(self, kind: str) -> dict[str, str]:
        serial = f"{self.user.id}-{len(self._conversation.messages) + 1}"
        return {"file_id": f"{kind}-{serial}", "file_unique_id": f"{kind}-u-{serial}"}

    async def send(self, text: str) -> StoredMessage:
        """Type and send `text` (1 to 4096 characters, as a Telegram client allows)."""
        if not text.strip():
            raise ValueError("a Telegram client does not send an empty message")
        if len(text) > MAX_MESSAGE_LENGTH:
            raise ValueError(
                f"a Telegram client sends at most {MAX_MESSAGE_LENGTH} characters per message;"
                " use send_long() to send a longer text in parts"
            )
        return await self._post(
            f"> {self._name}: {text}", text=text, entities=command_entities(text)
        )

    async def send_long(self, text: str) -> list[StoredMessage]:
        """Send a text of any length as a client does: consecutive 4096-character messages."""
        parts = [text[i : i + MAX_MESSAGE_LENGTH] for i in range(0, len(text), MAX_MESSAGE_LENGTH)]
        return [await self.send(part) for part in parts]

    async def command(self, name: str, payload: str | None = None) -> StoredMessage:
        """Send ``/name payload``, marked as a bot command like Telegram does."""
        text = f"/{name.removeprefix('/')}" + (f" {payload}" if payload else "")
        return await self.send(text)

    async def share_contact(self) -> StoredMessage:
        """Share one's own number (the reply keyboard's request_contact button)."""
        if self.phone_number is None:
            raise ValueError(f"{self.user.full_name} has no phone_number to share")
        return await self.share_contact_of(
            self.phone_number, self.user.first_name, self.user.last_name, user_id=self.user.id
        )

    async def share_contact_of(
        self,
        phone_number: str,
        first_name: str,
        last_name: str | None = None,
        *,
        user_id: int | None = None,
    ) -> StoredMessage:
        """Share someone's contact card (user_id only if they are on Telegram)."""
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
        if last_name:
            contact["last_name"] = last_name
        if user_id is not None:
            contact["user_id"] = user_id
        card = " ".join(part for part in (first_name, last_name) if part)
        return await self._post(
            f"> {self._name} shares a contact: {card}, {phone_number}", media={"contact": contact}
        )

    async def send_sticker(self, emoji: str = _DEFAULT_STICKER_EMOJI) -> StoredMessage:
        sticker = {
            **self._file_ids("sticker"),
            "type": "regular",
            "width": _STICKER_SIZE,
            "height": _STICKER_SIZE,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return await self._post(
            f"> {self._name} sends a sticker {emoji}", media={"sticker": sticker}
        )

    async def send_photo(self, caption: str | None = None) -> StoredMessage:
        sizes = [
            {**self._file_ids(f"photo{width}"), "width": width, "height": height}
            for width, height in _PHOTO_SIZES
        ]
        line = f"> {self._name} sends a photo" + (f": {caption}" if caption else "")
        return await self._post(line, media={"photo": sizes}, caption=caption)

    async def send_voice(self, duration: int = 3) -> StoredMessage:
        voice = {**self._file_ids("voice"), "duration": duration, "mime_type": _VOICE_MIME_TYPE}
        return await self._post(
            f"> {self._name} sends a voice message ({duration} s)", media={"voice": voice}
        )

    async def tap(
        self,
        label_part: str,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,  # noqa: ASYNC109 - fail with the transcript
    ) -> CallbackAnswer:
        """Tap the inline button whose label contains `label_part` (any case, any accents).

        Looks at the bot's most recent message that has such a button, and returns the bot's
        answer to the callback query (a bot that never answers fails the test).
        """
        conversation = await self._ready()
        message, button = self._find_button(label_part)
        data = button.get("callback_data")
        if data is None:
            raise AssertionError(f"[{button['text']}] is not a callback button: {button}")
        line = f"> {self._name} taps [{button['text']}]"
        query = await self._bot.press(conversation, self.user, message, data, line)
        return await self._answer_to(query, timeout)

    async def open_mini_app(self, label_part: str, *, theme: Theme = "light") -> MiniAppLaunch:
        """Open the Mini App of the inline button whose label contains `label_part`.

        Found as `tap` finds a button, but it must be a ``web_app`` one. Returns what the client
        gives the page: the button's URL, ``initData`` signed with the bot's token (a fresh
        ``query_id``, this person as ``user``, ``auth_date`` by the world's clock) and the URL
        fragment, with the `theme` palette ("light" or "dark"). Telegram sends the bot no update
        for this; the page talks to its own server, and the bot may answer the ``query_id``
        once with answerWebAppQuery. See `mini_apps`.
        """
        conversation = await self._ready()
        _, button = self._find_button(label_part)
        web_app = button.get("web_app")
        if web_app is None:
            raise AssertionError(f"[{button['text']}] is not a Mini App (web_app) button: {button}")
        line = f"> {self._name} opens the Mini App [{button['text']}]"
        return await self._bot.open_mini_app(conversation, self.user, web_app["url"], line, theme)

    async def tap_data(
        self,
        data: str,
        message_id: int | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,  # noqa: ASYNC109 - fail with the transcript
    ) -> CallbackAnswer:
        """Send forged callback `data` from a message (by default the latest with a keyboard)."""
        conversation = await self._ready()
        on_screen = conversation.bot_messages(self._bot.id)
        candidates = [
            message
            for message in on_screen
            if (message.message_id == message_id if message_id else message.has_inline_keyboard)
        ]
        if not candidates:
            raise AssertionError(f"no bot message to tap on\n{self._conversation.transcript}")
        line = f"> {self._name} taps forged data {data!r}"
        query = await self._bot.press(conversation, self.user, candidates[0], data, line)
        return await self._answer_to(query, timeout)

    def _find_button(self, label_part: str) -> tuple[StoredMessage, dict[str, Any]]:
        wanted = fold(label_part)
        visible: list[str] = []
        for message in self._conversation.bot_messages(self._bot.id):
            buttons = inline_buttons(message.inline_markup)
            visible.extend(f"#{message.message_id} [{button['text']}]" for button in buttons)
            matching = [button for button in buttons if wanted in fold(button["text"])]
            exact = [button for button in matching if fold(button["text"]) == wanted]
            if len(exact) == 1 or len(matching) == 1:
                return message, (exact or matching)[0]
            if matching:
                labels = ", ".join(f"[{button['text']}]" for button in matching)
                raise AssertionError(
                    f"{label_part!r} is ambiguous on message #{message.message_id}: {labels}"
                )
        raise AssertionError(
            f"no inline button matching {label_part!r}; visible buttons: "
            f"{', '.join(visible) or 'none'}\n{self._conversation.transcript}"
        )

    async def _answer_to(self, query: PendingCallbackQuery, within: float) -> CallbackAnswer:
        try:
            await asyncio.wait_for(query.answered.wait(), within)
        except TimeoutError:
            raise AssertionError(
                f"the bot did not answer callback query {query.data!r} within {within} s\n"
                f"{self._conversation.transcript}"
            ) from None
        assert query.answer is not None
        return query.answer


class Person(Participant, ChatView):
    """Someone in a private chat with the bot."""

    def __init__(
        self,
        user: TelegramUser,
        bot: BotAccount,
        conversation: Conversation,
        *,
        phone_number: str | None = None,
    ) -> None:
        Participant.__init__(self, user, bot, conversation, phone_number=phone_number)
        ChatView.__init__(self, bot, conversation)

    def in_group(self, group: GroupChat) -> Participant:
        """This person acting in `group` (read the group's replies with `group.next_message`)."""
        if self.user.id not in group.member_ids:
            raise ValueError(f"{self.user.full_name} is not a member of {group.title!r}")
        return Participant(self.user, self._bot, group.conversation, phone_number=self.phone_number)

    @property
    def blocked(self) -> bool:
        return self._conversation.bot_is_out

    async def block(self) -> None:
        """Block the bot (the app's "Stop and block bot").

        The bot gets ``my_chat_member`` (its status "member" → "kicked", ``from`` this person),
        and from then on Telegram refuses whatever it does in this chat with 403 "Forbidden:
        bot was blocked by the user" (https://core.telegram.org/bots/api#update: my_chat_member,
        "For private chats, this update is received only when the bot is blocked or unblocked
        by the user"). Writing or tapping again unblocks first, as the app's "Restart" does.
        """
        if self.blocked:
            raise ValueError(f"{self.user.full_name} has already blocked the bot")
        await self._bot.change_status(
            self._conversation, self.user, KICKED, f"- {self._name} blocked the bot"
        )

    async def unblock(self) -> None:
        """Unblock the bot: ``my_chat_member`` "kicked" → "member"; the bot may write again."""
        if not self.blocked:
            raise ValueError(f"{self.user.full_name} has not blocked the bot")
        await self._ready()
