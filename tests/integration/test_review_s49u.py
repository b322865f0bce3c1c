"""Review s49U F04: building S typed in English is building S on a stored desk too
(HDL-5, DL-7).

A row written before (projection rows' revision 7) keyed ``Block S`` as ``blocks``
and ``Bldg. S`` as ``bldg.s``; the first sweep of this revision (8) finds the basis
changed and rewrites them as ``s``, so the third neighbour's ``S座`` joins their
issue (cn-property: three complainants of one building within 72 h).  The keys
are written by hand: a building's old key is its spelling with NFKC, case and
spaces ignored; a room key is ``sha256("room:<site>|<building>|<room>")``, sixteen
hex digits.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import attrs
import pytest

from complaintcore import __version__, projection_basis
from complaintcore.core.workflow import Assess, decide, evolve
from complaintcore.testing import MemoryStore, make_desk
from tests.integration.test_building_spellings import MONDAY, _lift


def _hash(source: str) -> str:
    return hashlib.sha256(source.encode()).hexdigest()[:16]


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("DL-7")
def test_rows_keyed_blocks_are_rewritten_as_building_s_by_the_first_sweep() -> None:
    store = MemoryStore()
    with make_desk(store=store) as desk:
        ids = []
        for n, building, old in ((1, "Block S", "blocks"), (2, "Bldg. S", "bldg.s")):
            at = MONDAY + timedelta(minutes=n)
            received = desk.receive(_lift(n, building), now=at)
            events = decide(received, Assess(actor="SR-101", validity="valid"), desk.pack, at)
            after = evolve(received, events)
            room = _hash(f"room:sunrise|{old}|3-2-120{n}")
            row = attrs.evolve(desk._projection.row(after, at), building=old, room_key=room)
            store.append(received.id, received.version, events, row, [])  # as revision 7 wrote it
            ids.append(received.id)
        previous = projection_basis(desk.pack, desk.calendar, f"{__version__} rows 7")
        assert store.keep_projection_basis(previous, instead_of=store.projection_basis())
        assert [store.row(c).building for c in ids] == ["blocks", "bldg.s"]
        desk.sweep(MONDAY + timedelta(minutes=2, seconds=30))
        assert [(store.row(c).building, store.row(c).room_key) for c in ids] == [
            ("s", _hash("room:sunrise|s|3-2-1201")),
            ("s", _hash("room:sunrise|s|3-2-1202")),
        ]
        third = desk.receive(_lift(3, "S座"), now=MONDAY + timedelta(minutes=3), validity="valid")
        assert desk.get(third.id).state.issue == f"I-{ids[0]}"
