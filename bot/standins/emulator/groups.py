"""Groups the bot is in, and what their people do to the bot: remove it, add it back, turn a
basic group into a supergroup. Each is what Telegram tells the bot (``my_chat_member``, service
messages) and what it refuses afterwards."""

from __future__ import annotations

from collections.abc import Callable

from bot.standins.emulator.bots import BotAccount
from bot.standins.emulator.chats import (
    ADMINISTRATOR,
    GROUP,
    KICKED,
    MEMBER,
    SUPERGROUP,
    Chat,
    Conversation,
    TelegramUser,
)
from bot.standins.emulator.people import DEFAULT_TIMEOUT_SECONDS, ChatView, Person
from bot.standins.emulator.transcript import SeenMessage, Transcript


class Group(ChatView):
    """A group the bot is in (e.g. the clinic's staff group): a supergroup, or a basic group.

    The `Group` follows the chat people use: after `upgrade_to_supergroup` its ``id``,
    transcript and `next_message` are the supergroup's.
    """

    def __init__(
        self,
        chat: Chat,
        bot: BotAccount,
        conversation: Conversation,
        *,
        new_supergroup_id: Callable[[], int] | None = None,
    ) -> None:
        super().__init__(bot, conversation)
        self.conversation = conversation
        self._new_supergroup_id = new_supergroup_id
        self._left_behind: list[Conversation] = []

    @property
    def id(self) -> int:
        return self.chat.id

    @property
    def kind(self) -> str:
        """Telegram's ``Chat.type``: "group" (a basic group) or "supergroup"."""
        return self.chat.type

    @property
    def bot_removed(self) -> bool:
        return self.conversation.bot_is_out

    @property
    def transcripts(self) -> tuple[Transcript, ...]:
        """This group's record, oldest chat first (a basic group, then its supergroup)."""
        return (*(old.transcript for old in self._left_behind), self.transcript)

    async def remove_bot(self, by: Person | None = None) -> None:
        """An administrator (`by`, else the group's first administrator, else first member)
        removes the bot.

        The bot's status becomes "kicked", as Telegram makes a removed member's (in a
        supergroup the removal is a ban; the bot is told by ``my_chat_member``,
        https://core.telegram.org/bots/api#chatmemberbanned), and every call about this chat
        is refused with 403 "Forbidden: bot was kicked from the supergroup chat" ("... from the
        group chat" in a basic group) until `add_bot`. Members can no longer act here through
        the emulator (ValueError): the bot would never see it.
        """
        if self.bot_removed:
            raise ValueError(f"the bot is already out of {self.title!r}")
        actor = self._actor(by)
        await self._bot.change_status(
            self.conversation, actor, KICKED, f"- {actor.first_name} removed the bot"
        )

    async def add_bot(self, by: Person | None = None) -> None:
        """Someone adds the bot back, as a plain member (``my_chat_member`` "kicked" → "member"):
        an administrator's rights are not given back with it."""
        if not self.bot_removed:
            raise ValueError(f"the bot is already in {self.title!r}")
        actor = self._actor(by)
        await self._bot.change_status(
            self.conversation, actor, MEMBER, f"- {actor.first_name} added the bot back"
        )

    async def upgrade_to_supergroup(self, by: Person | None = None) -> int:
        """Turn this basic group into a supergroup, as Telegram does; returns the new id.

        A new -100… id; the members move over; the old chat gets a service message with
        ``migrate_to_chat_id``, the new one a first message with ``migrate_from_chat_id``. Any
        call naming the old id is then refused with 400 "Bad Request: group chat was upgraded
        to a supergroup chat" and ``parameters.migrate_to_chat_id`` (PTB: ``ChatMigrated``).
        Old messages are not carried over: editing one through the new id finds nothing.
        """
        if self.kind != GROUP:
            raise ValueError(f"{self.title!r} is a {self.kind}: only a basic group is upgraded")
        if self.bot_removed:
            raise ValueError(f"the bot is not in {self.title!r}: it would see no upgrade")
        if self._new_supergroup_id is None:
            raise ValueError("this group was not made by TelegramWorld.group()")
        actor = self._actor(by)
        supergroup = Chat(self._new_supergroup_id(), SUPERGROUP, title=self.chat.title)
        moved = await self._bot.migrate(self.conversation, supergroup, actor)
        self._left_behind.append(self.conversation)
        self.conversation = self._conversation = moved
        self._cursor = 0
        return supergroup.id

    def _actor(self, by: Person | None) -> TelegramUser:
        """Who does it: `by` (a member), else the first administrator, else the first member."""
        members = self.conversation.members
        if by is not None:
            if by.user.id not in members:
                raise ValueError(f"{by.user.full_name} is not a member of {self.title!r}")
            return by.user
        admins = [user_id for user_id, status in members.items() if status == ADMINISTRATOR]
        candidates = admins or list(members)
        if not candidates:
            raise ValueError(f"{self.title!r} has no member to do that")
        return self._bot.known_users[candidates[0]]

    @property
    def title(self) -> str:
        return self.chat.title or ""

    @property
    def member_ids(self) -> frozenset[int]:
        return frozenset(self.conversation.members)

    async def next_message(self, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> SeenMessage:  # noqa: ASYNC109
        """What the bot did next in the group."""
        return await self.next_reply(timeout)
