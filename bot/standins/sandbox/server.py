"""Assemble the sandbox's ASGI app: the API under `/api/v1`, the controls under `/_sandbox`."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bot.standins.sandbox.control import control_routes
from bot.standins.sandbox.endpoints import DOCUMENTED_ENDPOINTS, UNKNOWN_ENDPOINT, VETS_ENDPOINT
from bot.standins.sandbox.gateway import API_ROOT, NOT_FOUND, api_endpoint, error_response
from bot.standins.sandbox.state import SandboxState

ANY_METHOD = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
"""Methods the catch-all answers (401 / 404): a function route given None would take GET only."""


async def _outside_api(request: Request, exc: Exception) -> Response:
    """Paths outside both roots (and wrong methods on controls) still answer in JSON."""
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    return error_response(status, NOT_FOUND if status == 404 else str(exc))


def create_sandbox_app(state: SandboxState, *, strict: bool = False) -> Starlette:
    """The Treats API over `state`. `strict=True` behaves like an API that knows only the
    documented surface: `?phone=` and `?clientId=` are ignored and `GET /vets` does not exist."""
    endpoints = [*DOCUMENTED_ENDPOINTS, *([] if strict else [VETS_ENDPOINT])]
    routes = [
        Route(
            API_ROOT + e.template,
            api_endpoint(state, e, strict=strict),
            methods=[e.method],
            name=f"{e.method} {e.template}",
        )
        for e in endpoints
    ]
    routes.append(
        Route(
            API_ROOT + UNKNOWN_ENDPOINT.template,
            api_endpoint(state, UNKNOWN_ENDPOINT, strict=strict),
            methods=list(ANY_METHOD),
        )
    )
    return Starlette(
        routes=[*routes, *control_routes(state)],
        exception_handlers={HTTPException: _outside_api},
    )
