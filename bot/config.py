"""Typed settings from the environment (and `.env`), and the clinic's TOML file.

The environment variable names are a contract with outside tooling: keep them. Every bad or
missing setting becomes one `ConfigError` line naming it, all of them at once, never a traceback.
"""

from __future__ import annotations

import itertools
import re
import tomllib
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Annotated, Any, Final, Literal, NamedTuple, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot import phones
from bot.emergency_type import is_urgent
from bot.store.db import CLINIC_KEY_PATTERN, DEFAULT_CLINIC, DatabaseUrl, DatabaseUrlError, db_path
from bot.type_words import check_word, phrase_words

DEFAULT_TELEGRAM_API_URL = "https://api.telegram.org"
DEFAULT_TREATS_API_URL = "https://api.treats.vet/api/v1"
DEFAULT_TIMEZONE = "Europe/Paris"
ENV_TEMPLATE: Final = ".env.example"
"""The documented template of the environment settings."""
CLINIC_TEMPLATE: Final = "clinic.example.toml"
"""The documented template of the clinic file."""
_BOT_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{10,}$")
_API_KEY = re.compile(r"^vk_[A-Za-z0-9_-]+={0,2}$")
_OPENING_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
MAX_REMINDER_HOURS: Final = 24 * 7
"""A reminder further ahead than a week would be forgotten before the appointment."""
WEEKDAYS: Final = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""The ``[schedule]`` keys, in ``date.weekday()`` order."""
TYPE_WORDS_EXAMPLE: Final = '["détartrer", "tartre"]'
"""Shown when a ``[type_words]`` entry is not a list of words."""


class ConfigError(Exception):
    """Settings are missing or wrong: one line per problem, all of them at once.

    `problems` are the lines shown to the operator (`str()` joins them); `templates` name the
    documented examples that describe the settings at fault (`.env.example`, the clinic file's).
    """

    def __init__(self, *problems: str, templates: tuple[str, ...] = ()) -> None:
        super().__init__(*problems)
        self.problems: tuple[str, ...] = problems
        self.templates = templates

    def __str__(self) -> str:
        return "\n".join(self.problems)

    @classmethod
    def combined(cls, errors: list[ConfigError]) -> ConfigError:
        """One error holding every problem (and template) of ``errors``, in order."""
        templates = dict.fromkeys(template for error in errors for template in error.templates)
        problems = (problem for error in errors for problem in error.problems)
        return cls(*problems, templates=tuple(templates))


def _http_url(value: str) -> str:
    if not re.match(r"^https?://[^\s/]+", value):
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/")


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise ValueError(f"{value!r} is not a UUID") from None


class OpeningRange(NamedTuple):
    """Opening hours of one stretch of a day, in minutes after local midnight (end: up to 24:00)."""

    start: int
    end: int

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _opening_range(value: object) -> object:
    """Reads "HH:MM-HH:MM" (a wall-clock range in the clinic's zone, within one day)."""
    if isinstance(value, OpeningRange):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a range like 09:00-12:30")
    match = _OPENING_RANGE.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a range like 09:00-12:30")
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    if start_h > 23 or start_m > 59 or end_m > 59 or end_h > 24 or (end_h == 24 and end_m):
        raise ValueError(f"{value!r} has an impossible time")
    opening = OpeningRange(start_h * 60 + start_m, end_h * 60 + end_m)
    if opening.end <= opening.start:
        raise ValueError(f"{value!r} does not end after it starts (split a night over two days)")
    return opening


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Wall-clock hours in the clinic's zone when owners get no reminder: ``[start, end)``.

    The window may wrap midnight (21:00-08:00: from 21:00 until 08:00 the next morning). Its
    edges are read on the local calendar of each day, so across a daylight-saving change the
    night is an hour shorter or longer but still ends at 08:00 on the clock.
    """

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("quiet hours must not start and end at the same time")

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def wraps_midnight(self) -> bool:
        return self.end < self.start

    def contains(self, instant: datetime, tz: tzinfo) -> bool:
        """Whether the local clock at ``instant`` reads inside the window."""
        return self.began_at(instant, tz) is not None

    def began_at(self, instant: datetime, tz: tzinfo) -> datetime | None:
        """When the quiet night holding ``instant`` began (None: ``instant`` is not quiet)."""
        local = instant.astimezone(tz)
        clock = local.time().replace(tzinfo=None)
        if not self.wraps_midnight:
            inside = self.start <= clock < self.end
            return _at(local.date(), self.start, tz) if inside else None
        if clock >= self.start:
            return _at(local.date(), self.start, tz)
        if clock < self.end:
            return _at(local.date() - timedelta(days=1), self.start, tz)
        return None

    def ends_after(self, instant: datetime, tz: tzinfo) -> datetime | None:
        """When the quiet night holding ``instant`` ends (None: ``instant`` is not quiet)."""
        began = self.began_at(instant, tz)
        if began is None:
            return None
        day = began.astimezone(tz).date() + timedelta(days=1 if self.wraps_midnight else 0)
        return _at(day, self.end, tz)


def _at(day: date, clock: time, tz: tzinfo) -> datetime:
    """A local wall-clock time as an instant in UTC (so that adding a delay adds real time); a
    time skipped by DST reads as after the jump."""
    return datetime.combine(day, clock, tzinfo=tz).astimezone(UTC)


def parse_quiet_hours(value: str) -> QuietHours | None:
    """Reads ``QUIET_HOURS`` ("HH:MM-HH:MM", may wrap midnight); empty means no quiet hours."""
    if not value.strip():
        return None
    match = _OPENING_RANGE.match(value)
    if match is None:
        raise ValueError(f"{value!r} is not a range like 21:00-08:00 (or empty for none)")
    start_h, start_m, end_h, end_m = (int(part) for part in match.groups())
    if max(start_h, end_h) > 23 or max(start_m, end_m) > 59:
        raise ValueError(f"{value!r} has an impossible time")
    if (start_h, start_m) == (end_h, end_m):
        raise ValueError(f"{value!r} starts and ends at the same time")
    return QuietHours(time(start_h, start_m), time(end_h, end_m))


def _day_list(value: object) -> object:
    if isinstance(value, str):
        raise ValueError(f'must be a list of ranges, e.g. ["{value}"]')
    if not isinstance(value, list | tuple):
        raise ValueError('must be a list of ranges, e.g. ["09:00-12:30", "14:00-19:00"]')
    return value


def _no_overlap(ranges: tuple[OpeningRange, ...]) -> tuple[OpeningRange, ...]:
    ordered = tuple(sorted(ranges))
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            raise ValueError(f"ranges '{before}' and '{after}' overlap")
    return ordered


def _type_words(value: object) -> object:
    """Reads ``[type_words]``: a table of appointment type (id or name) = list of words, into
    (type, words) pairs; every problem in it named in one line."""
    if isinstance(value, tuple):
        return value
    if not isinstance(value, dict):
        raise ValueError(f"must be a table: appointment type = {TYPE_WORDS_EXAMPLE}")
    problems: list[str] = []
    owners: dict[tuple[str, ...], str] = {}
    pairs: list[tuple[str, tuple[str, ...]]] = []
    for key, words in value.items():
        if not str(key).strip():
            problems.append("an entry has an empty appointment type")
            continue
        if not isinstance(words, list) or not all(isinstance(word, str) for word in words):
            problems.append(f"{key!r} must be a list of words, e.g. {TYPE_WORDS_EXAMPLE}")
            continue
        for word in words:
            why = check_word(word)
            folded = phrase_words(word)
            if why is not None:
                problems.append(f"{key!r}: {word!r} {why}")
            elif owners.setdefault(folded, key) != key:
                problems.append(f"{word!r} is given to both {owners[folded]!r} and {key!r}")
        pairs.append((key, tuple(word.strip() for word in words)))
    if problems:
        raise ValueError("; ".join(problems))
    return tuple(pairs)


HttpUrl = Annotated[str, AfterValidator(_http_url)]
Uuid = Annotated[str, AfterValidator(_uuid)]
DayHours = Annotated[
    tuple[Annotated[OpeningRange, BeforeValidator(_opening_range)], ...],
    BeforeValidator(_day_list),
    AfterValidator(_no_overlap),
]


SettingsT = TypeVar("SettingsT", bound=BaseSettings)


class StoreSettings(BaseSettings):
    """Where the data lives: all that ``vetbot store`` needs (no token, no clinic)."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
    )

    vetbot_data_dir: Path = Path("./data")
    database_url: SecretStr | None = None
    """Where the data lives: unset, a SQLite file in VETBOT_DATA_DIR; ``sqlite:///path``; or
    ``postgresql://user:password@host/db`` for a clinic group (``vetbot store migrate`` first).
    Secret: it may carry the database's password."""

    @property
    def database(self) -> DatabaseUrl:
        """``DATABASE_URL`` (already checked when the settings were loaded), else the SQLite
        file in ``VETBOT_DATA_DIR``."""
        if self.database_url is None:
            return DatabaseUrl.sqlite(db_path(self.vetbot_data_dir))
        return DatabaseUrl.parse(self.database_url.get_secret_value())

    @property
    def database_password(self) -> list[str]:
        """The database URL's password, as written and as decoded, for the log redaction."""
        if self.database_url is None:
            return []
        url = self.database
        return sorted({form for form in (url.password, url.written_password) if form})

    @field_validator("database_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """``DATABASE_URL=`` (as in .env.example) means the default SQLite file."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("database_url")
    @classmethod
    def _database_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            try:
                DatabaseUrl.parse(value.get_secret_value())
            except DatabaseUrlError as error:
                raise ValueError(str(error).removeprefix("DATABASE_URL ")) from None
        return value


class Settings(StoreSettings):
    """Process settings. Field names map to the upper-case environment variables."""

    telegram_bot_token: SecretStr
    telegram_api_url: HttpUrl = DEFAULT_TELEGRAM_API_URL
    treats_api_url: HttpUrl = DEFAULT_TREATS_API_URL
    treats_api_key: SecretStr
    clinic_config: Path
    staff_chat_id: int | None = None
    vetbot_link_secret: SecretStr | None = None
    staff_announce: Literal["all", "urgent"] = "all"
    staff_realert_minutes: int = Field(default=5, ge=1)
    log_format: Literal["text", "json"] = "text"
    """One line per event: key=value text, or JSON objects for a log shipper."""
    webhook_url: HttpUrl | None = None
    """The public https URL Telegram posts updates to (`vetbot webhook`)."""
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_listen: str = "0.0.0.0"
    webhook_secret: SecretStr | None = None
    mini_app_url: HttpUrl | None = None
    """The public https URL of the week view (a Telegram Mini App), served by vetbot on
    WEBHOOK_PORT in either mode (docs/mini-app.md); unset: the chat flow alone."""
    """Telegram's secret_token for the webhook; a random one per start when unset."""
    late_cancellation_hours: float = Field(default=24, ge=0, le=168)
    """Closer than this to the appointment, cancelling or moving it is a phone call."""
    triage_lexicon: Path | None = None
    """A clinic's own red-flag phrases (TOML, the format of bot/triage_lexicon.toml), merged
    into the built-in lexicon."""
    reminder_first_hours: float = Field(default=24, ge=0, le=MAX_REMINDER_HOURS)
    """The first reminder ("demain"), this many hours before the appointment; 0: none."""
    reminder_second_hours: float = Field(default=2, ge=0, le=MAX_REMINDER_HOURS)
    """The second reminder ("bientôt"), this many hours before; 0: none."""
    quiet_hours: str = "21:00-08:00"
    """No reminder at night: "HH:MM-HH:MM" in the clinic's zone; empty: none."""
    status_quota_share: float = Field(default=0.10, gt=0, le=0.5)
    """The share of the key's hourly quota spent re-reading upcoming appointments."""

    def week_view_url(self, *, webhook: bool) -> str | None:
        return week_view_page(self.mini_app_url, self.webhook_url, webhook=webhook)

    @property
    def staff_realert_after(self) -> timedelta:
        """How long an urgent alert may stay unacknowledged before it is sent again."""
        return timedelta(minutes=self.staff_realert_minutes)

    @property
    def reminder_first(self) -> timedelta | None:
        """How long before the appointment the first reminder goes out; None: off."""
        return _hours(self.reminder_first_hours)

    @property
    def reminder_second(self) -> timedelta | None:
        """How long before the appointment the second reminder goes out; None: off."""
        return _hours(self.reminder_second_hours)

    @property
    def secrets(self) -> list[str]:
        """Every secret value set, for the log redaction (of a database URL, its password)."""
        fields = (
            self.telegram_bot_token,
            self.treats_api_key,
            self.webhook_secret,
            self.vetbot_link_secret,
        )
        found = [field.get_secret_value() for field in fields if field is not None]
        return found + self.database_password

    @property
    def quiet_window(self) -> QuietHours | None:
        """``QUIET_HOURS`` parsed (already checked when the settings were loaded)."""
        return parse_quiet_hours(self.quiet_hours)

    @field_validator("quiet_hours")
    @classmethod
    def _quiet_shape(cls, value: str) -> str:
        parse_quiet_hours(value)
        return value.strip()

    @field_validator("triage_lexicon", mode="before")
    @classmethod
    def _no_lexicon_when_empty(cls, value: object) -> object:
        """``TRIAGE_LEXICON=`` (as in .env.example) means none, not the current folder."""
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("reminder_second_hours")
    @classmethod
    def _after_the_first(cls, value: float, info: ValidationInfo) -> float:
        first = info.data.get("reminder_first_hours")
        if value and first and value >= first:
            raise ValueError(f"must be less than REMINDER_FIRST_HOURS ({first:g}), or 0 for none")
        return value

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not _BOT_TOKEN.match(value.get_secret_value()):
            raise ValueError("does not look like a bot token (digits:letters, from @BotFather)")
        return value

    @field_validator("mini_app_url", mode="before")
    @classmethod
    def _mini_app_unset(cls, value: object) -> object:
        return empty_is_unset(value)  # "MINI_APP_URL=" as .env.example has it

    @field_validator("mini_app_url")
    @classmethod
    def _mini_app_https(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("https://"):
            raise ValueError("must be an https URL: Telegram opens Mini Apps over HTTPS only")
        return value

    @field_validator("treats_api_key")
    @classmethod
    def _key_shape(cls, value: SecretStr) -> SecretStr:
        if not _API_KEY.match(value.get_secret_value()):
            raise ValueError("does not look like a Treats API key (vk_...)")
        return value


def week_view_page(
    mini_app_url: str | None, webhook_url: str | None, *, webhook: bool
) -> str | None:
    """Where owners open the week view: MINI_APP_URL, else in webhook mode
    ``{WEBHOOK_URL}/app`` when that is https (the bot has a public address there already, and
    its web server serves the page); None: no week view."""
    if mini_app_url is not None:
        return mini_app_url
    if webhook and webhook_url is not None and webhook_url.startswith("https://"):
        return f"{webhook_url}/app"
    return None


def empty_is_unset(value: object) -> object:
    """A setting written empty in .env (``MINI_APP_URL=``) is not set."""
    return None if value == "" else value


def _hours(hours: float) -> timedelta | None:
    return timedelta(hours=hours) if hours > 0 else None


class ClinicLocation(BaseSettings):
    """Just CLINIC_CONFIG, for commands that need the clinic's zone but no secrets."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    clinic_config: Path | None = None


class VetConfig(BaseModel):
    """A vet of the clinic: the API cannot list them, so the clinic's file does."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Uuid
    name: str = Field(min_length=1)
    appointment_types: tuple[Uuid, ...] | None = None

    def does(self, appointment_type_id: str) -> bool:
        return self.appointment_types is None or appointment_type_id in self.appointment_types


class ScheduleConfig(BaseModel):
    """``[schedule]``: each weekday's opening ranges; a day left out (or ``[]``) is closed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    monday: DayHours = ()
    tuesday: DayHours = ()
    wednesday: DayHours = ()
    thursday: DayHours = ()
    friday: DayHours = ()
    saturday: DayHours = ()
    sunday: DayHours = ()

    @model_validator(mode="before")
    @classmethod
    def _known_days(cls, data: Any) -> Any:
        if isinstance(data, dict):
            unknown = [key for key in data if key not in WEEKDAYS]
            if unknown:
                raise ValueError(f"unknown day {unknown[0]!r} (monday ... sunday, in English)")
        return data

    def day(self, weekday: int) -> tuple[OpeningRange, ...]:
        """The ranges of ``date.weekday()`` ``weekday`` (0 is Monday)."""
        ranges: tuple[OpeningRange, ...] = getattr(self, WEEKDAYS[weekday])
        return ranges


class ClinicConfig(BaseModel):
    """The clinic TOML (see clinic.example.toml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(default=DEFAULT_CLINIC, pattern=CLINIC_KEY_PATTERN)
    """The clinic's key in the database, its metrics and its logs: lower-case letters, digits,
    ``-`` and ``_``. Never change it once the bot has run: the clinic's data is filed under it."""
    name: str = Field(min_length=1)
    timezone: str = DEFAULT_TIMEZONE
    locale: Literal["fr", "en"] = "fr"
    phone: str = Field(min_length=1)
    emergency_phone: str | None = None
    opening_hours: str = Field(min_length=1)
    address: str | None = None
    schedule: ScheduleConfig | None = None
    """Machine-readable opening hours; None: unknown (``opening_hours`` is the text shown)."""
    vets: tuple[VetConfig, ...] = Field(min_length=1)
    min_notice_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    """No slot starting sooner than this is offered: the staff need time to hear of a booking
    (an urgent case is the exception: it takes today's earliest slot and the staff are
    alerted at once)."""
    grace_minutes: int = Field(default=15, ge=0, le=24 * 60)
    """For this long after booking, an owner may cancel or move the appointment in the bot,
    even inside LATE_CANCELLATION_HOURS: a slip noticed at once is not a late cancellation."""
    urgent_types: tuple[str, ...] | None = None
    """Appointment types that start the urgent path, by id or by name (any case or accent).
    Unset: every type whose name reads as an emergency ("Urgence", "Emergency"); ``[]``: none."""
    type_words: Annotated[
        tuple[tuple[str, tuple[str, ...]], ...], BeforeValidator(_type_words)
    ] = ()
    """``[type_words]``: owners' words for an appointment type, by type id or name (any case
    or accent), on top of the built-in ones (``bot.type_words.KINDS``); a word given here
    means that type only. Pass it to ``read_request(type_words=...)`` and ``match_type``."""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (e.g. Europe/Paris)") from None
        return value

    @field_validator("phone", "emergency_phone")
    @classmethod
    def _dialable(cls, value: str | None, info: ValidationInfo) -> str | None:
        """A number as the clinic writes it (kept as written; see ``phone_display``): a long
        number in any usual way, or a short service number of the clinic's country (3115)."""
        if value is None:
            return None
        phone = info.data.get("phone") if info.field_name == "emergency_phone" else value
        region = phones.region_of(phone) if isinstance(phone, str) else "FR"
        if phones.for_owners(value, region) is None:
            raise ValueError(
                f"{value!r} is not a phone number or a short service number (like 3115)"
            )
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def phone_region(self) -> str:
        """Region used to read owners' national numbers: the clinic's own phone tells it."""
        return phones.region_of(self.phone)

    @property
    def phone_display(self) -> str:
        """``phone`` as owners dial it: "04 65 71 20 30" (national format, whatever the
        spelling in the file), a short number as is. Plain text: escape it for HTML as any."""
        return phones.for_owners(self.phone, self.phone_region) or self.phone

    @property
    def emergency_display(self) -> str | None:
        """``emergency_phone`` as owners dial it ("3115", "04 65 71 20 39"); None when unset."""
        if self.emergency_phone is None:
            return None
        return phones.for_owners(self.emergency_phone, self.phone_region) or self.emergency_phone

    def vet(self, vet_id: str) -> VetConfig | None:
        return next((vet for vet in self.vets if vet.id == vet_id), None)

    def is_urgent_type(self, type_id: str, name: str) -> bool:
        """Whether booking this appointment type starts the urgent path (see ``urgent_types``;
        the rule is ``bot.emergency_type.is_urgent``)."""
        return is_urgent(self.urgent_types, type_id, name)

    @property
    def min_notice(self) -> timedelta:
        return timedelta(minutes=self.min_notice_minutes)

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.grace_minutes)


def validation_problems(error: ValidationError) -> list[tuple[str, str]]:
    """The location and message of every validation error, one line of output each.

    A list too short only because its bad items were dropped ("vets" when "vets.0.id" is
    wrong) is not a problem of its own.
    """
    details = error.errors()
    locs = [detail["loc"] for detail in details]
    found: list[tuple[str, str]] = []
    for detail in details:
        here = detail["loc"]
        if detail["type"] == "too_short" and any(
            len(other) > len(here) and other[: len(here)] == here for other in locs
        ):
            continue
        loc = ".".join(str(part) for part in here)
        message = detail["msg"]
        if detail["type"] == "missing":
            message = "is missing"
        elif message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        if (loc, message) not in found:
            found.append((loc, message))
    return found


def load_settings(**overrides: Any) -> Settings:
    """Read the settings; raise ConfigError naming every bad one."""
    return _load(Settings, overrides)


def load_store_settings() -> StoreSettings:
    """Read the settings ``vetbot store`` needs; raise ConfigError naming every bad one."""
    return _load(StoreSettings, {})


def _load(kind: type[SettingsT], overrides: dict[str, Any]) -> SettingsT:
    try:
        return kind(**overrides)
    except ValidationError as error:
        problems = (f"{loc.upper()} {message}" for loc, message in validation_problems(error))
        raise ConfigError(*problems, templates=(ENV_TEMPLATE,)) from None


def load_clinic(path: Path) -> ClinicConfig:
    """Read and check the clinic TOML; raise ConfigError naming the file and the key."""
    where = f"CLINIC_CONFIG ({path})"
    template = (CLINIC_TEMPLATE,)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{where}: file not found", templates=template) from None
    except OSError as error:
        raise ConfigError(f"{where}: cannot read it ({error.strerror})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{where}: not valid TOML ({error})", templates=template) from None
    try:
        return ClinicConfig.model_validate(data)
    except ValidationError as error:
        problems = (f"{where}: {loc} {message}" for loc, message in validation_problems(error))
        raise ConfigError(*problems, templates=template) from None


def load_configuration(needed: dict[str, str] | None = None) -> tuple[Settings, ClinicConfig]:
    """The settings and the clinic file of a command, every problem in both named at once.

    ``needed`` maps optional settings this command cannot do without to the reason
    (``{"vetbot_link_secret": "it signs invite links"}``). The clinic file is read even when
    other settings are wrong, as long as CLINIC_CONFIG itself is known.
    """
    errors: list[ConfigError] = []
    settings: Settings | None = None
    try:
        settings = load_settings()
    except ConfigError as error:
        errors.append(error)
    if settings is not None:
        missing = [
            f"{name.upper()} is missing: {why}"
            for name, why in (needed or {}).items()
            if getattr(settings, name) is None
        ]
        if missing:
            errors.append(ConfigError(*missing, templates=(ENV_TEMPLATE,)))
        clinic_path: Path | None = settings.clinic_config
    else:
        try:
            clinic_path = ClinicLocation().clinic_config
        except ValidationError:
            clinic_path = None  # already named among the settings' problems
    clinic: ClinicConfig | None = None
    if clinic_path is not None:
        try:
            clinic = load_clinic(clinic_path)
        except ConfigError as error:
            errors.append(error)
    if errors or settings is None or clinic is None:
        raise ConfigError.combined(errors)
    return settings, clinic
