"""An httpx transport on aiohttp, for the Treats client in production.

The Treats client is written against httpx (its tests inject ``MockTransport`` and
``ASGITransport``); only the network leg changes here. httpcore's pool costs about a
millisecond of CPU per request, several under concurrency, and aiohttp about a fifth of it
(see docs/reliability.md).

The exceptions keep httpx's meaning, because the client decides on them whether a request
is safe to send again: a failure to connect (``ConnectError``, ``ConnectTimeout``,
``PoolTimeout``) means nothing was sent; anything after that (``ReadTimeout``,
``ReadError``, ``RemoteProtocolError``) means the server may have acted on it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Final

import aiohttp
import httpx

from bot.runtime.aiohttp_shared import EnvironmentProxies, client_timeout, verified_tls

CHUNK_BYTES: Final = 64 * 1024
CONNECTIONS: Final = 16
"""Kept-alive connections to the Treats API: a clinic's quota is 1000 calls an hour."""


class AiohttpTransport(httpx.AsyncBaseTransport):
    """One aiohttp session with up to ``max_connections`` kept-alive connections.

    Time-outs come from each request's httpx ``Timeout``, proxies from the environment
    (both as ``bot/runtime/aiohttp_shared.py`` reads them)."""

    def __init__(self, *, max_connections: int = CONNECTIONS) -> None:
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._proxy_for = EnvironmentProxies()

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._max_connections, ssl=verified_tls()),
                auto_decompress=False,  # httpx decodes the body itself
                skip_auto_headers=("Accept-Encoding", "User-Agent", "Content-Type"),
            )
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._open_session()
        timeout = request.extensions.get("timeout", {})
        body = await request.aread()
        try:
            response = await session.request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=body or None,
                allow_redirects=False,
                proxy=self._proxy_for(str(request.url)),
                compress=False,
                timeout=client_timeout(
                    pool=timeout.get("pool"),
                    connect=timeout.get("connect"),
                    read=timeout.get("read"),
                    write=timeout.get("write"),
                ),
            )
        except aiohttp.ConnectionTimeoutError as error:
            raise httpx.ConnectTimeout(str(error), request=request) from error
        except aiohttp.SocketTimeoutError as error:
            raise httpx.ReadTimeout(str(error), request=request) from error
        except TimeoutError as error:  # the whole request's bound
            raise httpx.ReadTimeout("timed out", request=request) from error
        except aiohttp.ClientConnectorError as error:
            raise httpx.ConnectError(str(error), request=request) from error
        except aiohttp.ServerDisconnectedError as error:
            raise httpx.RemoteProtocolError(str(error), request=request) from error
        except aiohttp.ClientError as error:
            raise httpx.ReadError(str(error), request=request) from error
        return httpx.Response(
            status_code=response.status,
            headers=response.raw_headers,
            stream=_Body(response),
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


class _Body(httpx.AsyncByteStream):
    """The answer's body, read from aiohttp as httpx asks for it."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            async for chunk in self._response.content.iter_chunked(CHUNK_BYTES):
                yield chunk
        except TimeoutError as error:
            raise httpx.ReadTimeout("timed out reading the answer") from error
        except aiohttp.ClientError as error:
            raise httpx.ReadError(str(error)) from error

    async def aclose(self) -> None:
        self._response.release()
