"""``show`` and ``report --staff`` say when a complaint's sanction is lighter than its grade's.

PEN-1 (004 篇2 §4): 轻微投诉给予警告且做书面检查；重要投诉发黄牌且作通报批评并做书面检查.
A guard's complaint sanctioned at minor (a warning) and then regraded important
keeps only the warning until someone records important's yellow card.  Both
``show`` and the per-staff table count what was recorded (the warning) and say
that the sanction of the current grade is outstanding, in English and Chinese
(review s46L L02).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main

# within the complaint's month (received 10 Nov 09:05): past it, it is major and owes
# major's sanction before any sweep records the grade (review s56R6 F03)
LATER = "2025-12-05T10:00"


def cli(lang: str, *args: str, now: str = "2025-11-11T10:00") -> Result:
    return CliRunner().invoke(main, ["--lang", lang, *args], env={"COMPLAINTCORE_NOW": now})


@pytest.fixture
def warned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A valid complaint about guard SR-302, minor, its warning recorded, then
    regraded important by the project manager: the id."""
    monkeypatch.chdir(tmp_path)
    assert cli("en", "init", ".").exit_code == 0
    received = cli(
        "en", "receive", "--name", "李雪梅", "--phone", "13912345678", "--room", "3-2-1202",
        "--site", "sunrise", "--summary", "夜班保安态度恶劣", "--receiver", "SR-103",
        "--target-staff-id", "SR-302", "--json", now="2025-11-10T09:05",
    )  # fmt: skip
    assert received.exit_code == 0, received.output
    cid = str(json.loads(received.stdout)["id"])
    for step in (
        ["assess", "--actor", "SR-101", "--validity", "valid"],
        ["grade", "--actor", "SR-101"],
        ["sanction", "--actor", "SR-101"],
        ["grade", "--actor", "SR-001", "--grade", "important", "--reason", "辱骂业主"],
    ):
        done = cli("en", "act", cid, *step)
        assert done.exit_code == 0, (step, done.output)
    return cid


OUTSTANDING_EN = (
    "sanction outstanding (PEN-2): grade important calls for yellow card, circulated"
    " criticism, written self-examination for SR-302; recorded: grade minor, warning,"
    " written self-examination"
)
OUTSTANDING_ZH = (
    "处罚待补（PEN-2）：SR-302应按「重要」等级处罚：黄牌、通报批评、书面检讨；"
    "已记录：「轻微」等级，警告、书面检讨"
)


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("PEN-2")
def test_show_says_the_sanction_of_the_current_grade_is_outstanding(warned: str) -> None:
    shown = cli("en", "show", warned)
    assert shown.exit_code == 0, shown.output
    assert OUTSTANDING_EN in " ".join(shown.stdout.split())
    zh = cli("zh", "show", warned)
    assert OUTSTANDING_ZH in "".join(zh.stdout.split())
    document = json.loads(cli("en", "show", warned, "--json").stdout)
    assert document["state"]["sanction_outstanding"] == {
        "staff_id": "SR-302",
        "grade": "important",
        "measures": ["yellow_card", "circulated_criticism", "self_examination"],
        "recorded": {"grade": "minor", "measures": ["warning", "self_examination"]},
    }

    assert cli("en", "act", warned, "sanction", "--actor", "SR-001").exit_code == 0
    assert "outstanding" not in cli("en", "show", warned).stdout
    document = json.loads(cli("en", "show", warned, "--json").stdout)
    assert document["state"]["sanction_outstanding"] is None


@pytest.mark.procedure("PEN-1")
@pytest.mark.procedure("PEN-2")
def test_the_staff_table_counts_the_warning_and_names_the_yellow_card_outstanding(
    warned: str,
) -> None:
    """By hand: one sanction, of grade minor; one warning; no card (the yellow card
    was never recorded); one valid complaint; the important sanction outstanding."""
    table = cli("en", "report", "--month", "2025-11", "--staff", "--format", "json", now=LATER)
    assert table.exit_code == 0, table.output
    (row,) = json.loads(table.stdout)["staff"]["rows"]
    assert (row["sanctions"], row["cards"], row["warnings"], row["complaints"]) == (
        {"minor": 1},
        {},
        1,
        1,
    )
    assert row["outstanding"] == [
        {
            "complaint_id": warned,
            "grade": "important",
            "measures": ["yellow_card", "circulated_criticism", "self_examination"],
            "recorded": {"grade": "minor", "measures": ["warning", "self_examination"]},
        }
    ]
    text = cli("en", "report", "--month", "2025-11", "--staff", now=LATER)
    flat = " ".join(text.stdout.split())
    assert (
        f"{warned} SR-302: grade important calls for yellow card, circulated criticism,"
        " written self-examination; recorded: grade minor, warning, written self-examination"
    ) in flat
    zh = "".join(cli("zh", "report", "--month", "2025-11", "--staff", now=LATER).stdout.split())
    assert (
        f"{warned}SR-302：应按「重要」等级处罚：黄牌、通报批评、书面检讨；"
        "已记录：「轻微」等级，警告、书面检讨"
    ) in zh
    rows = cli("en", "report", "--month", "2025-11", "--staff", "--format", "csv", now=LATER)
    assert f"staff,SR-302,SR-302,SR-302,SR-302,outstanding,1,{warned}" in rows.stdout
    page = cli("en", "report", "--month", "2025-11", "--staff", "--format", "html", now=LATER)
    assert f"{warned}" in page.stdout
    assert "yellow card, circulated criticism, written self-examination" in page.stdout

    assert cli("en", "act", warned, "sanction", "--actor", "SR-001").exit_code == 0
    table = cli("en", "report", "--month", "2025-11", "--staff", "--format", "json", now=LATER)
    (row,) = json.loads(table.stdout)["staff"]["rows"]
    assert (row["sanctions"], row["cards"], row["outstanding"]) == (
        {"important": 1},
        {"yellow_card": 1},
        [],
    )
