"""Event schema versions: upcasters, the chain's version prefix, and what stays as 0.1.0 had it."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from complaintcore import EventVersionError, EventVersions, InvalidInputError
from complaintcore.adapters.chain import (
    canonical_json,
    chain_events,
    chain_problems,
    encode_intake,
    event_hash,
    genesis_hash,
)
from complaintcore.core.workflow import AttachEvidence, Register, decide, evolve, new_complaint
from tests.helpers import T0, intake, pack


def _renamed(body: Any) -> dict[str, Any]:
    out = dict(body)
    out["reference"] = out.pop("ref")
    return out


def test_an_upcaster_raises_the_current_version_and_reads_old_bodies() -> None:
    versions = EventVersions()
    assert versions.current("evidence_attached") == 1
    versions.register("evidence_attached", from_version=1)(_renamed)
    versions.register("evidence_attached", from_version=2)(lambda b: {**b, "v3": True})
    assert versions.current("evidence_attached") == 3
    old = {"type": "evidence_attached", "ref": "photo"}
    assert versions.upcast("evidence_attached", 1, old) == {
        "type": "evidence_attached",
        "reference": "photo",
        "v3": True,
    }
    assert old == {"type": "evidence_attached", "ref": "photo"}  # the stored one untouched
    current = {"type": "evidence_attached", "reference": "x"}
    assert versions.upcast("evidence_attached", 3, current) == current


@pytest.mark.parametrize(
    ("version", "why"),
    [(4, "written by a newer complaintcore"), (0, "not a positive integer")],
)
def test_a_version_it_cannot_read_is_one_error_without_the_body(version: int, why: str) -> None:
    versions = EventVersions()
    versions.register("replied", from_version=1)(lambda b: dict(b))
    versions.register("replied", from_version=2)(lambda b: dict(b))
    with pytest.raises(EventVersionError, match=why) as err:
        versions.upcast("replied", version, {"type": "replied", "message": "王小明 13812345678"})
    assert "13812345678" not in str(err.value)
    assert err.value.kind == "replied"
    assert err.value.supported == 3


def test_a_missing_step_is_named() -> None:
    versions = EventVersions()
    versions.register("closed", from_version=2)(lambda b: dict(b))  # nothing from 1
    with pytest.raises(EventVersionError, match="no upcaster to version 2"):
        versions.upcast("closed", 1, {"type": "closed"})


def test_registering_twice_or_nonsense_is_refused() -> None:
    versions = EventVersions()
    versions.register("closed", from_version=1)(lambda b: dict(b))
    with pytest.raises(InvalidInputError):
        versions.register("closed", from_version=1)(lambda b: dict(b))
    for bad in (0, -1, True, "1"):
        with pytest.raises(InvalidInputError):
            versions.register("closed", from_version=bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError):
        versions.register("", from_version=1)


def test_version_1_hashes_as_0_1_0_did_and_a_later_version_is_in_the_hash() -> None:
    body = canonical_json({"type": "closed", "at": "2025-11-14T09:30:00+08:00"})
    prev = "0" * 64
    assert event_hash(prev, "C-1", 2, body) == event_hash(prev, "C-1", 2, body, 1)
    assert event_hash(prev, "C-1", 2, body, 2) != event_hash(prev, "C-1", 2, body, 1)


def test_changing_a_stored_version_breaks_the_chain() -> None:
    the_pack = pack()
    c = new_complaint("C-1", intake())
    c = evolve(c, decide(c, Register(actor="s-front"), the_pack, T0))
    c = evolve(c, decide(c, AttachEvidence(actor="s-cs", reference="p"), the_pack, T0))
    intake_json = encode_intake(c.intake)
    stored = chain_events("C-1", c.events, version=0, prev_hash=genesis_hash(intake_json))
    assert chain_problems("C-1", intake_json, stored, 2) == (2, [])
    forged = [stored[0], stored[1]._replace(schema_version=2)]
    assert chain_problems("C-1", intake_json, forged, 2)[1] == [
        "complaint C-1 event 2: hash does not match its content (edited)"
    ]


def test_the_testing_module_needs_pytest_only_for_the_contract() -> None:
    code = (
        "import sys\n"
        "sys.modules['pytest'] = None\n"
        "from complaintcore.testing import FixedClock, make_desk\n"
        "try:\n"
        "    from complaintcore.testing import StoreContract\n"
        "except ImportError:\n"
        "    print('contract needs pytest')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "contract needs pytest", done.stderr
