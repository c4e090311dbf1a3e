"""A clinic group as configuration: one deployment, many clinics, each with its own bot.

``CLINICS_DIR`` (environment or ``.env``) turns the deployment into a group: every ``*.toml``
file directly in that folder declares one clinic (sorted by file name; dot-files, other files
and subfolders are ignored). A clinic file is the clinic TOML of a single clinic (every
``ClinicConfig`` key, ``id`` required) plus a ``[bot]`` table naming where this clinic's secrets
are (an environment variable or a file, never the value itself) and its own settings. Unset,
the deployment is the single clinic of ``CLINIC_CONFIG``, exactly as before.

``load_deployment()`` reads either into a ``Deployment``: the process-wide settings and one
``ClinicBot`` (a clinic and its full ``Settings``) per clinic, so that the per-clinic code runs
each clinic unchanged. A bad clinic file does not stop the others: it is listed in
``Deployment.refused`` with its problems, one line each naming the file and the key, never a
secret value. Process-wide problems, or no valid clinic at all, raise ``ConfigError``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets as random_secrets
import tomllib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal, NamedTuple

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.config import (
    CLINIC_TEMPLATE,
    DEFAULT_TELEGRAM_API_URL,
    ENV_TEMPLATE,
    ClinicConfig,
    ConfigError,
    HttpUrl,
    Settings,
    StoreSettings,
    empty_is_unset,
    load_configuration,
    load_settings,
    validation_problems,
    week_view_page,
)
from bot.triage import Lexicon, default_lexicon

GROUP_TEMPLATE: Final = "clinics.example/"
"""The documented example clinic files of a group (docs/clinic-group.md describes them)."""
_TEMPLATES: Final = (GROUP_TEMPLATE, CLINIC_TEMPLATE)
DOTENV: Final = ".env"
"""Where settings are read besides the environment (as ``Settings`` reads it)."""

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PLACEHOLDER_TOKEN: Final = "0:placeholder-not-a-token"
_PLACEHOLDER_KEY: Final = "vk_placeholder-not-a-key"
_SHOWN_SECRET_MIN: Final = 6
"""A secret value at least this long is masked should it ever reach a problem line."""


class _Secret(NamedTuple):
    """A ``[bot]`` secret: read from ``{key}_env`` or ``{key}_file``, into ``field``."""

    key: str
    field: str
    required: bool
    what: str


_SECRETS: Final = (
    _Secret("telegram_token", "telegram_bot_token", True, "the bot token from @BotFather"),
    _Secret("treats_api_key", "treats_api_key", True, "the clinic's Treats API key"),
    _Secret("link_secret", "vetbot_link_secret", False, "the invite links' signing secret"),
    _Secret("webhook_secret", "webhook_secret", False, "Telegram's webhook secret token"),
)
OVERRIDES: Final = (
    "staff_announce",
    "staff_realert_minutes",
    "late_cancellation_hours",
    "reminder_first_hours",
    "reminder_second_hours",
    "quiet_hours",
    "status_quota_share",
    "triage_lexicon",
)
"""``[bot]`` keys overriding, for one clinic, the setting of the same name in upper case."""
BOT_KEYS: Final = (
    *(f"{secret.key}_{how}" for secret in _SECRETS for how in ("env", "file")),
    "treats_api_url",
    "staff_chat_id",
    *OVERRIDES,
)
"""Every key a ``[bot]`` table may hold."""
_SECRET_VALUE_KEYS: Final = {
    "telegram_token": "telegram_token",
    "telegram_bot_token": "telegram_token",
    "bot_token": "telegram_token",
    "token": "telegram_token",
    "treats_api_key": "treats_api_key",
    "api_key": "treats_api_key",
    "link_secret": "link_secret",
    "vetbot_link_secret": "link_secret",
    "webhook_secret": "webhook_secret",
}
"""Keys that would hold a secret value, and the ``[bot]`` key base to use instead."""
PER_CLINIC_ONLY: Final = (
    "TELEGRAM_BOT_TOKEN",
    "TREATS_API_KEY",
    "CLINIC_CONFIG",
    "STAFF_CHAT_ID",
    "VETBOT_LINK_SECRET",
    "WEBHOOK_SECRET",
)
"""Single-clinic settings a group does not read: each clinic's ``[bot]`` table says them."""
PER_CLINIC_FIELDS: Final = frozenset({secret.field for secret in _SECRETS} | {"staff_chat_id"})
"""``Settings`` fields each clinic of a group sets in its ``[bot]`` table (or leaves unset)."""
_FINGERPRINT_KEY: Final = random_secrets.token_bytes(32)
"""Fingerprints are keyed per process: comparable within it, and no digest of a secret that
could be tried against guesses."""


