"""How ``tests/data/desk-0.1.0-guard.sqlite3.gz`` was made: a guard's complaint as 0.1.0 swept it.

Run once against the 0.1.0 sources (commit d988298, schema version 2), then
compress the file as it is (``*.sqlite3`` files are not committed)::

    git archive d988298 src | tar -x -C /tmp/cc-010
    PYTHONPATH=/tmp/cc-010/src python tests/data/make_guard_0_1_0.py /tmp/guard.sqlite3
    gzip -9 -n -c /tmp/guard.sqlite3 > tests/data/desk-0.1.0-guard.sqlite3.gz

The file is committed; ``tests/integration/test_stored_0_1_0_guard.py`` opens
copies with the current code.  Running this script against newer code would
write a newer file: do not regenerate it.

One complaint at site ``sunrise`` (cn-property, the sample staff): a fee
complaint a night guard (SR-302, security) registered on Thursday 6 November
2025 at 22:02 and passed on to nobody (IN-5).  0.1.0's sweep on Saturday
08:30 escalated it on ``to_customer_service`` to the complaint-handler rung and
routed nobody there (its routing offered finance's department head, which the
core refused); the sweep of Wednesday 12 November escalated it again, to the
department head, who took it on.  No handover to customer service is recorded.
"""

from __future__ import annotations

import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from complaintcore.models import Complainant, Intake

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.testing import RecordingNotifier, make_desk

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 11, 6, 22, 2, tzinfo=SH)


def main(path: str) -> None:
    desk = make_desk(store=SqliteStore(path), notifiers=[RecordingNotifier("log")])
    intake = Intake(
        complainant=Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise"),
        channel="in_person",
        received_at=T0,
        receiver="SR-302",
        receiver_unit="security",
        summary="物业费收费不合理，账单有误",
        site="sunrise",
    )
    desk.receive(intake, now=T0, complaint_id="C-GUARD-1", route=False)
    desk.sweep(datetime(2025, 11, 8, 8, 30, tzinfo=SH))
    desk.sweep(datetime(2025, 11, 12, 8, 30, tzinfo=SH))
    desk.close()


if __name__ == "__main__":
    main(sys.argv[1])
