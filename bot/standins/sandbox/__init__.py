"""The Treats sandbox: an in-memory, deterministic Treats API for tests and the demo.

It implements the Treats API as docs/treats-api.md tells it: the [vendor] parts exactly, the
[ours] parts as written, and documents its own choices where the reference is silent in each
module's docstring (`gateway` for checks and headers, `endpoints` for validation, `slots` for
the grid, `faults` for fault injection, `records` for access levels, `control` for
`/_sandbox`). It never imports the bot's own Treats adapter: testing one against the other is
only worth something if they were written apart.
"""

from bot.standins.sandbox.clinic_toml import render_clinic_toml
from bot.standins.sandbox.faults import FaultKind, Faults
from bot.standins.sandbox.keys import Permission
from bot.standins.sandbox.records import AccessLevel, AppointmentStatus, WorkingBlock
from bot.standins.sandbox.seed import SeedClinic, build_seed, seed_id
from bot.standins.sandbox.server import create_sandbox_app
from bot.standins.sandbox.state import Call, SandboxState

__all__ = [
    "AccessLevel",
    "AppointmentStatus",
    "Call",
    "FaultKind",
    "Faults",
    "Permission",
    "SandboxState",
    "SeedClinic",
    "WorkingBlock",
    "build_seed",
    "create_sandbox_app",
    "render_clinic_toml",
    "seed_id",
]
