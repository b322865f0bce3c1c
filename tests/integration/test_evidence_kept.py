"""REC-3 at a real desk: evidence attached is kept by the store and shown in the record,
masked for staff who may not see personal data (PRV-1) (review s48G F02).

The desk is the one ``complaintcore init`` makes: a SQLite file and the packaged
sample staff (cn-property).  Each CLI call below opens the desk afresh, so what
``show`` prints was read back from the file.  SR-201 is engineering's head, SR-102
customer service's complaint handler (``sees_personal_data``), SR-402 a cleaner.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main


def invoke(now: str, *args: str) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": now})


def evidence_shown_to(cid: str, viewer: str) -> list[dict[str, str]]:
    shown = invoke("2026-03-02T11:00", "show", cid, "--as", viewer, "--json")
    assert shown.exit_code == 0, shown.output
    events = json.loads(shown.stdout)["events"]
    return [e for e in events if e["type"] == "evidence_attached"]


@pytest.mark.procedure("REC-3")
@pytest.mark.procedure("PRV-1")
def test_evidence_is_kept_in_the_record_and_masked_for_a_cleaner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """000 §3: the handler attaches proof (凭证).  Received Mon 2 Mar 2026 10:00 from
    陈国华 (13700001234); at 10:30 engineering's head attaches photo-001.jpg with a
    note naming her and a second number of hers.  By hand: customer service reads
    the note whole; the cleaner reads the name as 陈** and the number with its
    last two digits only, *********11 (eleven digits); the reference, which holds
    no personal data, reads the same for both."""
    monkeypatch.chdir(tmp_path)
    assert invoke("2026-03-02T10:00", "init", ".").exit_code == 0
    assert (tmp_path / "complaints.sqlite3").is_file()
    received = invoke(
        "2026-03-02T10:00",
        *("receive", "--name", "陈国华", "--phone", "13700001234", "--room", "5-1-702"),
        *("--site", "sunrise", "--summary", "楼上漏水", "--receiver", "SR-103", "--json"),
    )
    assert received.exit_code == 0, received.output
    cid = json.loads(received.stdout)["id"]
    note = "天花板水渍，业主陈国华提供，另一电话13700001111"
    attached = invoke(
        "2026-03-02T10:30",
        *("act", cid, "evidence", "--actor", "SR-201", "--reference", "photo-001.jpg"),
        *("--note", note),
    )
    assert attached.exit_code == 0, attached.output
    kept = {
        "type": "evidence_attached",
        "at": "2026-03-02T10:30:00+08:00",
        "actor": "SR-201",
        "reference": "photo-001.jpg",
    }
    assert evidence_shown_to(cid, "SR-102") == [{**kept, "note": note}]
    masked = "天花板水渍，业主陈**提供，另一电话*********11"
    assert evidence_shown_to(cid, "SR-402") == [{**kept, "note": masked}]
