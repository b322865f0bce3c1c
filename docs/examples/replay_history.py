"""Bring a paper ledger's complaints into a new desk, each step at its own time.

Run it in an empty directory (``python replay_history.py``): it writes the
sample ``staff.toml`` there and replays two complaints into
``complaints.sqlite3``, one closed after a satisfied return visit and one
still open, then prints what the first sweep and November's report make of
them.  Running it again stores nothing twice.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from complaintcore import (
    Assess,
    Close,
    Command,
    Complainant,
    Complaint,
    Desk,
    Handle,
    Intake,
    OutboxStore,
    RecordCause,
    Reply,
    Report,
    Visit,
)
from complaintcore.adapters.staff import write_sample_staff

SH = ZoneInfo("Asia/Shanghai")
ADOPTION = datetime(2026, 12, 2, 9, 0, tzinfo=SH)  # the desk goes live


def at(text: str) -> datetime:
    """A time as the ledger writes it, on Beijing's clock."""
    return datetime.fromisoformat(text).replace(tzinfo=SH)


def ledger_entry(number: str, name: str, phone: str, room: str, summary: str, when: str) -> Intake:
    """One complaint of the ledger; its number keeps a second run from storing it again."""
    return Intake(
        complainant=Complainant(name, phone, room, building=room.split("-")[0], site="sunrise"),
        channel="phone",
        received_at=at(when),
        receiver="SR-103",
        summary=summary,
        site="sunrise",
        idempotency_key=f"ledger-{number}",
    )


LEAK = ledger_entry("2026-0871", "王伟", "13800000001", "3-1201", "厨房漏水", "2026-11-03 10:00")
LEAK_STEPS: list[tuple[str, Command]] = [
    ("2026-11-03 11:00", Assess(actor="SR-201", validity="valid")),  # graded minor
    ("2026-11-04 15:00", Handle(actor="SR-201", result="更换厨房水管")),  # DL-3
    ("2026-11-04 16:00", Reply(actor="SR-201", message="水管已更换", final=True)),  # DL-1
    ("2026-11-04 17:00", Report(actor="SR-201", content="厨房漏水", result="已修复")),  # REC-2
    ("2026-11-05 10:00", RecordCause(actor="SR-201", cause="水管老化", corrective="更换")),
    ("2026-11-06 10:00", Visit(actor="SR-102", satisfied=True, opinion="满意")),  # VIS-1
    ("2026-11-06 10:30", Close(actor="SR-101", result="修复，业主满意")),  # VIS-3
]
LIFT = ledger_entry("2026-0903", "李娜", "13800000002", "5-0302", "电梯停运", "2026-11-30 10:00")
LIFT_STEPS: list[tuple[str, Command]] = [
    ("2026-11-30 14:00", Assess(actor="SR-201", validity="valid")),  # still being handled
]


def replay(desk: Desk, entry: Intake, steps: Sequence[tuple[str, Command]]) -> Complaint:
    """Receive the complaint when it was received, then take each step when it was
    taken, so its clocks stop when they really stopped; steps already recorded (a
    second run) are skipped."""
    complaint = desk.receive(entry, now=entry.received_at)
    for when, command in steps:
        if at(when) > complaint.events[-1].at:
            complaint = desk.act(complaint.id, command, now=at(when))
    return complaint


def main() -> int:
    if not Path("staff.toml").exists():
        write_sample_staff("staff.toml")  # the sample office; your desk has its own
    config = {"database": "complaints.sqlite3", "pack": "cn-property", "staff_file": "staff.toml"}
    with Desk.from_config(config) as desk:  # no delivery worker: messages wait
        leak = replay(desk, LEAK, LEAK_STEPS)  # the oldest first, as they were received
        lift = replay(desk, LIFT, LIFT_STEPS)
        closed = leak.events[-1].at
        print(f"leak: {leak.status}, grade {leak.state.grade}, closed {closed:%Y-%m-%d %H:%M}")
        reply = next(c for c in desk.clocks(lift.id, ADOPTION) if c.name == "reply")
        due = f"{reply.due:%Y-%m-%d %H:%M}" if reply.due else "-"
        print(f"lift: {lift.status}, held by {lift.state.handler}, reply due {due}")

        # The replay queued what the desk would have said at the time.  Nobody
        # needs to hear of the closed complaint now: drop its messages, send the rest.
        assert isinstance(desk.store, OutboxStore)
        held = desk.store.waiting(100_000)
        stale = [item for item in held if item.notification.complaint_id == leak.id]
        for item in stale:
            desk.drop_message(item.id, ADOPTION, "history replayed at adoption", actor="SR-101")
        sent = desk.deliver(ADOPTION).sent
        print(f"outbox: {len(held)} held, {len(stale)} dropped, {sent} sent")

        swept = desk.sweep(ADOPTION + timedelta(minutes=5))  # cron's first run
        print(f"first sweep: examined {swept.examined}, escalated {len(swept.escalated)}")

        report = desk.monthly_report(2026, 11, now=ADOPTION)
        totals, visits = report.totals, report.satisfaction
        print(
            f"2026-11: received {totals.received}, valid {totals.valid_complaints},"
            f" closed {report.closed_count}, open {report.open_count},"
            f" satisfied visits {visits.satisfied} of {visits.visits}"
        )
        for clock in (*report.clocks, *report.duties):
            still_open = clock.running + clock.at_risk + clock.paused
            if clock.met + clock.missed + clock.breached + still_open:
                print(
                    f"  {clock.rule:<5} {clock.name}: met {clock.met}, late {clock.missed},"
                    f" breached {clock.breached}, open {still_open}"
                )
        print(f"verify: {'ok' if desk.verify(ADOPTION).ok else 'problems'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
