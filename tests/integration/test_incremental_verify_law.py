"""The law of incremental verify, on real SQLite files.

Let a desk be checked clean with head ``H`` (the checkpoint).  After any
further commits, and any tampering confined to what those commits wrote -- the
events they appended, the complaints they created, the ledger entries after
``H`` (an entry deleted from the middle; the ledger's last entries deleted is
the one removal left to the full check, see docs/security.md), the outbox rows
they queued -- ``verify(since=H)`` finds a problem exactly when
``verify(expect=H)`` (the full check anchored on the same head) does, and every
problem it names is one the full check names.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaintcore import Desk, Reply
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.testing import RecordingNotifier, make_desk
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_tamper_evidence import SqliteAttacker, delete_complaint, forge_event

LATER = T0 + timedelta(days=1)
CHECK = T0 + timedelta(days=3)

_OP = st.one_of(st.just(-1), st.integers(0, 50))  # -1: receive one; k: reply to complaint k
TAMPERS = (
    "none",
    "edit_new_event",
    "delete_new_last_event",
    "edit_entry",
    "delete_middle_entry",
    "edit_outbox",
    "delete_new_complaint",
    "forge_event_on_touched",
    "edit_new_creation_time",
)


def run(desk: Desk, ops: list[int]) -> None:
    for op in ops:
        known = [r.id for r in desk.rows()]
        if op < 0 or not known:
            list(desk.receive_many(list(intakes(1, LATER)), now=LATER))
            continue
        cid = sorted(known)[op % len(known)]
        desk.act(cid, Reply(actor=desk.get(cid).state.handler, message="已收到"), now=LATER)


def tamper(a: SqliteAttacker, kind: str, seq: int, versions: dict[str, int], pick: int) -> bool:
    """Change what the commits after entry ``seq`` wrote; False when nothing fits."""
    if kind == "edit_new_event" or kind == "delete_new_last_event":
        rows = a.run("SELECT complaint_id, max(seq) FROM events GROUP BY complaint_id")
        fit = sorted((c, n) for c, n in rows if n > versions.get(c, 0))
        if not fit:
            return False
        cid, last = fit[pick % len(fit)]
        if kind == "edit_new_event":
            a.run(
                "UPDATE events SET body_json = body_json || ' ' WHERE complaint_id = ? AND seq = ?",
                cid,
                last,
            )
        else:
            a.run("DELETE FROM events WHERE complaint_id = ? AND seq = ?", cid, last)
        return True
    entries = [n for (n,) in a.run("SELECT seq FROM ledger WHERE seq > ? ORDER BY seq", seq)]
    new = sorted(c for (c,) in a.run("SELECT id FROM complaints") if c not in versions)
    if kind == "edit_entry" and entries:
        a.run("UPDATE ledger SET version = version + 1 WHERE seq = ?", entries[pick % len(entries)])
        return True
    if kind == "delete_middle_entry" and len(entries) > 1:
        a.run("DELETE FROM ledger WHERE seq = ?", entries[:-1][pick % (len(entries) - 1)])
        return True
    if kind == "edit_outbox":
        items = [i for (i,) in a.run("SELECT id FROM outbox WHERE ledger_seq > ?", seq)]
        if items:
            a.run("UPDATE outbox SET notifier = 'webhook' WHERE id = ?", items[pick % len(items)])
            return True
    if kind == "delete_new_complaint" and new:
        delete_complaint(a, new[pick % len(new)])
        return True
    if kind == "edit_new_creation_time" and new:
        a.run(
            "UPDATE complaints SET created_at = '2020-01-01T00:00:00.000000+00:00' WHERE id = ?",
            new[pick % len(new)],
        )
        return True
    if kind == "forge_event_on_touched":
        touched = sorted(
            {c for (c,) in a.run("SELECT complaint_id FROM ledger WHERE seq > ?", seq)}
        )
        if touched:
            forge_event(a, touched[pick % len(touched)])
            return True
    return False


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    before=st.lists(_OP, min_size=1, max_size=5),
    after=st.lists(_OP, max_size=5),
    kind=st.sampled_from(TAMPERS),
    pick=st.integers(0, 1000),
)
def test_incremental_finds_a_problem_exactly_when_the_anchored_full_check_does(
    before: list[int], after: list[int], kind: str, pick: int
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "desk.sqlite3"
        with SqliteStore(path) as store:
            desk = make_desk(store=store, notifiers=[RecordingNotifier("log")])
            run(desk, before)
            clean = desk.verify(CHECK)
            assert clean.ok, clean.problems
            checkpoint = clean.head
            versions = {r.id: r.version for r in desk.rows()}
            run(desk, after)
            seq = int(checkpoint.split(":")[0])
            tampered = kind != "none" and tamper(SqliteAttacker(path), kind, seq, versions, pick)
            incremental = desk.verify(CHECK, since=checkpoint)
            full = desk.verify(CHECK, expect=checkpoint)
        assert incremental.ok == full.ok, (kind, incremental.problems, full.problems)
        assert set(incremental.problems) <= set(full.problems)
        assert full.ok == (not tampered)  # every kind of tampering here is a real one
