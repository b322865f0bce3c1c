"""Bulk intake throughput: complaints received, classified, graded and stored per second.

Streams generated rows through ``Desk.receive_many`` into a fresh SQLite file
(the embedded default), each one registered, classified, assessed valid (so it
is graded), routed to a handler and stored with its projection and outbox, and
reports complaints per second and resident memory at checkpoints; memory must
stay flat as the file grows (rows are streamed, never loaded whole).

    python benchmarks/bench_intake.py --n 10000 --n 100000

Target: >= 2,000 complaints/s on one core.  Exits 1 if a target is missed
(``--report-only`` to just print).
"""

from __future__ import annotations

import argparse
import itertools
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from complaintcore.adapters.staff import write_sample_staff
from complaintcore.core.models import Complainant, Intake
from complaintcore.desk import Desk
from complaintcore.desk.config import DeskConfig

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 7, 1, 9, tzinfo=SH)
SUMMARIES = [
    "楼上漏水，天花板渗水",
    "物业费收费不合理，账单有误",
    "晚上装修噪音太大",
    "垃圾没人清理，楼道有异味",
    "停车位被占用，保安不管",
    "The lift has been broken for three days",
    "小区绿化带杂草丛生",
    "前台客服态度不耐烦",
    "门禁卡失灵进不了单元门",
    "water leaking from the ceiling again",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚"


def rows(n: int) -> Iterator[Intake]:
    """Generated intakes, one at a time (nothing is held)."""
    for i in range(n):
        at = T0 + timedelta(seconds=60 * i)
        yield Intake(
            complainant=Complainant(
                SURNAMES[i % len(SURNAMES)] + GIVEN[(i * 7) % len(GIVEN)] + GIVEN[i % 5],
                f"13{8 + i % 2}{i % 100_000_000:08d}",
                f"{1 + i % 12}-{1 + i % 3}-{100 * (1 + i % 28) + 1 + i % 4}",
                str(1 + i % 12),
                "sunrise" if i % 3 else "riverside",
            ),
            channel=("phone", "hotline", "web", "in_person", "written")[i % 5],
            received_at=at,
            receiver="SR-103" if i % 3 else "RS-103",
            summary=SUMMARIES[i % len(SUMMARIES)],
            site="sunrise" if i % 3 else "riverside",
            idempotency_key=f"bench-{i}",
        )


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(n: int, directory: Path) -> tuple[float, list[tuple[int, float]]]:
    staff = directory / "staff.toml"
    if not staff.exists():
        write_sample_staff(staff)
    db = directory / f"bench-{n}.sqlite3"
    desk = Desk.from_config(
        DeskConfig(database=str(db), staff_file=str(staff), notifiers={"log": False})
    )
    now = T0 + timedelta(seconds=60 * n)
    checkpoints: list[tuple[int, float]] = []
    started = time.perf_counter()
    done = 0
    for chunk in iter(lambda: list(itertools.islice(stream, 1000)), []):
        for result in desk.receive_many(chunk, now=now, validity="valid", batch=1000):
            if isinstance(result, Exception):
                raise result
            done += 1
        if done % max(n // 10, 1000) == 0:
            checkpoints.append((done, rss_mb()))
    elapsed = time.perf_counter() - started
    desk.close()
    return done / elapsed, checkpoints


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="rows (repeatable)")
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    sizes = args.n or [10_000]
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            global stream
            stream = rows(n)
            rate, checkpoints = run(n, Path(tmp))
            if not checkpoints:
                checkpoints = [(n, rss_mb())]
            growth = checkpoints[-1][1] - checkpoints[0][1] if len(checkpoints) > 1 else 0.0
            print(
                f"{n:>7} complaints: {rate:,.0f} /s  (target >= 2,000)  "
                f"max RSS {checkpoints[-1][1]:.0f} MB, growth after first tenth "
                f"{growth:+.1f} MB"
            )
            ok &= rate >= 2000
    return 0 if ok or args.report_only else 1


stream: Iterator[Intake] = iter(())

if __name__ == "__main__":
    sys.exit(main())
