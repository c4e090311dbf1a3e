"""The Treats client's network leg in production: requests arrive as httpx built them, and
each failure keeps the httpx meaning the client's retry decisions rest on: "never sent" (safe
to send again) against "sent, answer lost" (the clinic may have acted on it)."""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path

import httpx
import pytest

from bot.treats.aiohttp_transport import AiohttpTransport
from tests.support.raw_http import Seen, json_response, raw_server, refused_url, self_signed_tls


async def test_a_request_arrives_as_built_and_its_answer_comes_back() -> None:
    async def answer(seen: Seen) -> bytes:
        return json_response({"id": "apt-1", "echo": json.loads(seen.body)}, "201 Created")

    async with (
        raw_server(answer) as server,
        httpx.AsyncClient(base_url=server.url, transport=AiohttpTransport()) as client,
    ):
        response = await client.post(
            "/api/v1/appointments?dry=0",
            json={"reason": "Vaccin", "note": "Médor 🐶"},
            headers={"X-API-Key": "k", "Idempotency-Key": "booking-42"},
        )
    assert response.status_code == 201
    assert response.json() == {"id": "apt-1", "echo": {"reason": "Vaccin", "note": "Médor 🐶"}}
    seen = server.seen[0]
    assert seen.request_line == "POST /api/v1/appointments?dry=0 HTTP/1.1"
    assert seen.headers["x-api-key"] == "k"
    assert seen.headers["idempotency-key"] == "booking-42"
    assert seen.headers["content-type"] == "application/json"


async def test_connections_are_kept_alive_between_requests() -> None:
    async def answer(seen: Seen) -> bytes:
        return json_response([])

    async with (
        raw_server(answer) as server,
        httpx.AsyncClient(base_url=server.url, transport=AiohttpTransport()) as client,
    ):
        for _ in range(5):
            assert (await client.get("/api/v1/clients")).json() == []
    assert (len(server.seen), server.connections) == (5, 1)


async def test_a_compressed_answer_is_decoded() -> None:
    body = gzip.compress(b'{"ok": true}')

    async def answer(seen: Seen) -> bytes:
        return (
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
            b"Content-Length: %d\r\n\r\n%s" % (len(body), body)
        )

    async with (
        raw_server(answer) as server,
        httpx.AsyncClient(base_url=server.url, transport=AiohttpTransport()) as client,
    ):
        assert (await client.get("/")).json() == {"ok": True}


async def test_nobody_listening_means_never_sent() -> None:
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        with pytest.raises(httpx.ConnectError):
            await client.get(refused_url() + "/api/v1/clients")


async def test_a_certificate_no_authority_vouches_for_means_never_sent(tmp_path: Path) -> None:
    async def answer(seen: Seen) -> bytes:
        return json_response([])

    async with (
        raw_server(answer, tls=self_signed_tls(tmp_path)) as server,
        httpx.AsyncClient(transport=AiohttpTransport()) as client,
    ):
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            await client.get(server.url + "/api/v1/clients")
    assert server.seen == []


async def test_a_connection_closed_after_the_request_means_the_answer_is_lost() -> None:
    async def hang_up(seen: Seen) -> None:
        return None

    async with (
        raw_server(hang_up) as server,
        httpx.AsyncClient(base_url=server.url, transport=AiohttpTransport()) as client,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            await client.post("/api/v1/appointments", json={})
    assert len(server.seen) == 1  # it did arrive


async def test_a_slow_answer_is_a_read_timeout() -> None:
    never = asyncio.Event()

    async def hang(seen: Seen) -> bytes:
        await never.wait()
        return b""

    async with (
        raw_server(hang) as server,
        httpx.AsyncClient(
            base_url=server.url, transport=AiohttpTransport(), timeout=httpx.Timeout(0.2)
        ) as client,
    ):
        with pytest.raises(httpx.ReadTimeout):
            await client.post("/api/v1/appointments", json={})
        never.set()


async def test_waiting_too_long_for_a_free_connection_means_never_sent() -> None:
    arrived, release = asyncio.Event(), asyncio.Event()

    async def slow(seen: Seen) -> bytes:
        if seen.target == "/slow":
            arrived.set()
            await release.wait()
        return json_response({})

    async with (
        raw_server(slow) as server,
        httpx.AsyncClient(
            base_url=server.url,
            transport=AiohttpTransport(max_connections=1),
            timeout=httpx.Timeout(5.0, pool=0.1, connect=0.1),
        ) as client,
    ):
        first = asyncio.create_task(client.get("/slow"))
        await arrived.wait()
        with pytest.raises(httpx.ConnectTimeout):
            await client.get("/fast")
        release.set()
        assert (await first).status_code == 200
    assert [seen.target for seen in server.seen] == ["/slow"]


async def test_the_operators_proxy_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    async def answer(seen: Seen) -> bytes:
        return json_response([])

    async with raw_server(answer) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
            assert (await client.get("http://treats.invalid/api/v1/clients")).json() == []
    assert proxy.seen[0].request_line == "GET http://treats.invalid/api/v1/clients HTTP/1.1"
