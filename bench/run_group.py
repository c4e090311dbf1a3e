"""The bot process of the clinic-group bench: a whole clinic group served from one process.

``python bench/run_group.py`` runs what ``vetbot run`` runs when ``CLINICS_DIR`` is set (the
same deployment loading, logging and redaction, ``serve_group_until_signalled`` with every
clinic's ``running_bot``), with one difference, as in bench/run_bot.py: Telegram's flood
limits are lifted from each clinic's rate limiter (the bench measures the bot, not Telegram).
``python bench/run_group.py webhook`` runs what ``vetbot webhook`` runs instead.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Final

REPO_ROOT: Final = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from run_bot import NO_FLOOD_LIMITS  # type: ignore[import-not-found]  # noqa: E402

from bot.clinic_group import load_deployment  # noqa: E402
from bot.launch.application import running_bot  # noqa: E402
from bot.launch.group import serve_group_until_signalled  # noqa: E402
from bot.runtime import event_loop  # noqa: E402
from bot.runtime.logs import configure_logging  # noqa: E402


def main() -> int:
    deployment = load_deployment()
    redaction = configure_logging(
        level="INFO", fmt=deployment.settings.log_format, secrets=deployment.secrets
    )
    runner = functools.partial(running_bot, flood=NO_FLOOD_LIMITS)
    mode = "webhook" if sys.argv[1:] == ["webhook"] else "polling"
    event_loop.run(serve_group_until_signalled(load_deployment, redaction, runner, mode))
    return 0


if __name__ == "__main__":
    sys.exit(main())
