"""Owners the bot can no longer write to, and what the clinic must learn of it.

An owner who blocks the bot makes Telegram refuse every message to them (403 "Forbidden: bot
was blocked by the user"); Telegram also says so with a ``my_chat_member`` update ("kicked").
Sending anyway only collects refusals, one reminder at a time, and tells nobody. So:

* **A mark in the store** (``Store.mark_unreachable``) on the first refusal or the member
  update; cleared when the owner writes, taps or unblocks (``regained``). Kept across restarts,
  logged once per change with the user id only.
* **Nothing is sent while it stands**: reminders are dropped with that reason
  (``bot.reminders``), clinic-side change notices wait for the owner's return
  (``bot.status_watch``: a cancellation must still reach someone who unblocks the bot before
  the appointment), owner notices are skipped (``conversations.blocked_owners.tell_owner``).
* **The staff hear of it when it matters**: when the owner has an urgent case under way
  (``alert_to_follow``), one staff message per unreachable episode, quoting the alert.

Domain side, no Telegram: ``conversations/blocked_owners.py`` turns Telegram's answers into these
calls.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Final

from bot.i18n import Translator
from bot.store import OutboxRecord, StaffMessage, Store

logger = logging.getLogger("vetbot.owner_reach")

URGENT_FOLLOW_UP: Final = timedelta(hours=24)
"""How long after an urgent alert the staff still need Telegram to reach its owner."""
BLOCKED: Final = "blocked"
"""What Telegram's refusal, or the member update, says when the owner blocked the bot."""


def reachable(store: Store, user_id: int) -> bool:
    """Whether the bot may write to the user now (no refusal since they last wrote)."""
    return store.unreachable(user_id) is None


def lost(store: Store, user_id: int, reason: str) -> bool:
    """Telegram refused the bot for this user (``reason``: its words, never the message's).
    True if that is news: the caller then tells the staff (see ``staff_must_hear``)."""
    news = store.mark_unreachable(user_id, reason)
    if news:  # an owner's choice, not a fault: INFO, once per change
        logger.info(
            "owner %s unreachable: %s; reminders and notices stop until they write again",
            user_id,
            reason,
        )
    return news


def regained(store: Store, user_id: int) -> bool:
    """The user wrote, tapped or unblocked the bot; True if they were unreachable until now."""
    back = store.mark_reachable(user_id)
    if back:
        logger.info("owner %s reachable again", user_id)
    return back


def alert_to_follow(alerts: Sequence[OutboxRecord], now: datetime) -> OutboxRecord | None:
    """The urgent alert the staff must hear about when its owner becomes unreachable: the
    newest one raised within ``URGENT_FOLLOW_UP``, acknowledged or not; None: no one.

    An urgent case is handled within the day: the vet sees the animal, calls back or books
    the first slot, and during that day staff reach the owner through Telegram ("💬 Ouvrir la
    discussion", the booking's messages) whether or not someone tapped "Je prends". After it,
    the case is closed or followed by phone. An unacknowledged flag alone is no sign of a case
    still open: many clinics call back without tapping "Je prends", so counting every
    unacknowledged alert would send staff after cases closed weeks ago."""
    recent = [a for a in alerts if a.realert_of is None and now - a.created_at <= URGENT_FOLLOW_UP]
    return max(recent, key=lambda alert: (alert.created_at, alert.id), default=None)


def staff_must_hear(store: Store, user_id: int, now: datetime) -> OutboxRecord | None:
    """The alert to quote if the staff must be told now that its owner is unreachable, else
    None. Once per unreachable episode: the first caller claims it (a second refusal, a
    restart, the member update after a failed send find it claimed)."""
    if reachable(store, user_id):
        return None
    alert = alert_to_follow(store.outbox.urgent_alerts_of(user_id, now - URGENT_FOLLOW_UP), now)
    if alert is None or not store.claim_unreachable_notice(user_id):
        return None
    return alert


def was_blocked(reason: str) -> bool:
    """Whether the refusal says the owner blocked the bot (rather than, say, a deleted account)."""
    return BLOCKED in reason


def unreachable_notice(
    _: Translator, *, owner: str, phone: str | None, blocked: bool, quote: int | None
) -> StaffMessage:
    """One line for the staff chat, quoting the alert (``quote``, its message id) when it is
    in the chat: staff see which case it is about."""
    values = {
        "owner": html.escape(owner, quote=False),
        "phone": html.escape(phone or "?", quote=False),
    }
    text = (
        _("⚠️ {owner} a bloqué le bot : impossible de lui écrire par Telegram. 📞 {phone}", **values)
        if blocked
        else _("⚠️ {owner} n'est plus joignable par Telegram. 📞 {phone}", **values)
    )
    return StaffMessage(text, reply_to_message_id=quote)
