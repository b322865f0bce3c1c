"""Every labelled enum is a ``StrEnum``: members are their stable value strings."""

from __future__ import annotations

import enum
import json

import pytest

import complaintcore.core.deadlines
import complaintcore.core.rulepack
import complaintcore.core.validity
from complaintcore.core.models import LabelledEnum, Status
from tests.helpers import Runner, intake, pack


def _subclasses(cls: type[LabelledEnum]) -> list[type[LabelledEnum]]:
    out: list[type[LabelledEnum]] = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out


ENUMS = sorted(_subclasses(LabelledEnum), key=lambda c: c.__name__)
MEMBERS = [member for cls in ENUMS for member in cls]


def test_the_library_defines_its_enums_as_labelled_str_enums() -> None:
    names = {cls.__name__ for cls in ENUMS}
    # The modules imported above define these; a new plain Enum would be missed here.
    assert {"Status", "Grade", "Channel", "ClockState", "ClockMode", "Measure", "Clear"} <= names
    for module in (
        complaintcore.core.deadlines,
        complaintcore.core.rulepack,
        complaintcore.core.validity,
    ):
        plain = [
            name
            for name, value in vars(module).items()
            if isinstance(value, type)
            and issubclass(value, enum.Enum)
            and not issubclass(value, enum.StrEnum)
        ]
        assert plain == [], module.__name__


@pytest.mark.parametrize("member", MEMBERS, ids=lambda m: f"{type(m).__name__}.{m.name}")
def test_a_member_is_its_value_string(member: LabelledEnum) -> None:
    value = member.value
    assert type(value) is str
    assert isinstance(member, str)
    assert member == value
    assert str(member) == value
    assert f"{member}" == value
    assert hash(member) == hash(value)
    assert json.dumps(member) == json.dumps(value)
    assert json.dumps({"k": member}, sort_keys=True) == json.dumps({"k": value}, sort_keys=True)
    assert type(member)(value) is member
    assert member.zh
    assert member.en
    assert member.label("zh") == member.zh
    assert member.label("en") == member.en


def test_values_are_the_stable_ones_stored_since_0_1_0() -> None:
    assert [s.value for s in Status] == [
        "new",
        "registered",
        "in_handling",
        "awaiting_visit",
        "closed",
    ]


def test_a_complaint_status_compares_with_plain_strings() -> None:
    run = Runner(pack(), intake())
    c = run.register()
    assert c.status == "registered"
    assert c.status != "closed"
    assert c.status in {"registered", "in_handling"}
    assert c.status is Status.REGISTERED
