"""Every public function refuses bad values with a library error (issue 13, defects 4, 7, 9).

Random calls into 0.1.0's API raised 603 exceptions outside the library's
family, from three causes: times at the ends of the calendar (``OverflowError``
in time-zone and working-time arithmetic), integers beyond 64 bits
(``OverflowError`` from SQLite) and lone surrogates (``UnicodeEncodeError``
when a text was stored).  A stored body damaged outside the library ended
``show`` and ``report`` with a ``JSONDecodeError``.  Texts of 10 MB, NUL bytes
and control characters were accepted, while a Windows ``\\r\\n`` was refused.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner

from complaintcore import (
    AddMeasure,
    ComplaintCoreError,
    CompleteMeasure,
    DamagedRecordError,
    Desk,
    InvalidInputError,
    RecordCause,
    Reply,
    RetryPolicy,
    TextLimits,
)
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main
from complaintcore.testing import MemoryStore, make_desk
from tests.helpers import SH
from tests.helpers import intake as _intake

NOW = datetime(2025, 11, 14, 9, 30, tzinfo=SH)
FAR = timezone(timedelta(hours=14))


def intake(**kw: Any) -> Any:
    return _intake(**{"receiver": "SR-103", **kw})


@pytest.fixture(params=["memory", "sqlite"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    store = MemoryStore() if request.param == "memory" else SqliteStore(tmp_path / "c.sqlite3")
    with make_desk(store=store) as the_desk:
        yield the_desk


def refused(call: Callable[[], object]) -> ComplaintCoreError:
    try:
        call()
    except ComplaintCoreError as exc:
        return exc
    except Exception as exc:
        pytest.fail(f"{type(exc).__name__} escaped: {exc}")
    pytest.fail("accepted")


# --------------------------------------------------------------------------- the three causes


@pytest.mark.parametrize(
    "moment",
    [
        datetime(1, 1, 1, tzinfo=SH),
        datetime(1, 1, 1, tzinfo=FAR),
        datetime(9999, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-12))),
        datetime(9999, 12, 31, tzinfo=SH),
    ],
)
def test_times_at_the_ends_of_the_calendar_are_library_errors(desk: Desk, moment: datetime) -> None:
    c = desk.receive(intake(), now=NOW)
    calls: list[Callable[[], object]] = [
        lambda: desk.receive(intake(received_at=NOW), now=moment),
        lambda: desk.sweep(moment),
        lambda: desk.deliver(moment),
        lambda: desk.clocks(c.id, moment),
        lambda: desk.rows(due_before=moment),
        lambda: desk.rows(received_from=moment),
        lambda: desk.act(c.id, Reply(actor="SR-201", message="好"), now=moment),
        lambda: desk.store.claim(NOW, 10, lease=timedelta(days=999_999_999)),
        lambda: attrs.evolve(intake(), received_at=moment),
    ]
    for call in calls:
        assert isinstance(refused(call), InvalidInputError)


def test_integers_beyond_64_bits_are_library_errors(desk: Desk) -> None:
    huge = 10**20
    for call in (
        lambda: desk.rows(limit=huge),
        lambda: desk.deliver(NOW, limit=huge),
        lambda: desk.store.pending(NOW, huge),
        lambda: desk.store.claim(NOW, huge),
        lambda: desk.store.mark_delivered(huge, NOW),
        lambda: desk.store.mark_failed(huge, "x", NOW),
        lambda: RetryPolicy(first_delay_seconds=10**400),
        lambda: RetryPolicy(max_attempts=huge),
        lambda: TextLimits(default=huge),
    ):
        assert isinstance(refused(call), InvalidInputError)


@pytest.mark.parametrize("limit", [None, "100", -1, True, 1.5, 10**20])
def test_a_sweep_limit_is_a_count_or_none(desk: Desk, limit: object) -> None:
    """None sweeps all that is due; anything but a count from 0 to 2**63 - 1 is
    refused naming ``limit`` (s31C F02), before any complaint is examined."""
    c = desk.receive(intake(), now=NOW)
    later = NOW + timedelta(days=60)  # its clocks are long breached by then
    if limit is None:
        assert c.id in {cid for cid, _ in desk.sweep(later, limit=limit).escalated}
        return
    exc = refused(lambda: desk.sweep(later, limit=limit))  # type: ignore[arg-type]
    assert isinstance(exc, InvalidInputError)
    assert exc.path == "limit"
    assert desk.get(c.id).version == c.version


@pytest.mark.parametrize("field", ["summary", "description", "location", "account"])
def test_a_lone_surrogate_is_refused_naming_the_field(desk: Desk, field: str) -> None:
    exc = refused(lambda: desk.receive(intake(**{field: "漏水\ud800"}), now=NOW))
    assert isinstance(exc, InvalidInputError)
    assert exc.path == field
    assert desk.rows() == []
    c = desk.receive(intake(), now=NOW)
    exc = refused(lambda: desk.act(c.id, Reply(actor="SR-201", message="\udfff"), now=NOW))
    assert isinstance(exc, InvalidInputError)
    assert exc.path == "message"
    assert desk.get(c.id).version == c.version


# --------------------------------------------------------------------------- limits


@pytest.mark.parametrize("field", ["description", "location", "account"])
def test_ten_megabytes_of_text_are_refused(desk: Desk, field: str) -> None:
    exc = refused(lambda: desk.receive(intake(**{field: "漏" * 10_000_000}), now=NOW))
    assert isinstance(exc, InvalidInputError)
    assert exc.path == field
    assert "too long" in str(exc)
    assert desk.rows() == []


@pytest.mark.parametrize(
    "char", ["\x00", "\x01", "\x07", "\x0b", "\x1b", "\x1f", "\x7f", "\x80", "\x9b", "\x9f"]
)
def test_nul_and_control_characters_are_refused(desk: Desk, char: str) -> None:
    for field in ("summary", "description", "location"):
        exc = refused(lambda field=field: desk.receive(intake(**{field: f"a{char}b"}), now=NOW))
        assert isinstance(exc, InvalidInputError)
        assert exc.path == field
    c = desk.receive(intake(), now=NOW)
    exc = refused(lambda: desk.act(c.id, Reply(actor="SR-201", message=f"x{char}"), now=NOW))
    assert exc.path == "message"  # type: ignore[attr-defined]
    exc = refused(lambda: desk.store.related(site=f"sunrise{char}", since=NOW, until=NOW))
    assert exc.path == "site"  # type: ignore[attr-defined]


def test_windows_line_ends_are_normalised_not_refused(desk: Desk) -> None:
    c = desk.receive(
        intake(summary="楼上漏水\r\n天花板渗水", description="第一行\r\n第二行\r第三行\t完"),
        now=NOW,
    )
    assert c.intake.summary == "楼上漏水\n天花板渗水"
    assert c.intake.description == "第一行\n第二行\n第三行\t完"
    c = desk.act(c.id, Reply(actor="SR-201", message="已收到\r\n明天上门"), now=NOW)
    assert c.events[-1].message == "已收到\n明天上门"  # type: ignore[attr-defined]


@pytest.mark.procedure("IMP-1")
def test_causes_and_measures_follow_the_text_rule(desk: Desk) -> None:
    c = desk.receive(intake(), now=NOW)
    due = NOW + timedelta(days=10)

    def cause(**kw: str) -> RecordCause:
        return RecordCause(**{"actor": "SR-201", "cause": "立管老化", "corrective": "更换", **kw})

    def measure(**kw: str) -> AddMeasure:
        args = {"actor": "SR-201", "kind": "corrective", "action": "更换", "owner": "SR-201"}
        return AddMeasure(**{**args, **kw}, due=due)  # type: ignore[arg-type]

    for bad, path, why in [
        (cause(cause="a\x00b"), "cause", "control character"),
        (cause(corrective="\x1b[31m"), "corrective", "control character"),
        (cause(preventive="\ud800"), "preventive", "surrogate"),
        (cause(cause="漏" * 5001), "cause", "too long"),
        (measure(action="a\x07"), "action", "control character"),
        (measure(action="漏" * 5001), "action", "too long"),
        (measure(owner="SR-201" * 50), "owner", "at most 200"),
    ]:
        exc = refused(lambda bad=bad: desk.act(c.id, bad, now=NOW))
        assert isinstance(exc, InvalidInputError), bad
        assert exc.path == path
        assert why in str(exc)
    assert desk.get(c.id).version == c.version  # nothing recorded
    desk.act(c.id, cause(cause="第一行\r\n第二行"), now=NOW)
    desk.act(c.id, measure(action="更换\r\n复查"), now=NOW)
    done = desk.act(
        c.id, CompleteMeasure(actor="SR-201", measure="M1", result="已换\r完成"), now=NOW
    )
    texts = [
        getattr(e, f) for e in done.events for f in ("cause", "action", "result") if hasattr(e, f)
    ]
    assert texts[-3:] == ["第一行\n第二行", "更换\n复查", "已换\n完成"]
    exc = refused(
        lambda: desk.act(
            c.id, CompleteMeasure(actor="SR-201", measure="M\x00", result="x"), now=NOW
        )
    )
    assert exc.path == "measure"  # type: ignore[attr-defined]


def test_the_config_sets_the_maximum_lengths(tmp_path: Path) -> None:
    config = {"database": ":memory:", "limits": {"description": 20, "default": 30}}
    desk = Desk.from_config(config)
    assert desk.limits.limit_for("description") == 20
    assert desk.limits.limit_for("apology_text") == 30  # a field without its own entry
    assert desk.limits.limit_for("summary") == 2000  # unlisted: the default table
    with pytest.raises(InvalidInputError) as err:
        Desk.from_config({"database": ":memory:", "limits": {"descripton": 20}})
    assert err.value.path == "limits.descripton"


# --------------------------------------------------------------------------- damaged records


def test_a_damaged_body_is_a_library_error_naming_the_complaint(tmp_path: Path) -> None:
    database = tmp_path / "c.sqlite3"
    with make_desk(store=SqliteStore(database)) as desk:
        c = desk.receive(intake(), now=NOW)
    with sqlite3.connect(database) as conn:
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute("UPDATE events SET body_json = '{not json' WHERE seq = 2")
    with make_desk(store=SqliteStore(database)) as desk:
        for call in (lambda: desk.get(c.id), lambda: list(desk.store.complaints())):
            exc = refused(call)
            assert isinstance(exc, DamagedRecordError)
            assert exc.complaint_id == c.id
            assert c.id in str(exc)
            assert "event 2" in str(exc)


def test_show_and_report_on_a_damaged_body_are_one_line_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = {"COMPLAINTCORE_NOW": "2025-11-14T17:30"}
    assert runner.invoke(main, ["init", "."]).exit_code == 0
    done = runner.invoke(
        main,
        [
            "receive",
            *("--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201"),
            *("--site", "sunrise", "--summary", "楼上漏水", "--receiver", "SR-103", "--json"),
        ],
        env=env,
    )
    cid = __import__("json").loads(done.stdout)["id"]
    with sqlite3.connect(tmp_path / "complaints.sqlite3") as conn:
        conn.execute("DROP TRIGGER events_no_update")
        conn.execute("UPDATE events SET body_json = '[' WHERE seq = 1")
    for args in (["show", cid], ["report", "--month", "2025-11"]):
        result = runner.invoke(main, ["--lang", "en", *args], env=env)
        assert result.exit_code == 5, result.output
        assert isinstance(result.exception, SystemExit)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1
        assert cid in lines[0]
        assert "verify" in lines[0]
