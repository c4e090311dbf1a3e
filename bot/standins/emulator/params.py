"""Bot API call parameters, whatever the body: query string, JSON, urlencoded or multipart.

Form bodies carry every value as text, nested ones (reply_markup, allowed_updates, commands,
scope) as JSON strings, which is what PTB sends; JSON bodies carry real types. `Params` reads
both alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from bot.standins.emulator import refusals as errors

_JSON_CONTENT = "application/json"
_FORM_CONTENTS = ("application/x-www-form-urlencoded", "multipart/form-data")
_TRUE_WORDS = frozenset({"true", "1", "yes", "on"})


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart body."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Typed, forgiving access to one call's parameters."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self._values = dict(values)

    def __contains__(self, name: str) -> bool:
        return self._values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        return self._values.get(name)

    def text(self, name: str) -> str | None:
        value = self._values.get(name)
        if value is None or isinstance(value, UploadedFile):
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        return value if isinstance(value, str) else str(value)

    def integer(self, name: str, *, invalid: str | None = None) -> int | None:
        """An integer, None if absent; a non-integer is refused with `invalid` (or ignored)."""
        value = self._values.get(name)
        if value is None or value == "":
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            if invalid is None:
                return None
            raise errors.bad_request(invalid) from None

    def flag(self, name: str) -> bool:
        value = self._values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in _TRUE_WORDS
        return bool(value)

    def json(self, name: str) -> Any:
        """A nested value: decoded from a JSON string (form bodies) or taken as is."""
        value = self._values.get(name)
        if isinstance(value, str) and value:
            try:
                return json.loads(value)
            except json.JSONDecodeError:
                raise errors.bad_request(f"can't parse {name} JSON object") from None
        return value

    def file(self, name: str) -> UploadedFile | str | None:
        value = self._values.get(name)
        if isinstance(value, UploadedFile | str):
            return value or None
        return None

    def loggable(self) -> dict[str, Any]:
        """The parameters with files reduced to their name and size, for `BotAccount.calls`."""
        return {
            key: f"<file {value.filename!r}, {len(value.data)} bytes>"
            if isinstance(value, UploadedFile)
            else value
            for key, value in self._values.items()
        }


async def read_params(request: Request) -> Params:
    """Merge the query string and the body, whatever its content type."""
    values: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == _JSON_CONTENT:
        body = await request.body()
        if body:
            try:
                decoded = json.loads(body)
            except json.JSONDecodeError:
                raise errors.bad_request("can't parse JSON encoded request") from None
            if isinstance(decoded, dict):
                values.update(decoded)
    elif content_type in _FORM_CONTENTS:
        async with request.form() as form:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read()
                    values[key] = UploadedFile(value.filename, value.content_type, data)
                else:
                    values[key] = value
    return Params(values)
