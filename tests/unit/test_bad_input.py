"""Bad input anywhere in the public API gives a complaintcore error naming the field.

Never a bare KeyError, TypeError or AttributeError: a host catching
``ComplaintCoreError`` catches everything the library refuses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.core.errors import ComplaintCoreError
from complaintcore.core.models import Complainant, Intake
from complaintcore.core.workflow import (
    Apologise,
    Assess,
    CallBack,
    Escalate,
    Group,
    Promise,
    Regrade,
    Reply,
    Report,
    Visit,
    VisitSite,
    decide,
)
from complaintcore.rules import load_pack_data
from complaintcore.serialization import complaint_from_dict, event_from_dict, intake_from_dict
from tests.helpers import Runner, pack

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
junk = st.one_of(json_values, st.just(object()), st.just(datetime(2025, 1, 1)), st.binary())


def _library_error_or_ok(call: Any) -> None:
    try:
        call()
    except ComplaintCoreError as exc:
        message = str(exc)
    except Exception as exc:  # the point of the test: nothing else may escape
        pytest.fail(f"{type(exc).__name__} escaped: {exc}")
    else:
        return
    assert message, "a library error must say what is wrong"


@given(data=json_values)
def test_loaders_refuse_any_json_with_library_errors(data: Any) -> None:
    for loader in (intake_from_dict, event_from_dict, complaint_from_dict):
        _library_error_or_ok(lambda loader=loader: loader(data))


@given(
    data=st.dictionaries(
        st.sampled_from(
            ["name", "ladder", "categories", "clocks", "calendar", "grading", "departments"]
        ),
        json_values,
        max_size=5,
    )
)
def test_pack_loader_refuses_any_mapping_with_library_errors(data: dict[str, Any]) -> None:
    _library_error_or_ok(lambda: load_pack_data(data, "fuzz"))


@given(name=junk, phone=junk, room=junk, summary=junk, channel=junk, received=junk)
def test_building_an_intake_from_anything(
    name: Any, phone: Any, room: Any, summary: Any, channel: Any, received: Any
) -> None:
    def build() -> None:
        Intake(
            complainant=Complainant(name, phone, room),
            channel=channel,
            received_at=received,
            receiver="s",
            summary=summary,
        )

    _library_error_or_ok(build)


@given(
    value=junk,
    which=st.sampled_from(
        [
            "validity",
            "grade",
            "trigger",
            "due",
            "reply_due",
            "message",
            "actor",
            "apology",
            "remedy",
            "report",
            "reference",
            "written",
            "findings",
            "departments",
            "outcome",
            "satisfied",
            "issue",
            "members",
            "complainants",
        ]
    ),
)
def test_commands_refuse_any_field_value(value: Any, which: str) -> None:
    r = Runner(pack())
    r.register()
    builders = {
        "validity": lambda: Assess(actor="h", validity=value),
        "grade": lambda: Regrade(actor="h", grade=value),
        "trigger": lambda: Escalate(actor="h", trigger=value),
        "due": lambda: Promise(actor="h", due=value),
        "reply_due": lambda: Visit(actor="h", satisfied=True, reply_due=value),
        "message": lambda: Reply(actor="h", message=value),
        "actor": lambda: Reply(actor=value, message="m"),
        "apology": lambda: Apologise(actor="h", apology=value, reason="r", remedy="x"),
        "remedy": lambda: Apologise(actor="h", apology="a", reason="r", remedy=value),
        "report": lambda: Report(actor="h", content=value, result="r"),
        "reference": lambda: Report(actor="h", content="c", written=True, reference=value),
        "written": lambda: Report(actor="h", content="c", written=value),
        "findings": lambda: VisitSite(actor="h", findings=value),
        "departments": lambda: VisitSite(actor="h", findings="f", departments=value),
        "outcome": lambda: CallBack(actor="h", outcome=value),
        "satisfied": lambda: CallBack(actor="h", outcome="o", satisfied=value),
        "issue": lambda: Group(actor="h", issue=value, members=("C-1",), complainants=3),
        "members": lambda: Group(actor="h", issue="I-1", members=value, complainants=3),
        "complainants": lambda: Group(actor="h", issue="I-1", members=("C-1",), complainants=value),
    }

    def run() -> None:
        command = builders[which]()
        decide(r.complaint, command, r.pack, r.now)

    _library_error_or_ok(run)
