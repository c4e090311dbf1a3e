"""What every API request goes through before and after its endpoint.

In order: an armed fault (answers before anything else, does nothing, costs no quota); 401 no
key / unknown, revoked or expired key; 403 missing permission; 429 hourly quota spent; then the
endpoint, whose 400 / 404 / 409 come from `ApiError`. Every response carries
`X-RateLimit-Limit` and `X-RateLimit-Remaining` for the key; a 401 (or a fault answered to a
request without a valid key) has no key to speak for and says `0` and `0`. Every request is
appended to `state.calls`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.standins.sandbox.faults import ArmedFault, FaultKind
from bot.standins.sandbox.keys import ApiKey, Permission
from bot.standins.sandbox.records import AccessLevel
from bot.standins.sandbox.state import Call, SandboxState

API_ROOT = "/api/v1"
KEY_HEADER = "X-API-Key"

AUTH_REQUIRED = "Authentication required"
INVALID_KEY = "Invalid or expired API key"
FORBIDDEN = "Insufficient permissions"
NOT_FOUND = "Resource not found"
SLOT_TAKEN = "Time slot is no longer available"
RATE_LIMITED = "Rate limit exceeded. Please try again later."
SERVER_ERROR = "Internal server error"
GATEWAY_TIMEOUT = "Gateway timeout"
TIMEOUT_STATUS = 504


class ApiError(Exception):
    """An error answer, `{"message": ...}`, raised by an endpoint."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"message": message}, status_code=status, headers=headers)


def rate_limited_response(retry_after: int, headers: dict[str, str]) -> Response:
    return JSONResponse(
        {"message": RATE_LIMITED, "retryAfter": retry_after},
        status_code=429,
        headers={**headers, "Retry-After": str(retry_after), "X-RateLimit-Remaining": "0"},
    )


def rate_headers(key: ApiKey | None, now: datetime) -> dict[str, str]:
    if key is None:
        return {"X-RateLimit-Limit": "0", "X-RateLimit-Remaining": "0"}
    return {
        "X-RateLimit-Limit": str(key.hourly_quota),
        "X-RateLimit-Remaining": str(key.remaining(now)),
    }


@dataclass
class Exchange:
    """One request on its way through an endpoint, with the key that was let in."""

    request: Request
    state: SandboxState
    key: ApiKey
    strict: bool
    path: str
    """The route template, e.g. `/api/v1/appointments/{id}`."""
    fault: str | None = None
    """Set by an endpoint that answers with an injected fault ("conflict")."""
    recorded: bool = False

    @property
    def level(self) -> AccessLevel:
        return self.key.access_level

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query(self, name: str) -> str | None:
        return self.request.query_params.get(name) or None

    def json(self, body: Any, status: int = 200) -> Response:
        return JSONResponse(body, status_code=status)

    async def hang(self, fault: str) -> Response:
        """Log the request as timed out, hang until released, then answer 504."""
        self.state.record(Call(self.request.method, self.path, TIMEOUT_STATUS, fault))
        self.recorded = True
        await self.state.faults.hang(lambda: _client_gone(self.request))
        return error_response(TIMEOUT_STATUS, GATEWAY_TIMEOUT)


Handler = Callable[[Exchange], Awaitable[Response]]


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str
    """Relative to the API root: `/appointments/{id}`."""
    permission: Permission | None
    handler: Handler


async def _client_gone(request: Request) -> None:
    """Return when the client disconnects (ASGI `http.disconnect`)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


def _valid_key(state: SandboxState, request: Request, now: datetime) -> ApiKey | None:
    key = state.keys.get(request.headers.get(KEY_HEADER, ""))
    return key if key is not None and key.valid_at(now) else None


async def _answer_fault(
    request: Request, state: SandboxState, path: str, fault: ArmedFault
) -> Response:
    headers = rate_headers(_valid_key(state, request, state.now()), state.now())
    if fault.kind is FaultKind.TIMEOUT:
        state.record(Call(request.method, path, TIMEOUT_STATUS, fault.kind.value))
        await state.faults.hang(lambda: _client_gone(request))
        response = error_response(TIMEOUT_STATUS, GATEWAY_TIMEOUT, headers)
    else:
        if fault.kind is FaultKind.RATE_LIMIT:
            response = rate_limited_response(fault.retry_after, headers)
        else:
            response = error_response(500, SERVER_ERROR, headers)
        state.record(Call(request.method, path, response.status_code, fault.kind.value))
    return response


async def _answer(
    request: Request, state: SandboxState, endpoint: Endpoint, path: str, *, strict: bool
) -> tuple[Response, Exchange | None]:
    now = state.now()
    header = request.headers.get(KEY_HEADER, "")
    if not header:
        return error_response(401, AUTH_REQUIRED, rate_headers(None, now)), None
    key = _valid_key(state, request, now)
    if key is None:
        return error_response(401, INVALID_KEY, rate_headers(None, now)), None
    if endpoint.permission is not None and endpoint.permission not in key.permissions:
        return error_response(403, FORBIDDEN, rate_headers(key, now)), None
    if not key.try_consume(now):
        return rate_limited_response(key.retry_after(now), rate_headers(key, now)), None
    exchange = Exchange(request, state, key, strict, path)
    try:
        response = await endpoint.handler(exchange)
    except ApiError as error:
        response = error_response(error.status, error.message)
    response.headers.update(rate_headers(key, now))
    return response, exchange


def api_endpoint(
    state: SandboxState, endpoint: Endpoint, *, strict: bool
) -> Callable[[Request], Awaitable[Response]]:
    """The Starlette endpoint for one API route: checks, faults, headers and the call log."""
    path = API_ROOT + endpoint.template

    async def serve(request: Request) -> Response:
        api_path = request.url.path.removeprefix(API_ROOT) or "/"
        fault = state.faults.take(request.method, api_path)
        if fault is not None:
            return await _answer_fault(request, state, path, fault)
        response, exchange = await _answer(request, state, endpoint, path, strict=strict)
        if exchange is None:
            state.record(Call(request.method, path, response.status_code))
        elif not exchange.recorded:
            state.record(Call(request.method, path, response.status_code, exchange.fault))
        return response

    return serve
