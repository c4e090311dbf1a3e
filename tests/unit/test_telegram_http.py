"""The Bot API transport: what PTB sends arrives intact, failures become PTB's errors in
the bot's terms (timed out, network), the token never shows, and an operator's proxy
settings apply."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from telegram import Bot
from telegram.error import NetworkError, TimedOut

from bot.runtime.telegram_http import AiohttpRequest
from tests.support.raw_http import Seen, json_response, raw_server, refused_url, self_signed_tls

TOKEN = "123456:SECRET-token-never-shown"
ME = {"id": 123456, "is_bot": True, "first_name": "Vetbot", "username": "vetbot"}
SENT = {"message_id": 7, "date": 0, "chat": {"id": 42, "type": "private"}}


async def telegram_answers(seen: Seen) -> bytes:
    method = seen.target.rsplit("/", 1)[-1]
    return json_response({"ok": True, "result": ME if method == "getMe" else SENT})


@contextlib.asynccontextmanager
async def bot_on(url: str, request: AiohttpRequest) -> AsyncIterator[Bot]:
    bot = Bot(TOKEN, base_url=url + "/bot", request=request, get_updates_request=request)
    async with bot:
        yield bot


async def test_calls_reach_the_api_as_form_fields_and_answers_come_back() -> None:
    async with (
        raw_server(telegram_answers) as server,
        bot_on(server.url, AiohttpRequest()) as bot,
    ):
        message = await bot.send_message(42, "Bonjour, Médor a rendez-vous à 10 h 30 & 😺")
    assert message.message_id == 7
    sent = server.seen[-1]
    assert sent.request_line.startswith(f"POST /bot{TOKEN}/sendMessage ")
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    fields = parse_qs(sent.body.decode())
    assert fields["chat_id"] == ["42"]
    assert fields["text"] == ["Bonjour, Médor a rendez-vous à 10 h 30 & 😺"]
    assert sent.headers["user-agent"].startswith("python-telegram-bot")


async def test_a_file_goes_up_as_multipart_with_its_name_and_type() -> None:
    calendar = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    async with (
        raw_server(telegram_answers) as server,
        bot_on(server.url, AiohttpRequest()) as bot,
    ):
        await bot.send_document(42, calendar, filename="rdv.ics", caption="Votre rendez-vous")
    sent = server.seen[-1]
    assert sent.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="chat_id"' in sent.body
    assert b"\r\n\r\n42\r\n" in sent.body
    assert b'filename="rdv.ics"' in sent.body
    assert calendar in sent.body
    assert b"Votre rendez-vous" in sent.body


async def test_an_api_that_does_not_answer_times_out() -> None:
    never = asyncio.Event()

    async def hang(seen: Seen) -> bytes:
        if "getMe" in seen.request_line:
            return await telegram_answers(seen)
        await never.wait()
        return b""

    async with raw_server(hang) as server:
        async with bot_on(server.url, AiohttpRequest(read_timeout=0.2)) as bot:
            with pytest.raises(TimedOut):
                await bot.send_message(42, "allô ?")
        never.set()


async def test_all_connections_busy_times_out_without_sending() -> None:
    arrived, release = asyncio.Event(), asyncio.Event()

    async def slow(seen: Seen) -> bytes:
        if "sendMessage" in seen.request_line:
            arrived.set()
            await release.wait()
        return await telegram_answers(seen)

    async with raw_server(slow) as server:
        request = AiohttpRequest(1, pool_timeout=0.1, connect_timeout=0.1, read_timeout=5)
        async with bot_on(server.url, request) as bot:
            first = asyncio.create_task(bot.send_message(42, "premier"))
            await arrived.wait()
            with pytest.raises(TimedOut):
                await bot.send_chat_action(42, "typing")
            release.set()
            await first
    assert [s.target.rsplit("/", 1)[-1] for s in server.seen] == [
        "getMe",
        "sendMessage",
    ]


async def test_an_unreachable_api_is_a_network_error_that_does_not_show_the_token() -> None:
    async with AiohttpRequest(connect_timeout=2) as request:
        with pytest.raises(NetworkError) as caught:
            await request.post(f"{refused_url()}/bot{TOKEN}/getMe")
    assert "aiohttp.Client" in caught.value.message
    assert "SECRET" not in caught.value.message
    assert "SECRET" not in repr(caught.value)
    assert caught.value.__cause__ is None or "SECRET" not in str(caught.value.__cause__)


async def test_a_certificate_no_authority_vouches_for_is_refused(tmp_path: Path) -> None:
    async with (
        raw_server(telegram_answers, tls=self_signed_tls(tmp_path)) as server,
        AiohttpRequest() as request,
    ):
        with pytest.raises(NetworkError) as caught:
            await request.post(f"{server.url}/bot{TOKEN}/getMe")
    assert "CERTIFICATE_VERIFY_FAILED" in caught.value.message
    assert server.seen == []


async def test_the_operators_proxy_is_used_unless_no_proxy_spares_the_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with raw_server(telegram_answers) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with bot_on("http://api.telegram.invalid", AiohttpRequest()) as bot:
            assert bot.username == "vetbot"
        assert proxy.seen[0].request_line.startswith(
            f"POST http://api.telegram.invalid/bot{TOKEN}/getMe "
        )

        async with raw_server(telegram_answers) as direct:
            monkeypatch.setenv("NO_PROXY", "127.0.0.1")
            async with bot_on(direct.url, AiohttpRequest()) as bot:
                assert bot.username == "vetbot"
            assert len(direct.seen) == 1
        assert len(proxy.seen) == 1


async def test_shutdown_closes_and_initialize_reopens() -> None:
    async with raw_server(telegram_answers) as server:
        request = AiohttpRequest()
        async with bot_on(server.url, request) as bot:
            await bot.send_message(42, "un")
        with pytest.raises(NetworkError):
            await request.post(f"{server.url}/bot{TOKEN}/getMe")
        async with bot_on(server.url, request) as bot:
            await bot.send_message(42, "deux")
    assert [s.target.rsplit("/", 1)[-1] for s in server.seen] == [
        "getMe",
        "sendMessage",
        "getMe",
        "sendMessage",
    ]
