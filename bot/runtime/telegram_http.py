"""How the bot talks HTTP to Telegram's Bot API: PTB's request interface on aiohttp.

PTB's default ``HTTPXRequest`` spends most of the bot's CPU in httpcore's connection pool,
which re-examines every pooled connection for each request: 1 to 3.5 ms of CPU per call on
loopback, against about 0.2 ms here (``bench/load.py`` measured the difference; see the
docs/reliability.md). Everything else about a request is PTB's own:
``BaseRequest`` parses Telegram's answer and raises its errors from the status code.

The URLs PTB passes carry the bot token: an error's text has the URL's path masked.
"""

from __future__ import annotations

from typing import Final

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.runtime.aiohttp_shared import EnvironmentProxies, client_timeout, verified_tls

#: Telegram answers a long poll after ``timeout`` seconds; PTB adds this much read time.
DEFAULT_READ_TIMEOUT: Final = 5.0
DEFAULT_WRITE_TIMEOUT: Final = 5.0
DEFAULT_CONNECT_TIMEOUT: Final = 5.0
#: How long a call may wait for a free connection before it is refused (PTB's default).
DEFAULT_POOL_TIMEOUT: Final = 1.0
#: Uploads (the calendar file) get longer to write, as in PTB.
MEDIA_WRITE_TIMEOUT: Final = 20.0
#: As many connections as PTB's own default pool.
DEFAULT_POOL_SIZE: Final = 256


class SharedConnections:
    """One pool of kept-alive connections to Telegram for every bot of a clinic group.

    Telegram tells bots apart by the token in each request's path, not by the connection, so
    300 bots can reuse the same few TLS connections for their calls instead of opening their
    own (each long poll still holds one while it waits). No cap: every clinic's long poll
    needs a connection whatever the others do, and each bot's calls are already paced by its
    own flood limits. Closed by its owner, the group, after every bot stopped.
    """

    def __init__(self) -> None:
        self._connector: aiohttp.TCPConnector | None = None

    @property
    def connector(self) -> aiohttp.TCPConnector:
        """Created on first use, inside the running event loop (aiohttp needs one)."""
        if self._connector is None or self._connector.closed:
            self._connector = aiohttp.TCPConnector(limit=0, ssl=verified_tls())
        return self._connector

    async def close(self) -> None:
        if self._connector is not None:
            await self._connector.close()


class AiohttpRequest(BaseRequest):
    """A ``telegram.request.BaseRequest`` over one aiohttp session with a pool of kept-alive
    connections.

    Timeouts keep PTB's meaning (see ``bot/runtime/aiohttp_shared.py``).
    """

    __slots__ = (
        "_connect",
        "_pool",
        "_pool_size",
        "_proxy_for",
        "_read",
        "_session",
        "_shared",
        "_write",
    )

    def __init__(
        self,
        connection_pool_size: int = DEFAULT_POOL_SIZE,
        *,
        read_timeout: float | None = DEFAULT_READ_TIMEOUT,
        write_timeout: float | None = DEFAULT_WRITE_TIMEOUT,
        connect_timeout: float | None = DEFAULT_CONNECT_TIMEOUT,
        pool_timeout: float | None = DEFAULT_POOL_TIMEOUT,
        shared: SharedConnections | None = None,
    ) -> None:
        """``shared``: the connections of a clinic group's bots (``connection_pool_size`` and
        ``pool_timeout`` then do not apply: the group's pool has no cap of its own)."""
        self._shared = shared
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxy_for = EnvironmentProxies()

    def __repr__(self) -> str:
        return f"AiohttpRequest(connection_pool_size={self._pool_size})"

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = (
                self._shared.connector
                if self._shared is not None
                else aiohttp.TCPConnector(limit=self._pool_size, ssl=verified_tls())
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                connector_owner=self._shared is None,
                headers={"User-Agent": self.USER_AGENT},
                trust_env=False,  # see EnvironmentProxies
                raise_for_status=False,
            )

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        files = request_data.multipart_data if request_data else None
        timeout = client_timeout(
            read=self._read if isinstance(read_timeout, DefaultValue) else read_timeout,
            write=(MEDIA_WRITE_TIMEOUT if files else self._write)
            if isinstance(write_timeout, DefaultValue)
            else write_timeout,
            connect=self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout,
            pool=self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout,
        )
        try:
            async with self._session.request(
                method, url, data=_body(request_data), timeout=timeout, proxy=self._proxy_for(url)
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError):
            # aiohttp's connect timeout covers the wait for a pooled connection too.
            raise TimedOut from None
        except aiohttp.ClientError as error:
            raise NetworkError(_describe(error, url)) from None


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """Parameters as a form, as PTB sends them; files make it multipart."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    files = request_data.multipart_data
    if not files:
        return fields
    form = aiohttp.FormData()
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


def _describe(error: aiohttp.ClientError, url: str) -> str:
    """``aiohttp.<Class>: <text>`` with the URL's path (where the token is) masked."""
    text = str(error)
    path = url.partition("://")[2].partition("/")[2]
    if path:
        text = text.replace(path, "…")
    return f"aiohttp.{type(error).__name__}: {text}" if text else f"aiohttp.{type(error).__name__}"
