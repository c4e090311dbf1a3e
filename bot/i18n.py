"""Owner-facing language: gettext catalogs under `locales/`, dates with babel.

French is the source language: message ids are the French text itself, so a missing
translation shows French, never a key. `locales/en/LC_MESSAGES/vetbot.po` translates to English.
Catalogs are read from the `.po` files and compiled in memory at start-up (a compiled `.mo`,
as the Docker image ships, is used when it is newer or alone). `VETBOT_LOCALES_DIR` points
elsewhere (an installed wheel has no `locales/` next to its packages; the image sets it).
"""

from __future__ import annotations

import gettext
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Final
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN: Final = "vetbot"
SOURCE_LANGUAGE: Final = "fr"
LANGUAGES: Final = ("fr", "en")
LOCALES_DIR: Final = Path(__file__).resolve().parent.parent / "locales"

# Date patterns (CLDR) per language: 24-hour, weekday and month in words.
_DATETIME_PATTERN: Final = {"fr": "EEEE d MMMM 'à' HH:mm", "en": "EEEE d MMMM 'at' HH:mm"}
_DATE_PATTERN: Final = {"fr": "EEEE d MMMM", "en": "EEEE d MMMM"}
_SHORT_PATTERN: Final = {"fr": "EEE d MMM HH:mm", "en": "EEE d MMM HH:mm"}


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; translate it where it is shown."""
    return message


STATUSES: Final = {
    "SCHEDULED": N_("Planifié"),
    "CONFIRMED": N_("Confirmé"),
    "CANCELLED": N_("Annulé"),
    "COMPLETED": N_("Terminé"),
    "NO_SHOW": N_("Absent"),
}
"""Treats appointment statuses; its ``displayStatus`` is French whatever the owner reads."""
SPECIES: Final = {
    "chat": N_("Chat"),
    "chatte": N_("Chat"),
    "chien": N_("Chien"),
    "chienne": N_("Chien"),
    "lapin": N_("Lapin"),
    "furet": N_("Furet"),
    "hamster": N_("Hamster"),
    "rat": N_("Rat"),
    "souris": N_("Souris"),
    "cochon d'inde": N_("Cochon d'Inde"),
    "tortue": N_("Tortue"),
    "perroquet": N_("Perroquet"),
    "perruche": N_("Perruche"),
    "oiseau": N_("Oiseau"),
    "cheval": N_("Cheval"),
    "nac": N_("NAC"),
}
"""Species as the clinic's records write them (French), by lower-case name."""


def pick_language(*candidates: str | None) -> str:
    """The first supported language among explicit choice, Telegram's language_code, default."""
    for candidate in candidates:
        if candidate:
            code = candidate.split("-")[0].split("_")[0].lower()
            if code in LANGUAGES:
                return code
    return SOURCE_LANGUAGE


@dataclass(frozen=True, slots=True)
class Translator:
    """Texts and dates in one language, dates in the clinic's zone."""

    language: str
    tz: ZoneInfo
    _translations: gettext.NullTranslations

    def __call__(self, message: str, /, **values: object) -> str:
        """Translate, then fill `{placeholders}`."""
        text = self._translations.gettext(message)
        return text.format(**values) if values else text

    def plural(self, singular: str, plural: str, n: int, /, **values: object) -> str:
        text = self._translations.ngettext(singular, plural, n)
        return text.format(n=n, **values)

    def status(self, api_status: str | None, display_status: str | None = None) -> str:
        """An appointment's status in the owner's language; a status we do not know keeps the
        clinic's own label."""
        known = STATUSES.get((api_status or "").upper())
        if known is not None:
            return self(known)
        return display_status or api_status or self(STATUSES["SCHEDULED"])

    def species(self, species: str | None) -> str | None:
        """A pet's species in the owner's language ("Chat" → "Cat"); unknown ones as written."""
        if not species:
            return None
        known = SPECIES.get(species.strip().lower().replace("’", "'"))
        return self(known) if known is not None else species

    def when(self, moment: datetime) -> str:
        """ "mardi 15 décembre à 10:00", in the clinic's zone."""
        local = moment.astimezone(self.tz)
        return format_datetime(local, _DATETIME_PATTERN[self.language], locale=self.language)

    def short(self, moment: datetime) -> str:
        """ "mar. 15 déc. 10:00": for buttons."""
        local = moment.astimezone(self.tz)
        return format_datetime(local, _SHORT_PATTERN[self.language], locale=self.language)

    def day(self, day: date) -> str:
        return format_date(day, _DATE_PATTERN[self.language], locale=self.language)

    def time(self, moment: datetime) -> str:
        return format_time(moment.astimezone(self.tz), "HH:mm", locale=self.language)


class Catalogs:
    """Loads each language's catalog once; hands out Translators."""

    def __init__(self, tz: ZoneInfo, locales_dir: Path | None = None) -> None:
        if locales_dir is None:
            locales_dir = Path(os.environ.get("VETBOT_LOCALES_DIR") or LOCALES_DIR)
        self._tz = tz
        self._translators = {
            language: Translator(language, tz, _load(locales_dir, language))
            for language in LANGUAGES
        }

    def __getitem__(self, language: str) -> Translator:
        return self._translators[pick_language(language)]

    def all(self) -> Iterable[Translator]:
        return self._translators.values()


def _load(locales_dir: Path, language: str) -> gettext.NullTranslations:
    folder = locales_dir / language / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as compiled:
            return gettext.GNUTranslations(compiled)
    if not po.exists():
        if language == SOURCE_LANGUAGE:
            return gettext.NullTranslations()
        raise FileNotFoundError(f"missing catalog {po}")
    with po.open("rb") as source:
        catalog = read_po(source, locale=Locale.parse(language), domain=DOMAIN)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)
