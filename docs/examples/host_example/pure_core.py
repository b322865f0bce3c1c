"""The pure core alone, in a script: no desk, no store, no I/O, no clock.

A command is decided into events (or refused with a named error), the events
are folded into the complaint, and the deadline clocks are computed from the
events on the pack's working calendar.  ``now`` is always an argument.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from complaintcore import (
    Assess,
    Classify,
    ClockStatus,
    Command,
    Complainant,
    Complaint,
    Intake,
    Register,
    Reply,
    RulePack,
    WorkingCalendar,
    calendar_for_spec,
    classify,
    compute_clocks,
    decide,
    evolve,
    load_pack,
    new_complaint,
)

SH = ZoneInfo("Asia/Shanghai")


def leak(received_at: datetime) -> Intake:
    """An owner's phone call about a leak, as the host's form records it."""
    return Intake(
        complainant=Complainant("王小明", "13812345678", "3-2-1201", building="3", site="sunrise"),
        channel="phone",
        received_at=received_at,
        receiver="SR-103",
        summary="楼上漏水，天花板渗水",
        site="sunrise",
    )


def run(
    complaint: Complaint, steps: Iterable[tuple[Command, datetime]], pack: RulePack
) -> Complaint:
    """Decide and fold each command at its time; a refused one raises."""
    for command, now in steps:
        complaint = evolve(complaint, decide(complaint, command, pack, now))
    return complaint


def handled_leak(pack: RulePack) -> Complaint:
    """Registered on Friday evening, classified, assessed, answered on Monday."""
    received = datetime(2025, 11, 14, 17, 30, tzinfo=SH)
    found = classify(leak(received).summary, pack)  # CLS-1 by the pack's keywords
    return run(
        new_complaint("C-20251114-0001", leak(received)),
        [
            (Register(actor="SR-103"), received),
            (Classify(actor="SR-102", category=found.category), received),
            (
                Assess(actor="SR-201", validity="valid", facts=["facility_limitation"]),
                datetime(2025, 11, 17, 9, 0, tzinfo=SH),
            ),
            (
                Reply(actor="SR-201", message="已更换排水管", final=True),
                datetime(2025, 11, 17, 16, 0, tzinfo=SH),
            ),
        ],
        pack,
    )


def clocks(
    complaint: Complaint, pack: RulePack, calendar: WorkingCalendar, now: datetime
) -> dict[str, ClockStatus]:
    return {s.name: s for s in compute_clocks(complaint, pack, calendar, now)}


def report(now: datetime) -> list[str]:
    """What the script prints: the complaint and its reply clock at ``now``."""
    pack = load_pack("cn-property")
    complaint = handled_leak(pack)
    reply = clocks(complaint, pack, calendar_for_spec(pack.calendar), now)["reply"]
    state = complaint.state
    grade = state.grade.value if state.grade is not None else "ungraded"
    return [
        f"{complaint.id} {complaint.status.value} {state.category} {grade}",
        f"reply {reply.state.value}: due {reply.due:%Y-%m-%d %H:%M}, used {reply.used}",
    ]


if __name__ == "__main__":
    print("\n".join(report(datetime(2025, 11, 18, 9, 0, tzinfo=SH))))
