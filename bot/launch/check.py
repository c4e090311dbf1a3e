"""`vetbot check`: verify a deployment's settings against the real services, one line each.

Every check runs even when an earlier one fails, so the operator sees all problems at once.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
from telegram import Bot
from telegram.error import ChatMigrated, Forbidden, InvalidToken, TelegramError

from bot.clock import Clock, system_clock
from bot.config import ClinicConfig, Settings
from bot.runtime.telegram_http import AiohttpRequest
from bot.treats import AuthError, RateLimited, TreatsClient, TreatsError
from bot.type_words import resolve_type_key

REQUIRED_PERMISSIONS = ("CLIENT_READ", "PATIENT_READ", "APPOINTMENT_READ", "APPOINTMENT_CREATE")


@dataclass(frozen=True, slots=True)
class CheckResult:
    ok: bool
    subject: str
    detail: str

    def line(self) -> str:
        return f"{'OK  ' if self.ok else 'FAIL'} {self.subject}: {self.detail}"


async def run_checks(
    settings: Settings,
    clinic: ClinicConfig,
    *,
    clock: Clock = system_clock,
    treats_transport: httpx.AsyncBaseTransport | None = None,
) -> AsyncIterator[CheckResult]:
    """Yield one result per check, as they complete."""
    yield CheckResult(
        True,
        "configuration",
        f"clinic {clinic.name!r}, {len(clinic.vets)} vet(s), time zone {clinic.timezone}",
    )
    shown = f"phone {clinic.phone_display}"
    if clinic.emergency_display is not None:
        shown += f", emergencies {clinic.emergency_display}"
    yield CheckResult(True, "clinic phones", f"{shown} (as owners see them)")
    async for result in _check_telegram(settings):
        yield result
    async with TreatsClient(
        settings.treats_api_url,
        settings.treats_api_key,
        transport=treats_transport,
        clock=clock,
        phone_region=clinic.phone_region,
    ) as treats:
        async for result in _check_treats(treats, clinic, clock):
            yield result


async def _check_telegram(settings: Settings) -> AsyncIterator[CheckResult]:
    request = AiohttpRequest(1, connect_timeout=5, read_timeout=10)
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_url + "/bot",
        request=request,
        get_updates_request=request,
    )
    try:
        try:
            await bot.initialize()
        except InvalidToken:
            yield CheckResult(False, "Telegram", "TELEGRAM_BOT_TOKEN was refused (Unauthorized)")
            return
        except TelegramError as error:
            yield CheckResult(
                False, "Telegram", f"cannot reach {settings.telegram_api_url} ({error})"
            )
            return
        yield CheckResult(True, "Telegram", f"bot @{bot.username}")
        if settings.staff_chat_id is None:
            yield CheckResult(False, "staff chat", "STAFF_CHAT_ID is not set: alerts go nowhere")
            return
        try:
            chat = await bot.get_chat(settings.staff_chat_id)
            member = await bot.get_chat_member(settings.staff_chat_id, bot.id)
        except ChatMigrated as error:
            yield CheckResult(
                False,
                "staff chat",
                f"the group became a supergroup: set STAFF_CHAT_ID={error.new_chat_id} "
                "(the running bot follows it meanwhile)",
            )
        except Forbidden:
            yield CheckResult(False, "staff chat", "the bot is not a member of STAFF_CHAT_ID")
        except TelegramError as error:
            yield CheckResult(False, "staff chat", f"STAFF_CHAT_ID {error.message}")
        else:
            if member.status in ("left", "kicked"):
                yield CheckResult(False, "staff chat", f"the bot is not in {chat.title!r}")
            else:
                yield CheckResult(True, "staff chat", f"{chat.title!r} ({member.status})")
    finally:
        await bot.shutdown()
        await request.shutdown()  # a bot that failed to initialize leaves its request open


async def _check_treats(
    treats: TreatsClient, clinic: ClinicConfig, clock: Clock
) -> AsyncIterator[CheckResult]:
    try:
        granted = await treats.probe_permissions()
    except AuthError as error:
        yield CheckResult(False, "Treats API key", f"TREATS_API_KEY refused: {error.message}")
        return
    except RateLimited as error:
        yield CheckResult(False, "Treats API", f"quota exhausted, retry in {error.retry_after:g} s")
        return
    except TreatsError as error:
        yield CheckResult(False, "Treats API", f"unreachable or failing: {error.message}")
        return
    quota = treats.quota
    detail = "key accepted"
    if quota.limit is not None:
        detail += f", quota {quota.remaining}/{quota.limit} left this hour"
    yield CheckResult(True, "Treats API", detail)
    for permission in REQUIRED_PERMISSIONS:
        has = granted[permission]
        yield CheckResult(has, f"permission {permission}", "granted" if has else "MISSING")
    if not granted["APPOINTMENT_READ"]:
        return
    types = {t.id: t for t in await treats.appointment_types()}
    named = [(t.id, t.name) for t in types.values()]
    for key, _words in clinic.type_words:
        if resolve_type_key(key, named) is None:
            yield CheckResult(
                False, "type_words", f"{key!r} names no appointment type of the clinic"
            )
    tomorrow = (clock().astimezone(clinic.tz) + timedelta(days=1)).date()
    for vet in clinic.vets:
        type_ids = [t for t in (vet.appointment_types or tuple(types)) if t in types]
        if not type_ids:
            yield CheckResult(False, f"vet {vet.name}", "none of its appointment_types exist")
            continue
        try:
            slots = await treats.available_slots(vet.id, tomorrow, type_ids[0])
        except TreatsError as error:
            yield CheckResult(False, f"vet {vet.name}", f"id {vet.id} refused: {error.message}")
        else:
            yield CheckResult(
                True, f"vet {vet.name}", f"{len(slots)} free slot(s) on {tomorrow.isoformat()}"
            )
