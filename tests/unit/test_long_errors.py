"""Loader errors with many problems stay one readable line; every problem stays on the error."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from complaintcore.adapters.staff import staff_from_records
from complaintcore.core.errors import (
    LISTED_PROBLEMS,
    FieldProblem,
    RulePackError,
    SerializationError,
)
from complaintcore.i18n import translator
from complaintcore.rules import load_pack
from complaintcore.rules.loader import load_pack_data


def rows(n: int, rung: str = "project_manager") -> list[dict[str, object]]:
    return [
        {"staff_id": f"S{i}", "name": "n", "role": "r", "rung": rung, "department": "sales"}
        for i in range(n)
    ]


def staff_error(n: int) -> SerializationError:
    # The sales-office ladder has no project manager: every row is wrong once.
    with pytest.raises(SerializationError) as err:
        staff_from_records(rows(n), source="staff.toml", pack=load_pack("cn-sales-office"))
    return err.value


def test_a_staff_file_wrong_on_every_row_names_the_first_problems_and_counts_the_rest() -> None:
    err = staff_error(12)
    assert err.paths == tuple(f"staff[{i}].rung" for i in range(12))  # all of them kept
    message = str(err)
    assert message.startswith("cannot load staff.toml: staff[0].rung: not a rung")
    assert [f"staff[{i}].rung" in message for i in range(6)] == [True] * 5 + [False]
    assert message.endswith("; … and 7 more")
    assert "\n" not in message
    # a hundred rows more make the line no longer, only the count bigger
    assert len(str(staff_error(112))) == len(message) + 2


def test_few_problems_are_all_named() -> None:
    message = str(staff_error(LISTED_PROBLEMS))
    assert f"staff[{LISTED_PROBLEMS - 1}].rung" in message
    assert "more" not in message


@pytest.mark.parametrize(("lang", "more"), [("en", "; … and 7 more"), ("zh", "；……另有 7 项")])
def test_the_translated_line_is_capped_too(lang: str, more: str) -> None:
    err = staff_error(12)
    line = translator(lang).error(err)
    assert line.endswith(more)
    assert "staff[4].rung" in line
    assert "staff[5].rung" not in line


def test_a_rule_pack_with_many_problems_is_capped_the_same_way() -> None:
    text = resources.files("complaintcore.rules").joinpath("cn-property.toml").read_text("utf-8")
    data = tomllib.loads(text)
    for category in data["categories"]:
        category["department"] = "kitchen"
    with pytest.raises(RulePackError) as err:
        load_pack_data(data, "mine.toml")
    count = len(data["categories"])
    assert err.value.paths == tuple(f"categories[{i}].department" for i in range(count))
    message = str(err.value)
    assert message.startswith("invalid rule pack mine.toml: categories[0].department: ")
    assert "categories[5].department" not in message
    assert message.endswith(f"; … and {count - LISTED_PROBLEMS} more")
    assert translator("en").error(err.value).endswith(f"… and {count - LISTED_PROBLEMS} more")


def test_problems_built_by_hand_keep_their_order() -> None:
    problems = [FieldProblem(f"f{i}", "bad") for i in range(LISTED_PROBLEMS + 1)]
    err = SerializationError("x", problems)
    assert err.problems == tuple(problems)
    assert str(err) == "cannot load x: f0: bad; f1: bad; f2: bad; f3: bad; f4: bad; … and 1 more"