class ProcessSettings(StoreSettings):
    """What every clinic of the deployment shares (the values are those of ``Settings``).

    Built by ``load_deployment`` from the already validated settings; constructing it directly
    reads the environment and ``.env`` as ``Settings`` does.
    """

    clinics_dir: Path | None = None
    """``CLINICS_DIR``: the folder of the group's clinic files; None: a single clinic."""
    telegram_api_url: HttpUrl = DEFAULT_TELEGRAM_API_URL
    log_format: Literal["text", "json"] = "text"
    webhook_url: HttpUrl | None = None
    webhook_port: int = Field(default=8080, ge=1, le=65535)
    webhook_listen: str = "0.0.0.0"
    mini_app_url: HttpUrl | None = None

    @field_validator("clinics_dir", mode="before")
    @classmethod
    def _empty_dir_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("mini_app_url", mode="before")
    @classmethod
    def _mini_app_unset(cls, value: object) -> object:
        return empty_is_unset(value)

    def week_view_url(self, *, webhook: bool) -> str | None:
        """The group's week view page; each clinic's is this followed by its id."""
        return week_view_page(self.mini_app_url, self.webhook_url, webhook=webhook)

    @property
    def is_group(self) -> bool:
        return self.clinics_dir is not None

    @property
    def secrets(self) -> list[str]:
        """The process-wide secret values (the database's password), for the log redaction."""
        return self.database_password


