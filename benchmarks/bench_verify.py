"""Tamper-evidence check of a large desk: ``store.verify()`` and ``Desk.verify(now)``.

Builds a SQLite desk of ``--n`` complaints (each registered, classified, routed,
with one queued message: three events and one ledger entry apiece), then times

* ``store.verify()``: every hash chain, the ledger against every complaint, the
  outbox, the keys and the creation times;
* ``Desk.verify(now)``: the same plus every complaint replayed under the pack
  and its projection row compared (what ``complaintcore verify`` runs);

then appends a reply to 1 % of the complaints and times the incremental check
from the head printed before (``verify(since=head)``, what ``complaintcore
verify --checkpoint FILE`` runs) against the full one, as ratios (target
≤ 0.1×), and prints the peak resident memory.

    python benchmarks/bench_verify.py --n 100000
    python benchmarks/bench_verify.py --n 100000 --database /tmp/desk100k.sqlite3  # kept for reruns

Targets: the store's checks under 30 s and the replay under 120 s for 100,000
complaints; the incremental check after 1 % appended at most 0.1× the full one
(store and desk).  Exits 1 if a target is missed (``--report-only`` to just print).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.models import Complainant, Intake
from complaintcore.core.workflow import Reply
from complaintcore.desk.service import Desk
from complaintcore.testing import RecordingNotifier, make_desk

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 11, 10, 9, 30, tzinfo=SH)
SUMMARIES = ("楼上漏水，天花板渗水", "电梯停运", "楼道垃圾没人打扫，有异味")


def intakes(n: int) -> Iterator[Intake]:
    for i in range(n):
        yield Intake(
            complainant=Complainant(f"业主{i}", f"137{i:08d}", f"3-2-{i % 1000:04d}"),
            channel="phone",
            received_at=T0,
            receiver="SR-103",
            summary=SUMMARIES[i % 3],
            site="sunrise",
        )


def incremental(desk: Desk, checkpoint: str) -> tuple[float, float, bool]:
    """Reply to 1 % of the complaints, then time the check since ``checkpoint``
    against the full one, store and desk; (store ratio, desk ratio, all clean)."""
    rows = desk.store.rows()
    touched = rows[::100][: max(1, len(rows) // 100)]
    later = T0 + timedelta(hours=2)
    t = time.perf_counter()
    for row in touched:
        desk.act(row.id, Reply(actor=row.handler, message="已安排师傅上门"), now=later)
    print(f"replied to {len(touched):,} complaints in {time.perf_counter() - t:.1f} s")
    now = T0 + timedelta(days=1)
    timings = {}
    reports = {}
    for name, call in (
        ("store full", lambda: desk.store.verify()),
        ("store incremental", lambda: desk.store.verify(since=checkpoint)),
        ("desk full", lambda: desk.verify(now)),
        ("desk incremental", lambda: desk.verify(now, since=checkpoint)),
    ):
        t = time.perf_counter()
        reports[name] = call()
        timings[name] = time.perf_counter() - t
        r = reports[name]
        print(
            f"{name:>18}: {timings[name]:8.3f} s  ok={r.ok}  {r.complaints:,} complaints,"
            f" {r.entries:,} ledger entries"
        )
    store_ratio = timings["store incremental"] / timings["store full"]
    desk_ratio = timings["desk incremental"] / timings["desk full"]
    return store_ratio, desk_ratio, all(r.ok for r in reports.values())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--database", type=Path, default=None)
    parser.add_argument("--report-only", action="store_true")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.database or Path(tmp) / "desk.sqlite3"
        fresh = not path.exists()
        with SqliteStore(path) as store:
            desk = make_desk(store=store, notifiers=[RecordingNotifier("log")])
            if fresh:
                t = time.perf_counter()
                count = sum(1 for _ in desk.receive_many(intakes(args.n), now=T0))
                took = time.perf_counter() - t
                print(f"built {count:,} complaints in {took:.1f} s ({count / took:,.0f}/s)")
            t = time.perf_counter()
            report = store.verify()
            store_s = time.perf_counter() - t
            print(
                f"store.verify(): {report.complaints:,} complaints, {report.events:,} events,"
                f" ok={report.ok}, {store_s:.1f} s; head {report.head[:20]}…"
            )
            t = time.perf_counter()
            replayed = desk.verify(T0 + timedelta(days=1))
            desk_s = time.perf_counter() - t
            print(f"Desk.verify(now): ok={replayed.ok}, {desk_s:.1f} s")
            store_ratio, desk_ratio, incremental_ok = incremental(desk, replayed.head)
            print(
                f"incremental / full: store {store_ratio:.4f}x, desk {desk_ratio:.4f}x"
                f" (target <= 0.1x: {'holds' if max(store_ratio, desk_ratio) <= 0.1 else 'MISSED'})"
            )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak resident memory {peak:,.0f} MB")
    scale = max(args.n, 1) / 100_000
    missed = not (report.ok and replayed.ok and incremental_ok) or store_s > 30 * scale
    missed = missed or desk_s > 120 * scale or max(store_ratio, desk_ratio) > 0.1
    if missed:
        print("a target was missed", file=sys.stderr)
    return 1 if missed and not args.report_only else 0


if __name__ == "__main__":
    sys.exit(main())
