"""What both aiohttp legs share (``bot/runtime/telegram_http.py`` to Telegram,
``bot/treats/aiohttp_transport.py`` to Treats): time-outs with the meaning PTB and httpx give
them, and the trust in certificates and the operator's proxy settings, as httpx (the default
under both) applies them.
"""

from __future__ import annotations

import ssl
import urllib.request
from functools import cache

import aiohttp
import certifi


@cache
def verified_tls() -> ssl.SSLContext:
    """Certificates checked against certifi's bundle, as httpx does, so that the bot trusts
    the same authorities whether or not the system has CA certificates installed (slim
    images, some macOS Pythons).

    Built once per process: loading the bundle costs about 15 ms and 680 KiB, which a clinic
    group would otherwise pay twice per clinic (Telegram and Treats connectors). The context
    is only read once built, so every connector can share it."""
    return ssl.create_default_context(cafile=certifi.where())


def client_timeout(
    *, pool: float | None, connect: float | None, read: float | None, write: float | None
) -> aiohttp.ClientTimeout:
    """The four time-outs as one aiohttp ``ClientTimeout``.

    ``pool`` waits for a free connection, ``connect`` for the TCP (and TLS) handshake,
    ``read`` for each chunk of the answer. aiohttp counts the pool wait inside its
    ``connect`` and has no write time-out, so the four together bound the whole request;
    None (no limit) in any leaves it unbounded, as in httpx.
    """
    parts = (pool, connect, read, write)
    return aiohttp.ClientTimeout(
        total=None if None in parts else sum(p for p in parts if p is not None),
        connect=None if pool is None or connect is None else pool + connect,
        sock_connect=connect,
        sock_read=read,
    )


class EnvironmentProxies:
    """HTTPS_PROXY / HTTP_PROXY for a URL unless NO_PROXY spares its host.

    Read once per scheme and host: aiohttp's own ``trust_env`` reads the environment and
    ``.netrc`` in a thread on every request, which cost more CPU than the request.
    """

    def __init__(self) -> None:
        self._by_origin: dict[str, str | None] = {}

    def __call__(self, url: str) -> str | None:
        scheme, _, rest = url.partition("://")
        host = rest.split("/", 1)[0]
        origin = f"{scheme}://{host}"
        if origin not in self._by_origin:
            proxies = urllib.request.getproxies_environment()
            spared = urllib.request.proxy_bypass_environment(host.rsplit(":", 1)[0], proxies)
            self._by_origin[origin] = None if spared else proxies.get(scheme)
        return self._by_origin[origin]
