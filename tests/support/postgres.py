"""A throwaway PostgreSQL server for the tests: never a system service.

`PostgresServer` runs `initdb` into a fresh temporary directory, then starts `postgres` itself,
listening only on 127.0.0.1 on a free port (its unix socket stays in that directory), with
settings that trade durability for speed. `new_database()` hands out fresh empty databases.

PostgreSQL refuses to run as root. When the tests run as root, initdb and postgres run as the
`postgres` system user (Debian's package creates it): subprocess drops the privileges itself
(`user=`/`group=`/`extra_groups=`), and the temporary directory is handed over to that user.

The server never outlives the test session: `stop()` (fixture teardown, also on Ctrl-C),
an atexit backstop, and, when pytest itself is killed, a parent-death signal asking postgres
for a fast shutdown.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import ctypes.util
import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from types import TracebackType

import psycopg
from psycopg import sql

SUPERUSER = "vetbot"
RUN_AS_WHEN_ROOT = "postgres"
INSTALL_HINT = (
    "install Debian's `postgresql` package "
    "(apt-get install postgresql; .ci/run does it when the server binary is missing)"
)

START_TIMEOUT = 30.0
STOP_TIMEOUT = 30.0
_POLL_INTERVAL = 0.02
_SOCKET_PATH_MAX = 100  # sun_path is 108 bytes; ".s.PGSQL.<port>" comes on top of the directory

# Test speed over durability: the data is thrown away anyway.
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "32MB",
    "max_wal_size": "1GB",
    "checkpoint_timeout": "1h",
    "autovacuum": "off",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",
    "timezone": "UTC",
    "log_timezone": "UTC",
}


class PostgresUnavailable(RuntimeError):
    """PostgreSQL's server binaries are not installed, or the server cannot run here."""


class PostgresStartError(RuntimeError):
    """The server did not come up; the message carries its log."""


def find_postgres_bindir() -> Path:
    """The directory holding `postgres` and `initdb`.

    `pg_config --bindir` when it points at a server install (Debian's `pg_config` may come from
    libpq-dev alone, without the server), else the newest /usr/lib/postgresql/<version>/bin.
    """
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, timeout=10, check=True
            ).stdout.strip()
            if out and _has_server(Path(out)):
                return Path(out)
    candidates = [Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin") if _has_server(Path(p))]
    if candidates:
        return max(candidates, key=_version_key)
    raise PostgresUnavailable(
        f"PostgreSQL server binaries (postgres, initdb) not found: {INSTALL_HINT}"
    )


def _has_server(bindir: Path) -> bool:
    return all(os.access(bindir / name, os.X_OK) for name in ("postgres", "initdb"))


def _version_key(bindir: Path) -> tuple[int, ...]:
    version = bindir.parent.name  # /usr/lib/postgresql/15/bin -> "15"
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _traversable_by(path: Path, uid: int, gids: set[int]) -> bool:
    """Whether user `uid` (groups `gids`) can reach inside `path` and every parent of it."""
    for directory in (path, *path.parents):
        try:
            st = directory.stat()
        except OSError:
            return False
        if st.st_uid == uid:
            bit = stat.S_IXUSR
        elif st.st_gid in gids:
            bit = stat.S_IXGRP
        else:
            bit = stat.S_IXOTH
        if not st.st_mode & bit:
            return False
    return True


def _set_parent_death_signal() -> None:
    """In the child, after the privilege drop (which would clear it): fast shutdown when the
    thread that started the server dies, so a killed pytest leaves no server behind."""
    _libc.prctl(1, signal.SIGINT, 0, 0, 0)  # PR_SET_PDEATHSIG


_libc = None
if sys.platform.startswith("linux"):
    with contextlib.suppress(OSError):
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)

_live_servers: set[PostgresServer] = set()
_live_lock = threading.Lock()


@atexit.register
def _stop_leftovers() -> None:
    with _live_lock:
        leftovers = list(_live_servers)
    for server in leftovers:
        with contextlib.suppress(Exception):
            server.stop()


