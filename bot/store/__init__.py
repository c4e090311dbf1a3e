"""The bot's durable state in one SQLite file: owner links, bookings, flow events, update ids.

PTB's own state (user_data, conversations) lives in the same file through
``bot.persistence.SqlitePersistence``.
"""

from bot.store.bookings import BookingDraft, BookingRecord, BookingState, Claim
from bot.store.db import DB_FILENAME, SCHEMA_VERSION, db_path
from bot.store.errors import (
    BookingStateError,
    SchemaTooNewError,
    StoreError,
    UnknownBookingError,
)
from bot.store.events import FlowEvent
from bot.store.owners import LinkVia, OwnerLink
from bot.store.store import Store

__all__ = [
    "DB_FILENAME",
    "SCHEMA_VERSION",
    "BookingDraft",
    "BookingRecord",
    "BookingState",
    "BookingStateError",
    "Claim",
    "FlowEvent",
    "LinkVia",
    "OwnerLink",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "UnknownBookingError",
    "db_path",
]
