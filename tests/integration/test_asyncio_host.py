"""An asyncio host, as docs/hooks.md tells it to work: the desk is called off the
event loop, and a hook hands its async work back to the host's loop."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Complainant, Complaint, Event, Intake
from complaintcore.desk import Desk
from complaintcore.desk.hookspecs import hookimpl
from complaintcore.desk.plugins import make_plugin_manager
from complaintcore.rules import load_pack
from complaintcore.testing import MemoryStore
from tests.helpers import SH

T0 = datetime(2025, 11, 10, 9, 0, tzinfo=SH)


class Audit:
    """The documented listener: its async client runs on the host's loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.heard: list[tuple[str, list[str]]] = []

    async def write(self, complaint_id: str, kinds: list[str]) -> None:
        await asyncio.sleep(0)
        self.heard.append((complaint_id, kinds))

    @hookimpl
    def complaintcore_on_events(self, complaint: Complaint, events: Sequence[Event]) -> None:
        coro = self.write(complaint.id, [e.kind for e in events])
        asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=5)


def test_a_listener_hands_its_async_work_to_the_hosts_loop() -> None:
    async def main() -> tuple[Complaint, Audit]:
        audit = Audit(asyncio.get_running_loop())
        pack = load_pack("cn-property")
        desk = Desk(
            pack=pack,
            store=MemoryStore(),
            directory=load_sample_staff(pack=pack),
            calendar=calendar_for_spec(pack.calendar),
            plugin_manager=make_plugin_manager([audit], load_entry_points=False),
        )
        owner = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
        intake = Intake(
            complainant=owner,
            channel="phone",
            received_at=T0,
            receiver="SR-103",
            summary="厨房水龙头漏水",
            site="sunrise",
        )
        stored = await asyncio.to_thread(desk.receive, intake, now=T0)
        return stored, audit

    stored, audit = asyncio.run(main())
    assert [cid for cid, _ in audit.heard] == [stored.id]
    assert audit.heard[0][1][0] == "registered"
