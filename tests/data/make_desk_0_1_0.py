"""How ``tests/data/desk-0.1.0.sqlite`` was made: a desk written by complaintcore 0.1.0.

Run once against the 0.1.0 sources (commit d988298, the last flat layout)::

    git archive d988298 src | tar -x -C /tmp/cc-010
    PYTHONPATH=/tmp/cc-010/src python tests/data/make_desk_0_1_0.py tests/data/desk-0.1.0.sqlite

The file is committed; ``tests/integration/test_stored_desk_0_1_0.py`` opens a copy
with the current code (which migrates it), verifies it and sweeps it.  Running
this script against newer code would write a newer file: do not regenerate it.

The desk holds seven complaints at site ``sunrise`` received on Monday
10 November 2025 (Asia/Shanghai): an open leak with a promise that will be
broken (DL-5), a visited one with an appointed reply time (VIS-2), a head-office
bypass complaint (IN-6), a closed one, and two more leaks in building 3 from
other owners (HDL-5), plus one request.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from complaintcore.models import Complainant, Intake
from complaintcore.workflow import Assess, Close, Promise, Reply, Visit

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.testing import RecordingNotifier, make_desk

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 11, 10, 10, 0, tzinfo=SH)


def intake(name: str, phone: str, room: str, summary: str, **kw: object) -> Intake:
    base: dict[str, object] = {
        "complainant": Complainant(name, phone, room, "3", "sunrise"),
        "channel": "phone",
        "received_at": T0,
        "receiver": "SR-103",
        "summary": summary,
        "site": "sunrise",
    }
    base.update(kw)
    return Intake(**base)  # type: ignore[arg-type]


def main(path: str) -> None:
    desk = make_desk(store=SqliteStore(path), notifiers=[RecordingNotifier("log")])
    now = T0

    def at(minutes: int) -> datetime:
        return now + timedelta(minutes=minutes)

    leak = desk.receive(
        intake("王小明", "13812345678", "3-2-1201", "楼上漏水，天花板渗水", idempotency_key="k-1"),
        now=at(0),
        complaint_id="C-OLD-1",
    )
    desk.act(leak.id, Assess(actor="SR-101", validity="valid"), now=at(5))
    desk.act(
        leak.id,
        Promise(
            actor="SR-101", due=datetime(2025, 11, 11, 12, 0, tzinfo=SH), note="明天中午前修好"
        ),
        now=at(6),
    )

    visited = desk.receive(
        intake("李芳", "13900001111", "3-1-501", "卫生间漏水", received_at=at(10)),
        now=at(10),
        complaint_id="C-OLD-2",
    )
    desk.act(visited.id, Assess(actor="SR-101", validity="valid"), now=at(15))
    desk.act(visited.id, Reply(actor="SR-101", message="已修好", final=True), now=at(20))
    desk.act(
        visited.id,
        Visit(
            actor="SR-102",
            satisfied=True,
            opinion="满意，但想知道墙面何时重刷",
            reply_due=datetime(2025, 11, 12, 17, 0, tzinfo=SH),
        ),
        now=at(30),
    )

    desk.receive(
        intake(
            "赵强",
            "13700002222",
            "7-1-301",
            "管理处不理睬，直接向总部投诉停车费",
            received_at=at(40),
            receiver="HQ-002",
            receiver_unit="head_office",
            via_head_office=True,
        ),
        now=at(40),
        complaint_id="C-OLD-3",
    )

    closed = desk.receive(
        intake("孙丽", "13600003333", "2-2-202", "垃圾没人清理", received_at=at(45)),
        now=at(45),
        complaint_id="C-OLD-4",
    )
    desk.act(closed.id, Assess(actor="SR-101", validity="valid"), now=at(50))
    desk.act(closed.id, Reply(actor="SR-101", message="已清理", final=True), now=at(55))
    desk.act(
        closed.id,
        Close(actor="SR-101", result="已清理，业主确认", confirmed_by_complainant=True),
        now=at(60),
    )

    for n, (name, phone, room) in enumerate(
        [("周杰", "13500004444", "3-2-1101"), ("吴敏", "13400005555", "3-2-1301")], start=5
    ):
        desk.receive(
            intake(name, phone, room, "楼上漏水，墙面渗水", received_at=at(60 + n)),
            now=at(60 + n),
            complaint_id=f"C-OLD-{n}",
        )

    desk.receive(
        intake("郑一", "13300006666", "5-1-101", "申请预约上门维修空调", received_at=at(70)),
        now=at(70),
        complaint_id="C-OLD-7",
        validity="valid",
    )
    desk.close()


if __name__ == "__main__":
    main(sys.argv[1])
