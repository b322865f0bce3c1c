"""``complaintcore deliver`` stopped by Ctrl-C or SIGTERM (a service stopped, a cron
timeout) mid-pass: the messages it claimed and never handed to a channel are due
again at once, not after the 5-minute lease, and the command says ``aborted``
with the documented status (review s38C F02, F03, F05)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from complaintcore import Desk, load_config
from complaintcore.cli import main
from tests.helpers import T0, intake
from tests.integration.servers import HttpTestServer

COMPLAINTS = 6


def _desk(
    tmp_path: Path,
    hook: HttpTestServer,
    *,
    complaints: int = COMPLAINTS,
    timeout_seconds: int = 5,
    threads: int = 1,
) -> Path:
    """A SQLite desk with one webhook channel and a backlog of messages for it."""
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    config = tmp_path / "complaintcore.toml"
    text = config.read_text(encoding="utf-8").replace("log = true", "log = false")
    config.write_text(
        text
        + f'webhooks = [{{url = "{hook.url()}", timeout = 5}}]\n'
        + f"\n[delivery]\ntimeout_seconds = {timeout_seconds}\nthreads = {threads}\n",
        encoding="utf-8",
    )
    with Desk.from_config(load_config(config)) as desk:  # queued only: no worker runs
        for i in range(complaints):
            desk.receive(attrs.evolve(intake(), summary=f"楼上漏水 {i}", receiver="SR-103"), now=T0)
    return tmp_path


def _deliver_process(desk: Path, args: list[str]) -> subprocess.Popen[str]:
    """``complaintcore ARGS`` started on ``desk`` in a process of its own, in English."""
    return subprocess.Popen(
        [sys.executable, "-m", "complaintcore.cli.app", *args],
        cwd=desk,
        env={**os.environ, "COMPLAINTCORE_LANG": "en"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _claimed_unsent(desk: Path) -> list[str]:
    """Dedupe keys of messages still claimed and not delivered."""
    with sqlite3.connect(desk / "complaints.sqlite3") as conn:
        rows = conn.execute(
            "SELECT dedupe_key FROM outbox WHERE delivered_at IS NULL"
            " AND dropped_at IS NULL AND claimed_until IS NOT NULL"
        ).fetchall()
    return [key for (key,) in rows]


def _pending(desk: Path) -> int:
    with sqlite3.connect(desk / "complaints.sqlite3") as conn:
        (n,) = conn.execute(
            "SELECT count(*) FROM outbox WHERE delivered_at IS NULL AND dropped_at IS NULL"
        ).fetchone()
    return int(n)


@pytest.mark.parametrize(
    ("args", "sig", "status"),
    [
        (["deliver"], signal.SIGINT, 1),
        (["deliver", "--loop", "--interval", "5"], signal.SIGINT, 1),
        (["deliver", "--loop", "--interval", "5"], signal.SIGTERM, 143),
        (["deliver"], signal.SIGTERM, 143),
    ],
    ids=["once-SIGINT", "loop-SIGINT", "loop-SIGTERM", "once-SIGTERM"],
)
def test_an_interrupted_deliver_hands_back_what_it_never_began(
    tmp_path: Path, args: list[str], sig: signal.Signals, status: int
) -> None:
    with HttpTestServer() as hook:
        hook.respond(delay=1.0)  # a slow far side: the pass is mid-batch when stopped
        desk = _desk(tmp_path, hook)
        backlog = _pending(desk)
        assert backlog > 3  # more than one send's worth in the claimed batch
        process = _deliver_process(desk, args)
        try:
            hook.wait_for(1, timeout=30)  # a send is under way
        finally:
            process.send_signal(sig)
            out, err = process.communicate(timeout=30)
        # given to the far side, answered or still in its one-second delay
        received = {h.get("idempotency-key") for h in hook.arrived}
    assert process.returncode == status, err
    assert err.strip().splitlines()[-1:] == ["aborted"]
    assert out == ""
    # only a send the far side had already been given may keep its claim
    assert set(_claimed_unsent(desk)) <= received
    assert _pending(desk) >= backlog - len(received)


def test_sigterm_under_json_reports_its_status_in_the_document(tmp_path: Path) -> None:
    with HttpTestServer() as hook:
        hook.respond(delay=1.0)
        desk = _desk(tmp_path, hook)
        process = _deliver_process(desk, ["deliver", "--json"])
        try:
            hook.wait_for(1, timeout=30)
        finally:
            process.send_signal(signal.SIGTERM)
            out, err = process.communicate(timeout=30)
    assert process.returncode == 143, err
    assert json.loads(out) == {"error": {"code": 143, "type": "Abort", "message": "aborted"}}
    assert err.strip() == ""  # click ends the line a ^C would have left


# A command interrupted while a PostgreSQL pool takes back a connection cut off
# mid-query: the pool's warning names the server.  The interruption is real (the
# process signals itself); the pool's line is injected where it would come.
_INTERRUPTED_WHILE_POOL_CLOSES = textwrap.dedent(
    """
    import logging, os, signal, sys
    from complaintcore.cli.app import main
    from complaintcore.desk import Desk

    def sweep(self, *args, **kwargs):
        try:
            os.kill(os.getpid(), signal.SIGINT)
            signal.pause()  # not reached: the handler raises first
        finally:
            logging.getLogger("psycopg.pool").warning(
                "closing returned connection: %s",
                "<psycopg.Connection [ACTIVE] (host=db.internal port=5432 user=desk)>",
            )
            logging.getLogger("complaintcore.delivery").warning("library warning still shown")

    Desk.sweep = sweep
    main(["sweep"])
    """
)


def test_an_interrupt_keeps_the_database_pool_lines_off_stderr(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    done = subprocess.run(
        [sys.executable, "-c", _INTERRUPTED_WHILE_POOL_CLOSES],
        cwd=tmp_path,
        env={**os.environ, "COMPLAINTCORE_LANG": "en"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1, done.stderr
    assert "db.internal" not in done.stderr
    assert "closing returned connection" not in done.stderr
    assert "library warning still shown" in done.stderr
    assert done.stderr.strip().splitlines()[-1] == "aborted"
