"""Unpickling the state kept across restarts when its class has grown since it was saved.

An owner's conversation (`conversations.session.Session`, its `bot.booking.Draft`) is stored
pickled by `bot.runtime.persistence.StorePersistence`. A version that adds a field must still load
what the previous one stored, or every owner mid-booking at the upgrade would meet an
``AttributeError`` instead of their next step.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any


def restore_fields(obj: Any, state: object) -> None:
    """Set the dataclass ``obj`` from its pickled ``state`` (a dict, or the ``(None, slots)``
    pair of a slots class); a field the state lacks takes its default."""
    values = state[1] if isinstance(state, tuple) else state
    if not isinstance(values, dict):
        raise TypeError(f"cannot restore {type(obj).__name__} from {type(state).__name__}")
    for item in fields(obj):
        if item.name in values:
            value = values[item.name]
        elif item.default is not MISSING:
            value = item.default
        elif item.default_factory is not MISSING:
            value = item.default_factory()
        else:
            raise TypeError(f"{type(obj).__name__}.{item.name} has no default to restore")
        object.__setattr__(obj, item.name, value)
