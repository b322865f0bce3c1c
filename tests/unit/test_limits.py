"""clean_record at the edges of its rule: what passes untouched, what is changed,
what is refused, in a nested record as in the top one."""

from __future__ import annotations

from datetime import datetime

import pytest

from complaintcore.core.errors import InvalidInputError
from complaintcore.core.limits import TextLimits, clean_record
from complaintcore.core.models import Channel, Complainant, Fact, Intake, TargetPerson
from tests.helpers import SH

LIMITS = TextLimits(lengths={"summary": 10, "name": 4})


def make(**kw: object) -> Intake:
    fields: dict[str, object] = {
        "complainant": Complainant("王小明", "13812345678", "3-2-1201"),
        "channel": Channel.PHONE,
        "received_at": datetime(2025, 11, 14, 9, 30, tzinfo=SH),
        "receiver": "cs-01",
        "summary": "楼上漏水",
        "facts": frozenset({Fact.STAFF_FAULT}),
        "evidence": ("photo-1.jpg",),
        "target": TargetPerson("SR-301", "front_line"),
    }
    fields.update(kw)
    return Intake(**fields)  # type: ignore[arg-type]


def test_a_clean_record_comes_back_as_the_same_object() -> None:
    intake = make(summary="漏" * 10)  # exactly at its limit
    assert clean_record(intake, LIMITS) is intake


def test_line_ends_are_normalised_in_nested_and_top_fields() -> None:
    intake = make(
        description="一\r\n二\r三",
        complainant=Complainant("王小\r\n", "13812345678", "3-2-1201"),
    )
    cleaned = clean_record(intake, LIMITS)
    assert cleaned.description == "一\n二\n三"
    assert cleaned.complainant.name == "王小\n"
    assert cleaned.summary is intake.summary
    assert cleaned.target is intake.target
    assert cleaned.evidence is intake.evidence


@pytest.mark.parametrize(
    ("intake", "path", "reason"),
    [
        (make(summary="漏" * 11), "summary", "is too long: 11 characters, at most 10 allowed"),
        (
            make(complainant=Complainant("王小明明明", "13812345678", "3-2-1201")),
            "complainant.name",
            "is too long: 5 characters, at most 4 allowed",
        ),
        (
            make(description="漏水\x00"),
            "description",
            "contains a control character at position 3 (not allowed in text)",
        ),
        (
            make(target=TargetPerson("SR-301", "front\ud800")),
            "target.rung",
            "contains a lone surrogate at position 6 (not allowed in text)",
        ),
        (
            make(evidence=("ok.jpg", "bad\x07.jpg")),
            "evidence[1]",
            "contains a control character at position 4 (not allowed in text)",
        ),
    ],
)
def test_refusals_name_the_field_and_the_rule(intake: Intake, path: str, reason: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        clean_record(intake, LIMITS)
    assert info.value.path == path
    assert str(info.value).endswith(reason)
    assert "漏水" not in str(info.value)  # PRV-1: never the text


@pytest.mark.parametrize(
    ("limits", "path", "most"),
    [
        (TextLimits(id_length=2), "receiver", 2),  # an id
        (TextLimits(lengths={"location": 2}), "location", 2),  # a field's own length
        (TextLimits(lengths={"room": 3}), "complainant.room", 3),  # in a nested record
    ],
)
def test_every_kind_of_limit_is_applied(limits: TextLimits, path: str, most: int) -> None:
    with pytest.raises(InvalidInputError) as info:
        clean_record(make(location="三号楼"), limits)
    assert info.value.path == path
    assert str(info.value).endswith(f"at most {most} allowed")


@pytest.mark.parametrize(
    ("char", "refused"),
    [
        ("\x7f", True),  # DEL
        ("\x80", True),  # the first C1 control
        ("\x85", True),  # NEL
        ("\x9b", True),  # CSI: a terminal may run "\x9b31m" as ESC [ 31 m
        ("\x9f", True),  # the last C1 control
        ("\t", False),
        ("\n", False),
        ("~", False),
        ("\xa0", False),  # no-break space, the first character after C1
        ("é", False),
    ],
)
def test_del_and_c1_controls_are_refused_like_c0(char: str, refused: bool) -> None:
    intake = make(summary=f"漏水{char}x")
    if not refused:
        assert clean_record(intake, LIMITS).summary == f"漏水{char}x"
        return
    with pytest.raises(InvalidInputError) as info:
        clean_record(intake, LIMITS)
    assert info.value.path == "summary"
    assert str(info.value) == (
        "summary: contains a control character at position 3 (not allowed in text)"
    )
