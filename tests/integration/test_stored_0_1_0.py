"""A desk database written by complaintcore 0.1.0 opens, verifies and keeps its bytes.

``tests/data/desk-0.1.0.sqlite3.gz`` was written by the 0.1.0 release
(``complaintcore demo --complaints 20 --seed 7``, then checkpointed and
vacuumed).  Nothing in it may need rewriting: the enums, the canonical JSON and
the hash chain of today must read it and extend it exactly as 0.1.0 would.
"""

from __future__ import annotations

import gzip
import json
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import attrs
import pytest

from complaintcore.adapters.chain import encode_event, encode_intake
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.models import Status
from complaintcore.core.workflow import AttachEvidence, decide, evolve
from complaintcore.serialization import event_from_dict, intake_from_dict
from tests.helpers import pack

FIXTURE = Path(__file__).resolve().parents[1] / "data" / "desk-0.1.0.sqlite3.gz"


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "complaints.sqlite3"
    with gzip.open(FIXTURE, "rb") as src, path.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def _raw(path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, int, str, str]]]:
    conn = sqlite3.connect(path)
    try:
        intakes = conn.execute("SELECT id, intake_json FROM complaints ORDER BY id").fetchall()
        events = conn.execute(
            "SELECT complaint_id, seq, body_json, hash FROM events ORDER BY complaint_id, seq"
        ).fetchall()
    finally:
        conn.close()
    return intakes, events


@pytest.mark.procedure("REC-5")
def test_a_0_1_0_database_opens_and_verifies(old_file: Path) -> None:
    with SqliteStore(old_file) as store:
        report = store.verify()
        assert report.ok, report.problems
        assert (report.complaints, report.events) == (20, 231)
        loaded = list(store.complaints())
    assert len(loaded) == 20
    assert all(c.status == "closed" and c.status is Status.CLOSED for c in loaded)


@pytest.mark.procedure("REC-5")
def test_today_encodes_every_stored_text_byte_for_byte(old_file: Path) -> None:
    intakes, events = _raw(old_file)
    for _cid, text in intakes:
        assert encode_intake(intake_from_dict(_json(text))) == text
    for _cid, _seq, body, _hash in events:
        assert encode_event(event_from_dict(_json(body))) == body


@pytest.mark.procedure("REC-5")
def test_new_events_extend_an_old_chain(old_file: Path) -> None:
    before_intakes, before_events = _raw(old_file)
    the_pack = pack()
    with SqliteStore(old_file) as store:
        row = store.rows()[0]
        complaint = store.load(row.id)
        now = complaint.events[-1].at + timedelta(days=1)
        events = decide(complaint, AttachEvidence(actor="s-cs", reference="photo-7"), the_pack, now)
        after = evolve(complaint, events)
        new_row = attrs.evolve(row, version=after.version)
        store.append(row.id, complaint.version, events, new_row, ())
        assert store.verify().ok
        assert store.load(row.id).version == complaint.version + 1
    after_intakes, after_events = _raw(old_file)
    assert after_intakes == before_intakes
    assert set(before_events) < set(after_events)
    assert len(after_events) == len(before_events) + 1


def _json(text: str) -> dict[str, object]:
    data = json.loads(text)
    assert isinstance(data, dict)
    return data