class PostgresServer:
    """One throwaway PostgreSQL server; use as a context manager or call start()/stop()."""

    def __init__(self, bindir: Path | None = None, *, start_timeout: float = START_TIMEOUT):
        self.bindir = bindir
        self.start_timeout = start_timeout
        self.port: int | None = None
        self.base_dir: Path | None = None
        self.start_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._admin: psycopg.Connection | None = None
        self._lock = threading.Lock()
        self._counter = itertools.count(1)
        self._run_as: pwd.struct_passwd | None = None

    # -- lifecycle -----------------------------------------------------------------------------

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def start(self) -> PostgresServer:
        if self._proc is not None:
            return self
        started = time.monotonic()
        if self.bindir is None:
            self.bindir = find_postgres_bindir()
        elif not _has_server(self.bindir):
            raise PostgresUnavailable(f"no postgres/initdb in {self.bindir}: {INSTALL_HINT}")
        self._run_as = self._unprivileged_user()
        with _live_lock:
            _live_servers.add(self)
        try:
            self.base_dir = self._make_base_dir()
            self._initdb()
            for attempt in range(3):
                try:
                    self._launch(_free_port())
                    break
                except _PortTaken:
                    if attempt == 2:
                        raise
            self._admin = psycopg.connect(self.admin_url, autocommit=True)
        except BaseException:
            self.stop()
            raise
        self.start_seconds = time.monotonic() - started
        return self

    def stop(self) -> None:
        """Fast shutdown (SIGINT, like `pg_ctl stop -m fast`), wait, then remove the directory.
        Safe to call more than once."""
        with self._lock:
            if self._admin is not None:
                with contextlib.suppress(Exception):
                    self._admin.close()
                self._admin = None
        proc, self._proc = self._proc, None
        if proc is not None:
            _shut_down(proc)
        if self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None
        with _live_lock:
            _live_servers.discard(self)

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # -- databases -----------------------------------------------------------------------------

    @property
    def admin_url(self) -> str:
        return self.url("postgres")

    def url(self, dbname: str) -> str:
        if self.port is None:
            raise RuntimeError("the PostgreSQL server is not started")
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def new_database(self, template: str | None = None) -> str:
        """Create a fresh database (from `template`, else template1) and return its URL."""
        name = f"test_{next(self._counter)}_{uuid.uuid4().hex[:8]}"
        query = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            query += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        self._execute(query)
        return self.url(name)

    def drop_database(self, url_or_name: str) -> None:
        """Drop a database made by new_database(), closing any connection still on it."""
        name = url_or_name.rsplit("/", 1)[-1].split("?", 1)[0]
        query = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        self._execute(query)

    def _execute(self, query: sql.Composable) -> None:
        with self._lock:
            if self._admin is None:
                raise RuntimeError("the PostgreSQL server is not started")
            if self._admin.closed or self._admin.broken:
                self._admin = psycopg.connect(self.admin_url, autocommit=True)
            self._admin.execute(query)

    # -- internals -----------------------------------------------------------------------------

    def _unprivileged_user(self) -> pwd.struct_passwd | None:
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam(RUN_AS_WHEN_ROOT)
        except KeyError:
            raise PostgresUnavailable(
                f"running as root, and PostgreSQL refuses to: no `{RUN_AS_WHEN_ROOT}` user to run "
                f"it as ({INSTALL_HINT}, which creates that user)"
            ) from None

    def _make_base_dir(self) -> Path:
        parent = Path(tempfile.gettempdir())
        if self._run_as is not None:
            uid, gid = self._run_as.pw_uid, self._run_as.pw_gid
            groups = {gid, *os.getgrouplist(self._run_as.pw_name, gid)}
            if not _traversable_by(parent, uid, groups):
                parent = Path("/tmp")
        if len(str(parent)) > _SOCKET_PATH_MAX - 40:
            parent = Path("/tmp")
        base = Path(tempfile.mkdtemp(prefix="vetbot-pg-", dir=parent))
        if self._run_as is not None:
            os.chown(base, self._run_as.pw_uid, self._run_as.pw_gid)
        base.chmod(0o700)
        return base

    @property
    def _data_dir(self) -> Path:
        assert self.base_dir is not None
        return self.base_dir / "data"

    @property
    def _log_file(self) -> Path:
        assert self.base_dir is not None
        return self.base_dir / "server.log"

    def _child_kwargs(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env.update(LC_ALL="C", LANG="C", TZ="UTC")
        kwargs: dict = {"env": env, "cwd": self.base_dir, "stdin": subprocess.DEVNULL}
        if self._run_as is not None:
            env.update(HOME=str(self.base_dir), USER=self._run_as.pw_name)
            env["LOGNAME"] = self._run_as.pw_name
            kwargs.update(user=self._run_as.pw_uid, group=self._run_as.pw_gid, extra_groups=[])
        return kwargs

    def _initdb(self) -> None:
        assert self.bindir is not None
        cmd = [
            str(self.bindir / "initdb"),
            "--pgdata",
            str(self._data_dir),
            "--username",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        ]
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=120, **self._child_kwargs()
        )
        if done.returncode != 0:
            raise PostgresStartError(
                f"initdb failed (exit {done.returncode}):\n{done.stdout}{done.stderr}"
            )

    def _launch(self, port: int) -> None:
        assert self.bindir is not None and self.base_dir is not None
        cmd = [str(self.bindir / "postgres"), "-D", str(self._data_dir), "-p", str(port)]
        cmd += ["-c", f"unix_socket_directories={self.base_dir}"]
        for key, value in SERVER_SETTINGS.items():
            cmd += ["-c", f"{key}={value}"]
        kwargs = self._child_kwargs()
        if _libc is not None and threading.current_thread() is threading.main_thread():
            kwargs["preexec_fn"] = _set_parent_death_signal
        with open(self._log_file, "ab") as log:
            if self._run_as is not None:
                os.fchown(log.fileno(), self._run_as.pw_uid, self._run_as.pw_gid)
            proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
            )
        self._proc, self.port = proc, port
        deadline = time.monotonic() + self.start_timeout
        while True:
            if proc.poll() is not None:
                self._proc = None
                log_text = self.server_log()
                if "could not bind" in log_text or "already in use" in log_text:
                    self._log_file.write_text("")
                    raise _PortTaken(port)
                raise PostgresStartError(
                    f"postgres exited with code {proc.returncode} on start; its log:\n{log_text}"
                )
            try:
                psycopg.connect(self.admin_url, connect_timeout=2).close()
                return
            except psycopg.OperationalError as error:
                if time.monotonic() > deadline:
                    raise PostgresStartError(
                        f"postgres not ready after {self.start_timeout:.0f}s ({error}); "
                        f"its log:\n{self.server_log()}"
                    ) from None
            time.sleep(_POLL_INTERVAL)

    def server_log(self) -> str:
        try:
            return self._log_file.read_text(errors="replace")
        except (OSError, AssertionError):
            return "(no server log)"


class _PortTaken(PostgresStartError):
    pass


def _shut_down(proc: subprocess.Popen[bytes]) -> None:
    """SIGINT is postgres' fast shutdown; SIGQUIT its immediate one; SIGKILL the last resort."""
    for sig, wait in ((signal.SIGINT, STOP_TIMEOUT), (signal.SIGQUIT, 5.0)):
        if proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            proc.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(wait)
            return
    # postgres runs in its own session (start_new_session): its group is the postmaster's pid
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(5.0)
