"""The week view over HTTP: its page, two assets and two API calls (docs/mini-app.md).

The three files are read once, when the routes are made, and served with a strict Content
Security Policy: only this origin's script and style, no inline code, nothing framed
elsewhere. The page reaches the API with ``Authorization: tma <initData>``; bodies are small
and a larger one is refused before it is read whole.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from bot.miniapp.week_api import WeekApi

STATIC: Final = Path(__file__).parent / "static"
MAX_BODY_BYTES: Final = 1024
GZIP_FROM_BYTES: Final = 1024
_AUTH_SCHEME: Final = "tma "
_INLINE_SCRIPT: Final = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _headers(page: bytes) -> dict[str, str]:
    """The responses' headers. The page's one inline script (it sets the <base> the assets and
    the API resolve against) is allowed by its hash, and no other inline code."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"
        for code in _INLINE_SCRIPT.findall(page.decode())
    )
    return {
        "Content-Security-Policy": (
            f"default-src 'none'; script-src 'self' {hashes}; style-src 'self'; "
            "connect-src 'self'; img-src 'self' data:; base-uri 'self'; form-action 'none'"
        ),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-cache",
    }


_TYPES: Final = {
    "week.html": "text/html; charset=utf-8",
    "week.css": "text/css; charset=utf-8",
    "week.js": "text/javascript; charset=utf-8",
}


@dataclass(frozen=True, slots=True)
class _File:
    """A static file, kept as it is and gzipped (both made once)."""

    body: bytes
    media_type: str
    headers: dict[str, str]
    gzipped: bytes

    @classmethod
    def read(cls, name: str, media_type: str, headers: dict[str, str]) -> _File:
        body = (STATIC / name).read_bytes()
        return cls(body, media_type, headers, gzip.compress(body, mtime=0))

    def response(self, request: Request) -> Response:
        if _accepts_gzip(request):
            return Response(self.gzipped, media_type=self.media_type, headers=_gzip(self.headers))
        return Response(self.body, media_type=self.media_type, headers=self.headers)


def _accepts_gzip(request: Request) -> bool:
    return "gzip" in request.headers.get("accept-encoding", "")


def _gzip(headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"}


def _json_response(
    request: Request, body: object, status: int, headers: dict[str, str]
) -> Response:
    """JSON, gzipped when the client takes it: a week of slots is ~25 KB as text, a tenth of it
    compressed, on a phone's connection."""
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
    media_type = "application/json"
    if len(content) > GZIP_FROM_BYTES and _accepts_gzip(request):
        return Response(gzip.compress(content), status, _gzip(headers), media_type)
    return Response(content, status, headers, media_type)


def mini_app_routes(api: WeekApi, path: str) -> list[BaseRoute]:
    """One clinic's routes under ``path``, the page URL's path ("/app"; "" or "/" for the
    root)."""
    return _routes(lambda request: api, path.rstrip("/"))


def group_mini_app_routes(api_for: Callable[[str], WeekApi | None], path: str) -> list[BaseRoute]:
    """A clinic group's routes: each clinic's page at ``{path}/{clinic id}``; ``api_for`` gives
    the clinic's API, None for a clinic the group does not have (404)."""
    return _routes(
        lambda request: api_for(request.path_params["clinic"]), path.rstrip("/") + "/{clinic}"
    )


def _routes(api_of: Callable[[Request], WeekApi | None], path: str) -> list[BaseRoute]:
    headers = _headers((STATIC / "week.html").read_bytes())
    files = {name: _File.read(name, kind, headers) for name, kind in _TYPES.items()}
    unknown = {"error": "no-such-clinic"}  # the page says its own "could not load"

    async def page(request: Request) -> Response:
        return files["week.html"].response(request)

    async def style(request: Request) -> Response:
        return files["week.css"].response(request)

    async def script(request: Request) -> Response:
        return files["week.js"].response(request)

    async def week(request: Request) -> Response:
        api = api_of(request)
        if api is None:
            return _json_response(request, unknown, 404, headers)
        answer = await api.week(_init_data(request), request.query_params.get("from"))
        return _json_response(request, answer.body, answer.status, headers)

    async def choose(request: Request) -> Response:
        body = await _small_json(request)
        if body is None or not isinstance(body.get("slot"), str):
            return _json_response(request, {"error": "bad-request"}, 400, headers)
        first = body.get("from") if isinstance(body.get("from"), str) else None
        api = api_of(request)
        if api is None:
            return _json_response(request, unknown, 404, headers)
        answer = await api.choose(_init_data(request), body["slot"], first)
        return _json_response(request, answer.body, answer.status, headers)

    return [
        Route(path or "/", page, methods=["GET"]),
        Route(f"{path}/week.css", style, methods=["GET"]),
        Route(f"{path}/week.js", script, methods=["GET"]),
        Route(f"{path}/api/week", week, methods=["GET"]),
        Route(f"{path}/api/choose", choose, methods=["POST"]),
    ]


def _init_data(request: Request) -> str:
    header = request.headers.get("authorization", "")
    return header[len(_AUTH_SCHEME) :] if header.startswith(_AUTH_SCHEME) else ""


async def _small_json(request: Request) -> dict[str, object] | None:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > MAX_BODY_BYTES):
        return None
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return None
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None
