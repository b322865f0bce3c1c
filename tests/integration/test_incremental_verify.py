"""Incremental verify: ``verify(since=head)`` checks what was committed after a
kept head -- the ledger from it on, the outbox rows those entries queued, and
every complaint they name, re-verified whole -- on SQLite and PostgreSQL.

Each attack runs as raw SQL with the guard triggers off (the attacker of
``test_tamper_evidence``), after a clean check printed the checkpoint.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from complaintcore import Desk, Reply
from tests.integration import test_tamper_evidence as tamper_evidence
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_tamper_evidence import (
    NOW,
    Attacker,
    SqliteAttacker,
    delete_complaint,
    entry_of,
    forge_event,
    ids,
    last_event,
)

# The attacker (SQLite and PostgreSQL) and its desk of three complaints.
attacker = tamper_evidence.attacker
desk = tamper_evidence.desk

LATER = T0 + timedelta(days=1)


def reply(desk: Desk, cid: str, message: str = "已收到，明天上门") -> None:
    handler = desk.get(cid).state.handler
    desk.act(cid, Reply(actor=handler, message=message), now=LATER)


def after_checkpoint(desk: Desk) -> tuple[str, str, list[str]]:
    """The checkpoint, then one old complaint replied to and two new ones received:
    (the checkpoint, the old complaint touched, the new complaints)."""
    checkpoint = desk.verify(NOW).head
    old = ids(desk)[1]
    before = set(ids(desk))
    reply(desk, old)
    list(desk.receive_many(list(intakes(2, LATER)), now=LATER))
    new = sorted(set(ids(desk)) - before)
    return checkpoint, old, new


def test_a_clean_incremental_check_after_appends(desk: Desk) -> None:
    checkpoint, old, new = after_checkpoint(desk)
    report = desk.verify(NOW, since=checkpoint)
    assert report.ok, report.problems
    assert report.incremental
    assert report.since == checkpoint
    assert report.rechecked == tuple(sorted([old, *new]))
    assert report.complaints == 3
    assert report.events == desk.get(old).version + sum(desk.get(c).version for c in new)
    assert report.entries == 1 + 3  # the checkpoint's own entry, re-hashed, and three commits
    assert report.head == desk.store.ledger_head()
    assert desk.verify(NOW).head == report.head
    nothing_new = desk.verify(NOW, since=report.head)
    assert nothing_new.ok
    assert (nothing_new.complaints, nothing_new.entries, nothing_new.rechecked) == (0, 1, ())
    # with a kept head from before the checkpoint the check starts there
    assert desk.verify(NOW, since=report.head, expect=checkpoint).rechecked == report.rechecked


def test_an_edited_new_event_is_found(attacker: Attacker, desk: Desk) -> None:
    checkpoint, old, _new = after_checkpoint(desk)
    seq, _body, _version, _prev = last_event(attacker, old)  # the reply, after the checkpoint
    attacker.run(
        "UPDATE {s}.events SET body_json = replace(body_json, '明天', '后天')"
        " WHERE tenant = 'default' AND complaint_id = ? AND seq = ?",
        old,
        seq,
    )
    problems = desk.store.verify(since=checkpoint).problems
    assert problems == (f"complaint {old} event {seq}: hash does not match its content (edited)",)
    assert set(problems) <= set(desk.store.verify(expect=checkpoint).problems)


def test_a_forged_ledger_entry_is_found(attacker: Attacker, desk: Desk) -> None:
    checkpoint, _old, new = after_checkpoint(desk)
    last = entry_of(attacker, new[-1])
    attacker.run("UPDATE {s}.ledger SET version = version + 1 WHERE seq = ?", last)
    problems = desk.store.verify(since=checkpoint).problems
    assert f"ledger entry {last}: hash does not match its content (edited)" in problems
    assert any(p.startswith(f"complaint {new[-1]}: the ledger's last commit") for p in problems)
    assert set(problems) <= set(desk.store.verify(expect=checkpoint).problems)


def test_a_forged_event_on_a_complaint_touched_since_is_found(
    attacker: Attacker, desk: Desk
) -> None:
    checkpoint, old, _new = after_checkpoint(desk)
    forge_event(attacker, old)
    problems = desk.store.verify(since=checkpoint).problems
    assert any(p.startswith(f"complaint {old}: the ledger's last commit") for p in problems)


def test_an_outbox_row_queued_since_is_found_when_edited(attacker: Attacker, desk: Desk) -> None:
    checkpoint, _old, new = after_checkpoint(desk)
    [(item,)] = attacker.run(
        "SELECT min(id) FROM {s}.outbox WHERE tenant = 'default' AND complaint_id = ?", new[0]
    )
    attacker.run("UPDATE {s}.outbox SET dedupe_key = 'forged' WHERE id = ?", item)
    seq = entry_of(attacker, new[0])
    assert desk.store.verify(since=checkpoint).problems == (
        f"ledger entry {seq}: its outbox items ({item}) differ from what the commit queued"
        " (edited, added or deleted)",
    )
    attacker.run(  # a row smuggled in with no commit behind it
        "INSERT INTO {s}.outbox (tenant, notifier, dedupe_key, complaint_id, body_json,"
        " created_at, attempts) SELECT tenant, notifier, 'smuggled', complaint_id, body_json,"
        " created_at, 0 FROM {s}.outbox WHERE id = ?",
        item,
    )
    [(smuggled,)] = attacker.run("SELECT max(id) FROM {s}.outbox WHERE tenant = 'default'")
    assert (
        f"outbox item {smuggled}: queued by no commit of the ledger (added outside the library)"
        in desk.store.verify(since=checkpoint).problems
    )


def test_a_new_complaint_deleted_whole_is_found(attacker: Attacker, desk: Desk) -> None:
    checkpoint, _old, new = after_checkpoint(desk)
    delete_complaint(attacker, new[0])
    report = desk.verify(NOW, since=checkpoint)
    assert f"complaint {new[0]}: in the ledger but not stored (deleted)" in report.problems
    assert f"ledger entry {entry_of(attacker, new[0])}: the outbox items it queued are gone" in (
        " ".join(report.problems)
    )
    assert set(report.problems) <= set(desk.verify(NOW, expect=checkpoint).problems)


def test_the_checkpoint_entry_rewritten_or_beyond_the_end(attacker: Attacker, desk: Desk) -> None:
    checkpoint, _old, _new = after_checkpoint(desk)
    seq = int(checkpoint.split(":")[0])
    attacker.run("UPDATE {s}.ledger SET hash = ? WHERE seq = ?", "0" * 64, seq)
    problems = desk.store.verify(since=checkpoint).problems
    assert problems[:2] == (
        f"ledger entry {seq}: hash does not match its content (edited)",
        f"ledger entry {seq}: differs from the kept head (the ledger was rewritten)",
    )
    assert desk.store.verify(since=f"{seq + 40}:{'a' * 64}").problems == (
        f"ledger entry {seq + 40}: the kept head is beyond the ledger's end (entries deleted)",
    )
    attacker.run("DELETE FROM {s}.ledger WHERE seq >= ?", seq)  # back to before the checkpoint
    assert (
        f"ledger entry {seq}: the kept head is beyond the ledger's end (entries deleted)"
        in desk.store.verify(since=checkpoint).problems
    )


def test_the_checkpoint_entry_deleted_with_later_entries_left(
    attacker: Attacker, desk: Desk
) -> None:
    # review s41E F06: the ledger runs past the kept head, so it is a hole at its
    # entry, not a ledger cut short
    checkpoint, _old, _new = after_checkpoint(desk)
    seq = int(checkpoint.split(":")[0])
    attacker.run("DELETE FROM {s}.ledger WHERE seq = ?", seq)
    missing = f"ledger entry {seq}: missing (the kept head's entry was deleted)"
    assert missing in desk.store.verify(since=checkpoint).problems
    assert missing in desk.store.verify(expect=checkpoint).problems
    assert not any(
        "beyond the ledger's end" in p for p in desk.store.verify(since=checkpoint).problems
    )


def test_an_untouched_complaint_is_left_to_the_full_check(attacker: Attacker, desk: Desk) -> None:
    """The documented limit: the incremental check reads nothing committed before
    the checkpoint and untouched since; the full check finds the edit."""
    checkpoint, old, _new = after_checkpoint(desk)
    untouched = next(c for c in ids(desk)[:3] if c != old)
    attacker.run(
        "UPDATE {s}.events SET body_json = body_json || ' ' WHERE tenant = 'default'"
        " AND complaint_id = ? AND seq = 1",
        untouched,
    )
    assert desk.verify(NOW, since=checkpoint).ok
    assert any(untouched in p for p in desk.verify(NOW).problems)


# ---------------------------------------------------------------------- the command line


def test_verify_checkpoint_file_lifecycle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.integration.test_cli_delivery_and_identity import RECEIVE, invoke

    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    for _ in range(2):
        assert invoke(*RECEIVE).exit_code == 0
    kept = tmp_path / "verified.head"
    first = invoke("verify", "--checkpoint", str(kept))  # no file yet: a full check
    assert first.exit_code == 0, first.output
    assert "hash chain verified: 2 complaints" in first.stdout
    head = kept.read_text().strip()
    assert head.startswith("2:")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []

    # the same owner a third time: the new complaint, and both earlier ones marked
    # as raised repeatedly (GRD-2), are three commits after the checkpoint
    assert invoke(*RECEIVE).exit_code == 0
    second = invoke("verify", "--checkpoint", str(kept))
    assert second.exit_code == 0, second.output
    # the checkpoint's own entry is read again, then the three new ones
    assert f"incremental check since {head}: 4 ledger entries, 3 complaints" in second.stdout
    moved = kept.read_text().strip()
    assert moved.startswith("5:")
    doc = json.loads(invoke("verify", "--since", head, "--json").stdout)
    assert (doc["ok"], doc["since"], doc["entries"], doc["head"]) == (True, head, 4, moved)

    assert invoke(*RECEIVE).exit_code == 0
    attacker = SqliteAttacker(tmp_path / "complaints.sqlite3")
    [(cid,)] = attacker.run("SELECT complaint_id FROM ledger ORDER BY seq DESC LIMIT 1")
    attacker.run("UPDATE events SET body_json = body_json || ' ' WHERE complaint_id = ?", cid)
    caught = invoke("verify", "--checkpoint", str(kept))
    assert caught.exit_code == 5
    assert f"complaint {cid} event 1: hash does not match its content (edited)" in caught.stderr
    assert kept.read_text().strip() == moved  # left as it was

    for args in (
        ("--since", head, "--checkpoint", str(kept)),
        ("--since", "yesterday"),
    ):
        refused = invoke("verify", *args)
        assert refused.exit_code == 2, args
    kept.write_text("not a head\n")
    assert invoke("verify", "--checkpoint", str(kept)).exit_code == 2
    assert kept.read_text() == "not a head\n"
    # review s41E F05: a seq beyond 64 bits is no head either, not an error of the store
    beyond = f"{2**63}:{'a' * 64}"
    for option in ("--since", "--expect"):
        refused = invoke("verify", option, beyond)
        assert refused.exit_code == 2, refused.output
        assert f"'{option}'" in refused.stderr
    kept.write_text(beyond + "\n")
    refused = invoke("verify", "--checkpoint", str(kept))
    assert refused.exit_code == 2, refused.output
    assert "'--checkpoint'" in refused.stderr
