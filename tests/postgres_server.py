"""A throwaway PostgreSQL server for the tests and the benchmarks.

The server binaries are looked up on PATH, then in Debian's
``/usr/lib/postgresql/<version>/bin`` (where ``apt-get install postgresql``
puts them, off PATH).  initdb refuses to run as root, so as root the cluster is
made and run by the ``postgres`` user (created by the Debian package) through
``runuser``.  The server listens on 127.0.0.1 at a free port and on a unix
socket in its own temporary directory, trusts local connections, and is made
fast rather than durable (``fsync=off``): it lives for one test session.

As a pytest plugin (``tests/conftest.py`` loads it) it gives the session
fixture ``postgres_server``.  The PostgreSQL tests skip, saying why, where no
server can be started -- unless ``COMPLAINTCORE_REQUIRE_POSTGRES=1`` (set by
``.ci/run``), where that is a failure.  ``COMPLAINTCORE_TEST_DSN`` points the
tests at a server of your own instead (they create and drop their own schemas
in it).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

REQUIRE_ENV = "COMPLAINTCORE_REQUIRE_POSTGRES"
DSN_ENV = "COMPLAINTCORE_TEST_DSN"


class ServerUnavailable(RuntimeError):
    """No PostgreSQL server could be started here; the message says why."""


def find_bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: on PATH, else the newest Debian install."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class PostgresServer:
    """One initdb'd cluster in a temporary directory; ``start`` it, then ``stop`` it."""

    def __init__(self) -> None:
        self.bin_dir = find_bin_dir()
        self.port = _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="complaintcore-pg-"))
        self.data = self.root / "data"
        self.socket_dir = self.root / "socket"
        self.log = self.root / "server.log"
        self._as: list[str] = []
        self.started = False

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*self._as, *args], capture_output=True, text=True, timeout=120, check=False
        )

    def start(self) -> None:
        if self.data.exists():  # started before and halted: the same cluster again
            self._pg_ctl_start()
            return
        if self.bin_dir is None:
            raise ServerUnavailable(
                "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in "
                "/usr/lib/postgresql/*/bin; install the postgresql package"
            )
        if os.geteuid() == 0:  # initdb refuses root: run the cluster as 'postgres'
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                raise ServerUnavailable("running as root and there is no 'postgres' user") from None
            os.chmod(self.root, 0o755)
            self.socket_dir.mkdir()
            os.chown(self.root, user.pw_uid, user.pw_gid)
            os.chown(self.socket_dir, user.pw_uid, user.pw_gid)
            self._as = ["runuser", "-u", "postgres", "--"]
        else:
            self.socket_dir.mkdir()
        init = self._run(
            str(self.bin_dir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        if init.returncode != 0:
            raise ServerUnavailable(f"initdb failed: {init.stderr.strip()[-500:]}")
        self._pg_ctl_start()

    def _pg_ctl_start(self) -> None:
        assert self.bin_dir is not None
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.socket_dir}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
                "-c shared_buffers=128MB",
            ]
        )
        started = self._run(
            str(self.bin_dir / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        if started.returncode != 0:
            tail = self.log.read_text(errors="replace")[-500:] if self.log.exists() else ""
            raise ServerUnavailable(f"pg_ctl start failed: {started.stderr.strip()} {tail}")
        self.started = True

    def dsn(self, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def halt(self) -> None:
        """Stop the server and keep its files: ``start`` brings the same data back."""
        if self.started and self.bin_dir is not None:
            self._run(str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")
            self.started = False

    def stop(self) -> None:
        self.halt()
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> PostgresServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def running_server() -> Iterator[str]:
    """The DSN of a server for this session: ``COMPLAINTCORE_TEST_DSN``, or a throwaway one."""
    given = os.environ.get(DSN_ENV)
    if given:
        yield given
        return
    server = PostgresServer()
    try:
        server.start()
        yield server.dsn()
    finally:
        server.stop()


class PgDatabase:
    """The session's server, handing out fresh schemas (one per test) to keep tests apart."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn

    def new_schema(self) -> str:
        return f"cc_{uuid.uuid4().hex[:12]}"

    def drop_schema(self, schema: str) -> None:
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')

    def column_comment(self, schema: str, table: str, column: str) -> str:
        """The comment on ``schema.table.column`` (a migration's note for the owner)."""
        import psycopg

        with psycopg.connect(self.dsn, autocommit=True) as conn:
            found = conn.execute(
                "SELECT col_description(%s::regclass, attnum) FROM pg_attribute"
                " WHERE attrelid = %s::regclass AND attname = %s",
                (f"{schema}.{table}", f"{schema}.{table}", column),
            ).fetchone()
        return "" if found is None or found[0] is None else str(found[0])


STORAGE_DOC = Path(__file__).resolve().parent.parent / "docs" / "storage.md"


def documented_desk_grants(schema: str, role: str) -> list[str]:
    """The statements docs/storage.md gives the desk role ("The desk role's grants"),
    for ``schema`` and ``role``: the tests grant what the page says, no more."""
    text = STORAGE_DOC.read_text(encoding="utf-8")
    block = text.partition("**The desk role's grants.**")[2].partition("```sql\n")[2]
    statements = block.partition("```")[0].split(";")
    named = (s.strip().replace("complaints_desk", role) for s in statements)
    return [" ".join(re.sub(r"\bcomplaintcore\b", schema, s).split()) for s in named if s]


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PgDatabase]:
    """A running PostgreSQL server for the session, or a skip that says why (outside CI)."""
    required = os.environ.get(REQUIRE_ENV) == "1"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        reason = "psycopg is not installed (pip install -e '.[test]')"
        if required:
            pytest.fail(f"{REQUIRE_ENV}=1 but {reason}", pytrace=False)
        pytest.skip(reason)
    try:
        context = running_server()
        dsn = context.__enter__()
    except ServerUnavailable as exc:
        if required:
            pytest.fail(f"{REQUIRE_ENV}=1 but PostgreSQL could not start: {exc}", pytrace=False)
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    try:
        yield PgDatabase(dsn)
    finally:
        context.__exit__(None, None, None)


@pytest.fixture
def schema(postgres_server: PgDatabase) -> Iterator[str]:
    """A fresh schema of the session's server, dropped after the test."""
    name = postgres_server.new_schema()
    try:
        yield name
    finally:
        postgres_server.drop_schema(name)


@pytest.fixture
def own_postgres_server() -> Iterator[PostgresServer]:
    """A throwaway server of the test's own, to halt and start again (the session's
    one is shared); a skip where a second one cannot start."""
    server = PostgresServer()
    try:
        server.start()
    except ServerUnavailable as exc:
        pytest.skip(f"a second PostgreSQL server could not start: {exc}")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_office(
    postgres_server: PgDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, object]]:
    """A desk's configuration on a schema of its own (tenant ``sunrise-co``, the
    sample staff, no log channel), dropped afterwards.  Environment proxies are
    kept off 127.0.0.1: a webhook channel added to it must reach the local server."""
    from complaintcore.adapters.staff import write_sample_staff

    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    schema = postgres_server.new_schema()
    staff = str(write_sample_staff(tmp_path / "staff.toml"))
    try:
        yield {
            "database": f"{postgres_server.dsn}?schema={schema}",
            "tenant": "sunrise-co",
            "staff_file": staff,
            "notifiers": {"log": False},
        }
    finally:
        postgres_server.drop_schema(schema)
