"""How ``tests/data/desk-0.1.0-store.sqlite3.gz`` was made: a store written by complaintcore 0.1.0.

Run once against the 0.1.0 sources (commit d988298, schema version 2), then
compress the file as it is (``*.sqlite3`` files are not committed)::

    git archive d988298 src | tar -x -C /tmp/cc-010
    PYTHONPATH=/tmp/cc-010/src python tests/data/make_store_0_1_0.py /tmp/desk.sqlite3
    gzip -9 -n -c /tmp/desk.sqlite3 > tests/data/desk-0.1.0-store.sqlite3.gz

The file is committed; ``tests/integration/test_stored_0_1_0_store.py`` opens
copies with the current code (which migrates them: tenants, event schema
versions), verifies them, and moves the desk to PostgreSQL and back.  Running
this script against newer code would write a newer file: do not regenerate it.

Five complaints at site ``sunrise``, received on Monday 10 November 2025
(Asia/Shanghai): two with idempotency keys, one assessed and replied to, one
closed, all swept on Friday (escalations, at-risk warnings); the outbox keeps
delivered items, items that failed once and wait for a retry, and items never
tried.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from complaintcore.models import Complainant, Intake
from complaintcore.workflow import Assess, Close, Handle, Reply

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.testing import FailingNotifier, RecordingNotifier, make_desk

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 11, 10, 10, 0, tzinfo=SH)
FRIDAY = datetime(2025, 11, 14, 9, 30, tzinfo=SH)


def intake(i: int, summary: str, **kw: object) -> Intake:
    base: dict[str, object] = {
        "complainant": Complainant(
            "王小明李华张伟刘洋陈静"[2 * i : 2 * i + 2],
            f"1381234567{i}",
            f"3-2-120{i}",
            "3",
            "sunrise",
        ),
        "channel": "phone",
        "received_at": T0 + timedelta(minutes=10 * i),
        "receiver": "SR-103",
        "summary": summary,
        "site": "sunrise",
    }
    base.update(kw)
    return Intake(**base)  # type: ignore[arg-type]


def main(path: str) -> None:
    sms = FailingNotifier("sms", down=True)
    desk = make_desk(store=SqliteStore(path), notifiers=[RecordingNotifier("log"), sms])
    summaries = (
        "楼上漏水，天花板渗水",
        "物业费收费不合理，账单有误",
        "晚上装修噪音太大",
        "垃圾没人清理，楼道有异味",
        "门禁卡失灵进不了单元门",
    )
    ids = []
    for i, summary in enumerate(summaries):
        key = f"wx-order-{i}" if i < 2 else ""
        c = desk.receive(
            intake(i, summary, idempotency_key=key),
            now=T0 + timedelta(minutes=10 * i),
            complaint_id=f"C-010-{i}",
        )
        ids.append(c.id)
    at = T0 + timedelta(hours=2)
    desk.act(ids[0], Assess(actor="SR-101", validity="valid"), now=at)
    desk.act(ids[0], Reply(actor="SR-201", message="已安排维修"), now=at + timedelta(minutes=5))
    desk.act(ids[3], Assess(actor="SR-101", validity="valid"), now=at)
    desk.act(ids[3], Handle(actor="SR-201", result="已清理"), now=at + timedelta(minutes=30))
    desk.act(
        ids[3],
        Close(actor="SR-101", result="已清理", confirmed_by_complainant=True),
        now=at + timedelta(hours=1),
    )
    desk.sweep(FRIDAY)
    desk.deliver(FRIDAY)  # sms still down: its items failed once and wait
    desk.close()


if __name__ == "__main__":
    main(sys.argv[1])
