"""Shared test configuration: hypothesis profiles and the procedure marker."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("dev", max_examples=60, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

pytest_plugins = ["tests.integration.servers", "tests.postgres_server"]

if TYPE_CHECKING:
    from complaintcore.desk import Desk
    from complaintcore.desk.ports import ComplaintStore
    from complaintcore.testing import RecordingNotifier


def pytest_configure(config: pytest.Config) -> None:
    """Holiday tables are cached in a directory of the run's own, never the user's."""
    if "COMPLAINTCORE_CACHE_DIR" not in os.environ:
        where = tempfile.mkdtemp(prefix="complaintcore-test-cache-")
        os.environ["COMPLAINTCORE_CACHE_DIR"] = where
        config.add_cleanup(lambda: shutil.rmtree(where, ignore_errors=True))


@pytest.fixture(params=["sqlite", "memory", "postgres"])
def each_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ComplaintStore]:
    """An empty store of each shipped kind; PostgreSQL's in a schema of its own, where a
    server runs (always in CI: ``COMPLAINTCORE_REQUIRE_POSTGRES``)."""
    from complaintcore.adapters.memory_store import MemoryStore
    from complaintcore.adapters.sqlite_store import SqliteStore

    server = None
    schema = ""
    store: ComplaintStore
    if request.param == "sqlite":
        store = SqliteStore(tmp_path / "desk.sqlite3")
    elif request.param == "memory":
        store = MemoryStore()
    else:
        server = request.getfixturevalue("postgres_server")
        from complaintcore.adapters.postgres_store import PostgresStore

        schema = server.new_schema()
        store = PostgresStore(server.dsn, schema=schema)
    try:
        yield store
    finally:
        store.close()
        if server is not None:
            server.drop_schema(schema)


@pytest.fixture
def cn_sqlite_desk(tmp_path: Path) -> Iterator[tuple[Desk, RecordingNotifier, Path]]:
    """A cn-property desk on a SQLite file and a staff file, as a host configures one,
    whose messages go to one recording channel (``inbox``); the staff file is given
    back so a test can change it as HR would."""
    from complaintcore.adapters.staff import write_sample_staff
    from complaintcore.desk import Desk
    from complaintcore.testing import RecordingNotifier

    staff = tmp_path / "staff.toml"
    write_sample_staff(staff, pack="cn-property")
    config = {
        "database": str(tmp_path / "desk.sqlite3"),
        "staff_file": str(staff),
        "notifiers": {"log": False},
    }
    inbox = RecordingNotifier("inbox")
    with Desk.from_config(config) as desk:
        desk.notifiers = {"inbox": inbox}
        yield desk, inbox, staff
