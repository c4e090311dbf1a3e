"""``vetbot store``: the operator's commands for the database.

    vetbot store migrate        bring DATABASE_URL's schema up to this vetbot's
    vetbot store copy FILE --clinic ID
                                copy a single-clinic SQLite file's data in, under ID

Each prints one line per outcome and returns the exit code; a refusal is one line on stderr.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from bot.config import StoreSettings
from bot.runtime.logs import one_line
from bot.store.copy import CopyRefused, copy_from_sqlite
from bot.store.db import CLINIC_KEY_PATTERN
from bot.store.errors import StoreError
from bot.store.schema import HEAD, migrate

EXIT_REFUSED = 1


def migrate_command(settings: StoreSettings) -> int:
    url = settings.database
    try:
        before = migrate(url)
    except StoreError as error:
        print(f"vetbot: store migrate: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except Exception as error:  # the driver's: unreachable server, refused password...
        print(f"vetbot: store migrate: {url}: {one_line(error)}", file=sys.stderr)
        return EXIT_REFUSED
    if before == HEAD:
        print(f"{url}: already at schema revision {HEAD}")
    else:
        print(f"{url}: migrated from revision {before or 'none'} to {HEAD}")
    return 0


def copy_command(
    settings: StoreSettings, source: Path, clinic: str, from_clinic: str | None
) -> int:
    url = settings.database
    for key in (clinic, from_clinic):
        if key is not None and not re.fullmatch(CLINIC_KEY_PATTERN, key):
            print(
                f"vetbot: store copy: {key!r} is not a clinic id (lower-case letters, digits, "
                "- and _)",
                file=sys.stderr,
            )
            return EXIT_REFUSED
    try:
        copied = copy_from_sqlite(source, url, to_clinic=clinic, from_clinic=from_clinic)
    except (CopyRefused, StoreError) as error:
        print(f"vetbot: store copy: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except Exception as error:
        print(f"vetbot: store copy: {url}: {one_line(error)}", file=sys.stderr)
        return EXIT_REFUSED
    detail = ", ".join(f"{table} {n}" for table, n in copied.rows.items() if n)
    print(f"copied {copied.total} rows of clinic {clinic!r} into {url} ({detail or 'no rows'})")
    return 0
