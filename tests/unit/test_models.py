"""The value types: labels, aware datetimes, masking (PRV-1)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from complaintcore.core.errors import InvalidInputError, NaiveDatetimeError
from complaintcore.core.models import Channel, Complainant, Grade, Intake, mask, staff_key

SH = ZoneInfo("Asia/Shanghai")


def _intake(**kw: object) -> Intake:
    base: dict[str, object] = {
        "complainant": Complainant("王小明", "13812345678", "3-2-1201"),
        "channel": "phone",
        "received_at": datetime(2025, 11, 14, 17, 30, tzinfo=SH),
        "receiver": "s-001",
        "summary": "楼上漏水",
    }
    base.update(kw)
    return Intake(**base)  # type: ignore[arg-type]


@pytest.mark.procedure("IN-1")
def test_every_channel_has_both_labels_and_parses_from_either() -> None:
    for ch in Channel:
        assert ch.zh
        assert ch.en
        assert Channel.parse(ch.zh, "channel") is ch
        assert Channel.parse(ch.value, "channel") is ch
    assert _intake(channel="电话").channel is Channel.PHONE


def test_unknown_channel_names_the_field() -> None:
    with pytest.raises(InvalidInputError) as info:
        _intake(channel="pigeon")
    assert info.value.path == "channel"


def test_naive_received_at_is_refused_by_name() -> None:
    with pytest.raises(NaiveDatetimeError) as info:
        _intake(received_at=datetime(2025, 11, 14, 17, 30))
    assert info.value.path == "received_at"
    assert isinstance(info.value, ValueError)


@pytest.mark.procedure("GRD-1")
def test_four_grades_ordered_by_rank() -> None:
    assert [g.value for g in sorted(Grade, key=lambda g: g.rank)] == [
        "internal",
        "minor",
        "important",
        "major",
    ]
    assert Grade.MAJOR.zh == "重大"


@pytest.mark.procedure("PRV-1")
def test_repr_of_complainant_and_intake_masks_personal_data() -> None:
    text = repr(_intake())
    assert "13812345678" not in text
    assert "王小明" not in text
    assert "3-2-1201" not in text
    assert mask("13812345678").endswith("78")
    assert mask("王小明") == "王**"


def test_staff_ids_are_compared_with_width_case_and_spaces_folded() -> None:
    spellings = ["SR-301", "sr-301", " SR-301 ", "ＳＲ-３01", "S R-301\t"]
    for _ in range(2):  # asked again, the same answer
        assert {staff_key(s) for s in spellings} == {"sr-301"}
    assert staff_key("SR-302") != staff_key("SR-301")
    assert staff_key("ß-1") == "ss-1"  # case folded, not just lowered
    assert staff_key(None) == ""  # type: ignore[arg-type]
    assert staff_key(301) == ""  # type: ignore[arg-type]
