"""``python -m host_example``: the pure core in a script, then a desk with the host's parts."""

from __future__ import annotations

import sys
from datetime import datetime

from complaintcore import Assess, Reply
from host_example.plugin import HostPlugin, desk
from host_example.pure_core import SH, leak, report


def main() -> int:
    print("\n".join(report(datetime(2025, 11, 18, 9, 0, tzinfo=SH))))

    plugin = HostPlugin()
    received = datetime(2025, 11, 14, 17, 30, tzinfo=SH)
    with desk(plugin) as the_desk:
        complaint = the_desk.receive(leak(received), now=received)  # routed to SR-201
        the_desk.deliver(received)  # the outbox is sent apart from intake (or by a worker)
        the_desk.act(
            complaint.id,
            Assess(actor="SR-201", validity="valid"),
            now=datetime(2025, 11, 17, 9, 0, tzinfo=SH),
        )
        complaint = the_desk.act(
            complaint.id,
            Reply(actor="SR-201", message="已更换排水管", final=True),
            now=datetime(2025, 11, 17, 16, 0, tzinfo=SH),
        )
        the_desk.deliver(datetime(2025, 11, 17, 16, 0, tzinfo=SH))
    print(f"desk: {complaint.status.value}, handled by {complaint.state.handler}")
    for staff_id, topic, _subject in plugin.notifier.inbox:
        print(f"inbox {staff_id}: {topic}")
    print(f"audit: {len(plugin.audit)} events")
    return 0


if __name__ == "__main__":
    sys.exit(main())
