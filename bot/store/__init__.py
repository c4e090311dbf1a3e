"""The bot's durable state, per clinic, in one database (a SQLite file, or PostgreSQL for a clinic
group): owner links, bookings, flow events, update ids, the staff side (outbox, requests, the
booking pause), owners' reminders and the clinic-side changes to their appointments.

PTB's own state (user_data, conversations) lives in the same database through
``bot.runtime.persistence.StorePersistence``.
"""

from bot.store.bookings import BookingDraft, BookingRecord, BookingState, Claim
from bot.store.db import DB_FILENAME, DEFAULT_CLINIC, DatabaseUrl, db_path
from bot.store.errors import (
    BookingStateError,
    SchemaBehindError,
    SchemaTooNewError,
    StoreError,
    UnknownBookingError,
)
from bot.store.events import FlowEvent
from bot.store.flags import PAUSED_INDEFINITELY
from bot.store.outbox_rows import (
    OutboxKind,
    OutboxRecord,
    OutboxState,
    OutboxTable,
    StaffButton,
    StaffMessage,
)
from bot.store.owners import LinkVia, OwnerLink
from bot.store.reminder_rows import (
    PlannedReminder,
    ReminderKind,
    ReminderRecord,
    ReminderState,
    ReminderTable,
)
from bot.store.request_rows import RequestKind, RequestRecord, RequestState
from bot.store.stats import MadeBooking
from bot.store.status_changes import (
    NoticeState,
    StatusChange,
    StatusChangeKind,
    StatusChangeTable,
)
from bot.store.store import Store

__all__ = [
    "DB_FILENAME",
    "DEFAULT_CLINIC",
    "PAUSED_INDEFINITELY",
    "BookingDraft",
    "BookingRecord",
    "BookingState",
    "BookingStateError",
    "Claim",
    "DatabaseUrl",
    "FlowEvent",
    "LinkVia",
    "MadeBooking",
    "NoticeState",
    "OutboxKind",
    "OutboxRecord",
    "OutboxState",
    "OutboxTable",
    "OwnerLink",
    "PlannedReminder",
    "ReminderKind",
    "ReminderRecord",
    "ReminderState",
    "ReminderTable",
    "RequestKind",
    "RequestRecord",
    "RequestState",
    "SchemaBehindError",
    "SchemaTooNewError",
    "StaffButton",
    "StaffMessage",
    "StatusChange",
    "StatusChangeKind",
    "StatusChangeTable",
    "Store",
    "StoreError",
    "UnknownBookingError",
    "db_path",
]