class _GroupLocation(BaseSettings):
    """Just CLINICS_DIR, to tell a group from a single clinic."""

    model_config = SettingsConfigDict(env_file=DOTENV, env_file_encoding="utf-8", extra="ignore")

    clinics_dir: Path | None = None

    @field_validator("clinics_dir", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


class _SingleClinicOnly(BaseSettings):
    """The single-clinic settings a group ignores, to tell the operator they are set."""

    model_config = SettingsConfigDict(env_file=DOTENV, env_file_encoding="utf-8", extra="ignore")

    telegram_bot_token: str | None = None
    treats_api_key: str | None = None
    clinic_config: str | None = None
    staff_chat_id: str | None = None
    vetbot_link_secret: str | None = None
    webhook_secret: str | None = None


class _ExplicitSettings(Settings):
    """``Settings`` validated from the values given only: neither the environment nor ``.env``
    (a group clinic's token is not TELEGRAM_BOT_TOKEN, nor its staff chat STAFF_CHAT_ID)."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


@dataclass(frozen=True)
class ClinicBot:
    """One clinic of the deployment: its file, and the full settings its bot runs with.

    ``fingerprint`` changes when anything the clinic was built from changes (its file's keys,
    a secret's value, an inherited setting, its triage lexicon's content); it is a keyed digest,
    comparable within this process only, and shows nothing of the secrets.
    """

    clinic: ClinicConfig
    settings: Settings
    source: Path | None
    fingerprint: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fingerprint", _fingerprint(self))

    @property
    def id(self) -> str:
        return self.clinic.id

    def __repr__(self) -> str:
        source = str(self.source) if self.source is not None else None
        return (
            f"ClinicBot(id={self.clinic.id!r}, name={self.clinic.name!r}, source={source!r}, "
            f"fingerprint={self.fingerprint[:12]!r})"
        )


class RefusedClinic(NamedTuple):
    """A clinic file that was not loaded: where, and every problem in it (one line each)."""

    source: Path
    problems: tuple[str, ...]


@dataclass(frozen=True)
class DeploymentChanges:
    """How a newer deployment differs from an older one, clinic by clinic (by id).

    ``changed`` holds the newer ``ClinicBot`` of each clinic whose fingerprint changed;
    ``broken``, the older ``ClinicBot`` of each clinic whose file is still there but now
    refused (the caller may keep it running as it was); ``removed``, the older ones no longer
    declared at all. ``process_changed``: a process-wide setting changed (database, webhook,
    log format...), which a reload alone cannot apply.
    """

    added: tuple[ClinicBot, ...] = ()
    removed: tuple[ClinicBot, ...] = ()
    changed: tuple[ClinicBot, ...] = ()
    unchanged: tuple[str, ...] = ()
    broken: tuple[ClinicBot, ...] = ()
    process_changed: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.added or self.removed or self.changed or self.broken or self.process_changed
        )

    def __str__(self) -> str:
        parts = [
            f"{label} {', '.join(bot.id for bot in bots)}"
            for label, bots in (
                ("added", self.added),
                ("removed", self.removed),
                ("changed", self.changed),
                ("refused now", self.broken),
            )
            if bots
        ]
        if self.process_changed:
            parts.append("process-wide settings changed")
        return "; ".join(parts) or "nothing changed"


@dataclass(frozen=True)
class Deployment:
    """What this process serves: the shared settings, the valid clinics, the refused files.

    ``ignored``: single-clinic settings set in the environment or ``.env`` that a group does
    not read (``PER_CLINIC_ONLY``), for the caller to warn about.
    """

    settings: ProcessSettings
    clinics: tuple[ClinicBot, ...]
    refused: tuple[RefusedClinic, ...] = ()
    ignored: tuple[str, ...] = ()

    @property
    def is_group(self) -> bool:
        return self.settings.is_group

    @property
    def secrets(self) -> list[str]:
        """Every secret value of every clinic and of the process, for the log redaction."""
        found = [*self.settings.secrets]
        for bot in self.clinics:
            found.extend(bot.settings.secrets)
        return list(dict.fromkeys(value for value in found if value))

    def clinic(self, clinic_id: str) -> ClinicBot | None:
        return next((bot for bot in self.clinics if bot.clinic.id == clinic_id), None)

    def changes(self, newer: Deployment) -> DeploymentChanges:
        """What changed from this deployment to ``newer``, clinic by clinic."""
        old = {bot.id: bot for bot in self.clinics}
        new = {bot.id: bot for bot in newer.clinics}
        refused_now = {refused.source for refused in newer.refused}
        gone = [bot for cid, bot in old.items() if cid not in new]
        return DeploymentChanges(
            added=tuple(bot for cid, bot in new.items() if cid not in old),
            removed=tuple(bot for bot in gone if bot.source not in refused_now),
            changed=tuple(
                bot
                for cid, bot in new.items()
                if cid in old and old[cid].fingerprint != bot.fingerprint
            ),
            unchanged=tuple(
                cid
                for cid, bot in new.items()
                if cid in old and old[cid].fingerprint == bot.fingerprint
            ),
            broken=tuple(bot for bot in gone if bot.source in refused_now),
            process_changed=self.settings != newer.settings,
        )


def load_deployment(needed: Mapping[str, str] | None = None) -> Deployment:
    """The deployment: a clinic group when CLINICS_DIR is set, else the single clinic of
    ``load_configuration`` (same behaviour, same errors).

    ``needed`` maps optional ``Settings`` fields the command cannot do without to the reason
    (as for ``load_configuration``); in a group, a per-clinic one (``vetbot_link_secret``,
    ``webhook_secret``, ``staff_chat_id``) missing refuses that clinic only.
    Raises ``ConfigError`` on a process-wide problem or when no clinic is valid.
    """
    try:
        clinics_dir = _GroupLocation().clinics_dir
    except ValidationError as error:  # pragma: no cover - a Path accepts any text
        raise ConfigError(
            *(f"CLINICS_DIR {message}" for _, message in validation_problems(error))
        ) from None
    if clinics_dir is None:
        settings, clinic = load_configuration(dict(needed) if needed else None)
        return Deployment(
            _process_settings(settings, None),
            (ClinicBot(clinic, settings, settings.clinic_config),),
        )
    return _load_group(clinics_dir, needed or {})


def _process_settings(settings: Settings, clinics_dir: Path | None) -> ProcessSettings:
    values = {
        name: getattr(settings, name)
        for name in ProcessSettings.model_fields
        if name != "clinics_dir"
    }
    fields_set = {name for name in settings.model_fields_set if name in values}
    return ProcessSettings.model_construct(
        _fields_set=fields_set | ({"clinics_dir"} if clinics_dir else set()),
        clinics_dir=clinics_dir,
        **values,
    )


def _load_group(clinics_dir: Path, needed: Mapping[str, str]) -> Deployment:
    errors: list[ConfigError] = []
    template: Settings | None = None
    try:
        # The process's values, validated as Settings validates them. The per-clinic ones are
        # given (valid placeholders, None), so that the environment's TELEGRAM_BOT_TOKEN & co
        # are shadowed: never validated, never used (each clinic's come from its [bot] table).
        template = load_settings(
            telegram_bot_token=_PLACEHOLDER_TOKEN,
            treats_api_key=_PLACEHOLDER_KEY,
            clinic_config=Path(os.devnull),
            staff_chat_id=None,
            vetbot_link_secret=None,
            webhook_secret=None,
        )
    except ConfigError as error:
        errors.append(error)
    if template is not None:
        missing = [
            f"{name.upper()} is missing: {why}"
            for name, why in needed.items()
            if name not in PER_CLINIC_FIELDS and getattr(template, name) is None
        ]
        if missing:
            errors.append(ConfigError(*missing, templates=(ENV_TEMPLATE,)))
        template = _without_empty_lexicon(template)
        if template.triage_lexicon is not None:
            problem = _lexicon_problem(template.triage_lexicon)
            if problem is not None:
                errors.append(ConfigError(f"TRIAGE_LEXICON ({template.triage_lexicon}): {problem}"))
    where_dir = f"CLINICS_DIR ({clinics_dir})"
    files: list[Path] = []
    try:
        if not clinics_dir.exists():
            errors.append(
                ConfigError(f"{where_dir}: folder not found", templates=(GROUP_TEMPLATE,))
            )
        elif not clinics_dir.is_dir():
            errors.append(ConfigError(f"{where_dir}: not a folder", templates=(GROUP_TEMPLATE,)))
        else:
            files = sorted(
                (
                    path
                    for path in clinics_dir.iterdir()
                    if path.suffix == ".toml" and not path.name.startswith(".") and path.is_file()
                ),
                key=lambda path: path.name,
            )
            if not files:
                errors.append(
                    ConfigError(
                        f"{where_dir}: no clinic file (*.toml) in it", templates=(GROUP_TEMPLATE,)
                    )
                )
    except OSError as error:
        errors.append(ConfigError(f"{where_dir}: cannot read it ({error.strerror})"))
    lookup = _environment()
    readings = [
        _read_clinic_file(path, f"{where_dir}/{path.name}", template, lookup, needed)
        for path in files
    ]
    _refuse_clashes(readings)
    problems = [problem for reading in readings for problem in reading.problems]
    if errors:
        # Process-wide problems first; the clinic files' own problems with them, all at once.
        raise ConfigError.combined(
            [*errors, ConfigError(*problems, templates=_TEMPLATES if problems else ())]
        )
    assert template is not None
    clinics = tuple(reading.bot for reading in readings if reading.bot is not None)
    if not clinics:
        raise ConfigError(*problems, templates=_TEMPLATES)
    refused = tuple(
        RefusedClinic(reading.source, tuple(reading.problems))
        for reading in readings
        if reading.bot is None
    )
    named = {name for reading in readings for name in reading.env_names}
    ignored = _ignored(named)
    return Deployment(_process_settings(template, clinics_dir), clinics, refused, ignored)


def _ignored(named: set[str]) -> tuple[str, ...]:
    """The single-clinic settings set but not read (one a clinic file names is read)."""
    try:
        found = _SingleClinicOnly()
    except ValidationError:  # pragma: no cover - every field is text
        return ()
    return tuple(
        name
        for name in PER_CLINIC_ONLY
        if name not in named and (getattr(found, name.lower()) or "").strip()
    )


def _without_empty_lexicon(settings: Settings) -> Settings:
    """``TRIAGE_LEXICON=`` (as in .env.example) reads as the path "."; in a group it means none,
    as documented."""
    if settings.triage_lexicon is not None and str(settings.triage_lexicon) in ("", "."):
        return settings.model_copy(update={"triage_lexicon": None})
    return settings


def _lexicon_problem(path: Path) -> str | None:
    """Why this lexicon extension would stop the clinic's bot at start-up (None: it loads)."""
    try:
        default_lexicon().merge(Lexicon.load(path))
    except FileNotFoundError:
        return "file not found"
    except IsADirectoryError:
        return "is a folder, not a file"
    except OSError as error:
        return f"cannot read it ({error.strerror})"
    except ValueError as error:
        return str(error)
    return None


def _environment() -> Callable[[str], str | None]:
    """The value of an environment variable named by a clinic file: the environment first,
    then ``.env`` (as the settings are read)."""
    dotenv: dict[str, str | None] = {}
    if Path(DOTENV).is_file():
        dotenv = dict(dotenv_values(DOTENV, encoding="utf-8"))

    def lookup(name: str) -> str | None:
        value = os.environ.get(name)
        return value if value is not None else dotenv.get(name)

    return lookup


@dataclass
class _Reading:
    """One clinic file as read: its clinic (when valid), its problems, and the values that
    must be unique across the group (whatever else is wrong in the file)."""

    source: Path
    where: str
    bot: ClinicBot | None = None
    problems: list[str] = field(default_factory=list)
    clinic_id: str | None = None
    token: str | None = None
    token_key: str = "bot.telegram_token_env"
    staff_chat_id: int | None = None
    env_names: list[str] = field(default_factory=list)


def _read_clinic_file(
    path: Path,
    where: str,
    template: Settings | None,
    lookup: Callable[[str], str | None],
    needed: Mapping[str, str],
) -> _Reading:
    reading = _Reading(path, where)
    problems = reading.problems

    def problem(key: str, message: str) -> None:
        problems.append(f"{where}: {key}: {message}" if key else f"{where}: {message}")

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        problem("", f"cannot read it ({error.strerror})")
        return reading
    except UnicodeDecodeError:
        problem("", "not UTF-8 text")
        return reading
    except tomllib.TOMLDecodeError as error:
        problem("", f"not valid TOML ({error})")
        return reading

    bot = data.pop("bot", None)
    for key in [key for key in data if key in _SECRET_VALUE_KEYS]:
        del data[key]
        base = _SECRET_VALUE_KEYS[key]
        problem(
            key, f"a secret never sits in a clinic file: in [bot], use {base}_env or {base}_file"
        )

    if isinstance(data.get("id"), str):
        reading.clinic_id = data["id"]
    clinic: ClinicConfig | None = None
    if "id" not in data:
        problem(
            "id", 'missing: a clinic group needs each clinic\'s key in the database (id = "lyon-3")'
        )
    try:
        clinic = ClinicConfig.model_validate(data)
    except ValidationError as error:
        for loc, message in validation_problems(error):
            problem(loc, "missing" if message == "is missing" else message)

    values: dict[str, Any] = {}
    read: dict[str, str] = {}  # secret field -> the "[bot]" key it was read from
    subjects: dict[str, str] = {}  # secret field -> what holds it, for messages
    if bot is None:
        problem(
            "bot",
            "missing: the [bot] table (telegram_token_env or telegram_token_file, "
            "treats_api_key_env or treats_api_key_file)",
        )
        return reading
    if not isinstance(bot, dict):
        problem("bot", "must be a table ([bot])")
        return reading
    for key in bot:
        if key in _SECRET_VALUE_KEYS:
            base = _SECRET_VALUE_KEYS[key]
            problem(
                f"bot.{key}",
                f"a secret never sits in a clinic file: use {base}_env or {base}_file",
            )
        elif key not in BOT_KEYS:
            problem(f"bot.{key}", "unknown key (known: " + ", ".join(BOT_KEYS) + ")")
    reading.env_names = [
        bot[f"{secret.key}_env"]
        for secret in _SECRETS
        if isinstance(bot.get(f"{secret.key}_env"), str)
    ]
    for secret in _SECRETS:
        found = _read_secret(secret, bot, path.parent, lookup, problem)
        if found is None:
            continue
        key, subject, value = found
        read[secret.field], subjects[secret.field] = key, subject
        values[secret.field] = value
        if secret.field == "telegram_bot_token":
            reading.token, reading.token_key = value, key
    for name in ("treats_api_url", "staff_chat_id", *OVERRIDES):
        if name in bot:
            values[name] = bot[name]
    chat = bot.get("staff_chat_id")
    if isinstance(chat, int) and not isinstance(chat, bool):
        reading.staff_chat_id = chat
    elif "staff_chat_id" in bot:
        problem("bot.staff_chat_id", "must be a whole number (the staff group's chat id)")
        values.pop("staff_chat_id")
    lexicon = values.get("triage_lexicon")
    if isinstance(lexicon, str):
        values["triage_lexicon"] = (path.parent / lexicon) if lexicon.strip() else None
    elif "triage_lexicon" in values:
        problem("bot.triage_lexicon", "must be the path of a lexicon file (text)")
        values.pop("triage_lexicon")

    settings: Settings | None = None
    if template is not None:
        settings = _clinic_settings(template, path, values, read, subjects, bot, problem)
    if settings is not None:
        if "triage_lexicon" in bot and settings.triage_lexicon is not None:
            why = _lexicon_problem(settings.triage_lexicon)
            if why is not None:
                problem("bot.triage_lexicon", f"{settings.triage_lexicon}: {why}")
        for name, why in needed.items():
            if name in PER_CLINIC_FIELDS and getattr(settings, name) is None:
                problem(_key_of(name, read), f"missing: {why}")
    reading.problems[:] = _masked(problems, list(values.get(s.field) for s in _SECRETS))
    if clinic is not None and settings is not None and not problems:
        reading.bot = ClinicBot(clinic, settings, path)
    return reading


def _key_of(name: str, read: Mapping[str, str]) -> str:
    """The ``[bot]`` key of a ``Settings`` field, for a problem line."""
    if name in read:
        return read[name]
    for secret in _SECRETS:
        if secret.field == name:
            return f"bot.{secret.key}_env (or bot.{secret.key}_file)"
    return f"bot.{name}"


def _read_secret(
    secret: _Secret,
    bot: Mapping[str, Any],
    folder: Path,
    lookup: Callable[[str], str | None],
    problem: Callable[[str, str], None],
) -> tuple[str, str, SecretStr] | None:
    """The secret's value from the variable or the file the ``[bot]`` table names (None: not
    given, or a problem was noted): its key, what holds it (for messages), the value."""
    env_key, file_key = f"{secret.key}_env", f"{secret.key}_file"
    by_env, by_file = env_key in bot, file_key in bot
    if by_env and by_file:
        problem(f"bot.{env_key}", f"and bot.{file_key} are both given: keep one")
        return None
    if not by_env and not by_file:
        if secret.required:
            problem(
                f"bot.{env_key}",
                f"missing: the name of the environment variable holding {secret.what} "
                f"(or bot.{file_key}, a file holding it)",
            )
        return None
    key = f"bot.{env_key}" if by_env else f"bot.{file_key}"
    named = bot[env_key] if by_env else bot[file_key]
    if not isinstance(named, str) or not named.strip():
        what = "an environment variable's name" if by_env else "a file's path"
        problem(key, f"must be {what} (text)")
        return None
    if by_env:
        if not _ENV_NAME.match(named):
            problem(key, f"{named!r} is not an environment variable's name")
            return None
        value = lookup(named)
        if value is None:
            problem(key, f"{named} is not set (in the environment or {DOTENV})")
            return None
        if not value.strip():
            problem(key, f"{named} is empty")
            return None
        return key, named, SecretStr(value)
    file = folder / named
    try:
        value = file.read_text(encoding="utf-8").rstrip()
    except FileNotFoundError:
        problem(key, f"{file}: file not found")
        return None
    except IsADirectoryError:
        problem(key, f"{file}: is a folder, not a file")
        return None
    except OSError as error:
        problem(key, f"{file}: cannot read it ({error.strerror})")
        return None
    except UnicodeDecodeError:
        problem(key, f"{file}: not UTF-8 text")
        return None
    if not value:
        problem(key, f"{file} is empty")
        return None
    return key, f"the file {file}", SecretStr(value)


def _clinic_settings(
    template: Settings,
    path: Path,
    values: Mapping[str, Any],
    read: Mapping[str, str],
    subjects: Mapping[str, str],
    bot: Mapping[str, Any],
    problem: Callable[[str, str], None],
) -> Settings | None:
    """The clinic's full Settings: the process's values, then the clinic's own; validated as
    Settings validates the environment, but from these values only."""
    # A required secret not read is already named: the template's valid stand-in for it lets
    # the rest be checked.
    given = {
        **dict(template),
        "clinic_config": path,
        "staff_chat_id": None,
        "vetbot_link_secret": None,
        "webhook_secret": None,
        **values,
    }
    try:
        checked = _ExplicitSettings(**given)
    except ValidationError as error:
        for loc, message in validation_problems(error):
            name = loc.split(".", 1)[0]
            message = "missing" if message == "is missing" else message
            message = message.replace("REMINDER_FIRST_HOURS", "reminder_first_hours")
            if name in read:
                problem(read[name], f"{subjects[name]} {message}")
            elif name in bot:
                problem(f"bot.{name}", message)
            else:
                problem(f"bot.{name}", f"not set here, so {name.upper()} applies: {message}")
        return None
    if "telegram_bot_token" not in values or "treats_api_key" not in values:
        return None
    # A plain Settings (not the subclass that reads nothing), from values already validated.
    return Settings.model_construct(_fields_set=set(checked.model_fields_set), **dict(checked))


def _masked(problems: Iterable[str], values: Iterable[SecretStr | None]) -> list[str]:
    """The problem lines, any secret value in them masked (a safety net: none should be)."""
    shown = [value.get_secret_value() for value in values if value is not None]
    shown = [value for value in shown if len(value) >= _SHOWN_SECRET_MIN]
    masked = []
    for line in problems:
        for value in shown:
            line = line.replace(value, "[secret]")
        masked.append(line)
    return masked


def _refuse_clashes(readings: list[_Reading]) -> None:
    """Two files with the same id, bot token or staff chat: every file concerned gets a line;
    a valid clinic is refused when another valid one shares it (a broken file does not stop
    the valid one: it names the clash in its own problems)."""
    valid_before = {id(reading) for reading in readings if reading.bot is not None}
    refuse: set[int] = set()
    kinds: list[tuple[Callable[[_Reading], object], Callable[[_Reading, list[_Reading]], str]]] = [
        (
            lambda r: r.clinic_id,
            lambda r, others: (
                f"{r.where}: id: {r.clinic_id!r} is also the id of "
                f"{_names(others)}: each clinic's data is filed under its own"
            ),
        ),
        (
            lambda r: r.token,
            lambda r, others: (
                f"{r.where}: {r.token_key}: the same bot token as "
                f"{_names(others)}: each clinic needs its own bot"
            ),
        ),
        (
            lambda r: r.staff_chat_id,
            lambda r, others: (
                f"{r.where}: bot.staff_chat_id: {r.staff_chat_id} is also the "
                f"staff chat of {_names(others)}: one clinic's staff must never act in another's"
            ),
        ),
    ]
    for value_of, line in kinds:
        groups: dict[object, list[_Reading]] = {}
        for reading in readings:
            value = value_of(reading)
            if value is not None:
                groups.setdefault(value, []).append(reading)
        for group in groups.values():
            if len(group) < 2:
                continue
            valid = [reading for reading in group if id(reading) in valid_before]
            for reading in group:
                others = [other for other in group if other is not reading]
                if id(reading) not in valid_before or len(valid) >= 2:
                    reading.problems.append(line(reading, others))
                    refuse.add(id(reading))
    for reading in readings:
        if id(reading) in refuse:
            reading.bot = None


def _names(readings: list[_Reading]) -> str:
    return ", ".join(reading.source.name for reading in readings)


def _fingerprint(bot: ClinicBot) -> str:
    """A keyed digest of everything the clinic was built from (see ``ClinicBot``)."""
    settings = {
        name: value.get_secret_value() if isinstance(value, SecretStr) else value
        for name, value in bot.settings
    }
    lexicon: str | None = None
    if bot.settings.triage_lexicon is not None:
        try:
            lexicon = hashlib.sha256(bot.settings.triage_lexicon.read_bytes()).hexdigest()
        except OSError:
            lexicon = "unreadable"
    content = {
        "clinic": bot.clinic.model_dump(mode="json"),
        "settings": settings,
        "source": str(bot.source) if bot.source is not None else None,
        "lexicon": lexicon,
    }
    text = json.dumps(content, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(text.encode(), key=_FINGERPRINT_KEY, digest_size=16).hexdigest()
