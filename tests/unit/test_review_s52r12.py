"""Review s52R12: the desk's own API and the Chinese interface agree with ``receive --file``.

F01: ``Desk.receive``, ``receive_many`` and ``receive_each`` refuse an intake
without its receiver naming ``receiver`` (the field the caller filled), as the
CLI and :class:`FileImport` do since review s52R6 F03, not the command's
``actor``; an explicit ``actor`` does not stand in for the recorded receiver
(IN-2).  F02: under ``--lang zh`` a repeated column is named with its Chinese
name, ``'name'（姓名）``, as the other header refusals name it.  Expected values
are written out by hand from docs/cli.md and the zh_CN catalogue.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from complaintcore.adapters.staff import staff_from_csv
from complaintcore.core.errors import IncompleteRecordError, InvalidInputError, SerializationError
from complaintcore.core.models import Complainant, Intake
from complaintcore.desk import Desk
from complaintcore.desk.importer import FileImport
from complaintcore.i18n import translator
from complaintcore.testing import make_desk

NOW = datetime.fromisoformat("2026-11-05T10:00+08:00")
NO_RECEIVER = "receiver: the staff id of whoever took the complaint is missing (REC-5)"


def _stored(desk: Desk) -> int:
    return sum(1 for _ in desk.store.complaints())


def _intake(receiver: str, *, name: str = "王伟", summary: str = "厨房漏水") -> Intake:
    owner = Complainant(name, "13800000001", "3-1201", "3", "sunrise")
    return Intake(
        complainant=owner,
        channel="phone",
        received_at=NOW,
        receiver=receiver,
        summary=summary,
        site="sunrise",
    )


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("REC-5")
@pytest.mark.parametrize("receiver", ["", "   ", "\u3000"])
def test_receive_names_the_missing_receiver(receiver: str) -> None:
    with make_desk() as desk:
        with pytest.raises(IncompleteRecordError) as info:
            desk.receive(_intake(receiver), now=NOW)
        assert info.value.fields == ("receiver",)
        assert str(info.value) == f"record is not registrable: {NO_RECEIVER}"
        assert _stored(desk) == 0


@pytest.mark.procedure("REC-5")
def test_receive_many_and_receive_each_name_the_receiver_and_go_on() -> None:
    with make_desk() as desk:
        results = list(desk.receive_many([_intake(""), _intake("SR-103")], now=NOW))
        assert isinstance(results[0], IncompleteRecordError)
        assert results[0].fields == ("receiver",)
        assert not isinstance(results[1], Exception)
        assert results[1].intake.receiver == "SR-103"
        receipts = list(desk.receive_each([_intake("", summary="电梯停运")], now=NOW))
        assert [r.outcome for r in receipts] == ["rejected"]
        failure = receipts[0].failure
        assert isinstance(failure, IncompleteRecordError)
        assert str(failure) == f"record is not registrable: {NO_RECEIVER}"
        assert _stored(desk) == 1


@pytest.mark.procedure("IN-2")
def test_an_actor_does_not_stand_in_for_the_recorded_receiver() -> None:
    # before the fix this was stored with receiver '' and receiver_unit ''
    with make_desk() as desk:
        with pytest.raises(IncompleteRecordError) as info:
            desk.receive(_intake(""), now=NOW, actor="SR-103")
        assert info.value.fields == ("receiver",)
        assert _stored(desk) == 0


@pytest.mark.procedure("REC-1")
def test_the_receiver_is_named_after_the_other_missing_fields() -> None:
    # as a file's row is (desk.importer): REC-1 fields first, then the receiver
    with make_desk() as desk, pytest.raises(IncompleteRecordError) as info:
        desk.receive(_intake("", name="", summary=" "), now=NOW)
    assert info.value.fields == ("complainant.name", "summary", "receiver")
    assert str(info.value) == (
        "record is not registrable: complainant.name: complainant name (姓名) is missing"
        " (REC-1); summary: summary of the complaint (诉求内容摘要) is missing (REC-1); "
        + NO_RECEIVER
    )


@pytest.mark.procedure("REC-5")
def test_the_desk_and_the_file_give_the_same_refusal(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(
        "name,phone,room,building,site,channel,summary,received_at,receiver\n"
        "王伟,13800000001,3-1201,3,sunrise,phone,厨房漏水,2026-11-05 09:00,\n",
        encoding="utf-8",
    )
    with make_desk() as desk:
        rows = [(r.outcome, r.reason) for r in FileImport(desk, path, now=NOW)]
        with pytest.raises(IncompleteRecordError) as info:
            desk.receive(_intake(""), now=NOW)
    assert rows == [("rejected", NO_RECEIVER)]
    assert translator("zh").error(info.value) == (
        "记录无法登记：receiver：缺少受理人的员工编号（REC-5）"
    )


# --------------------------------------------------------------------------- F02

ROW = "王伟,13800000001,3-1201,sunrise,phone,厨房漏水,2026-11-03 10:00,SR-103"


def _header_refusal(tmp_path: Path, header: str, row: str) -> InvalidInputError:
    path = tmp_path / "in.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    with make_desk() as desk, pytest.raises(InvalidInputError) as info:
        list(FileImport(desk, path, now=NOW))
    return info.value


@pytest.mark.parametrize(
    ("header", "row", "english", "chinese"),
    [
        # the reviewer's dup_zh2: two Chinese names of one field, 'name' never typed
        (
            "姓名,投诉人,电话,房号,项目,渠道,投诉内容,受理时间,受理人",
            "王伟," + ROW,
            "line 1, column 2: repeats column name",
            "第 1 行第 2 列：与前面的列重复：'name'（姓名）",
        ),
        # dup_name: the Chinese name first, the English one last
        (
            "姓名,phone,room,site,channel,summary,received_at,receiver,name",
            ROW + ",王伟",
            "line 1, column 9: repeats column name",
            "第 1 行第 9 列：与前面的列重复：'name'（姓名）",
        ),
        (
            "name,phone,room,site,channel,投诉内容,摘要,received_at,receiver",
            ROW.replace("厨房漏水", "厨房漏水,漏水"),
            "line 1, column 7: repeats column summary",
            "第 1 行第 7 列：与前面的列重复：'summary'（投诉内容）",
        ),
    ],
    ids=["two-chinese-names", "chinese-then-english", "two-chinese-summaries"],
)
def test_a_repeated_column_is_named_in_chinese(
    tmp_path: Path, header: str, row: str, english: str, chinese: str
) -> None:
    refusal = _header_refusal(tmp_path, header, row)
    assert str(refusal) == english  # English as before
    assert translator("en").error(refusal) == english
    assert translator("zh").error(refusal) == chinese


def test_a_staff_files_repeated_column_keeps_its_own_names() -> None:
    # the staff file takes 姓名 for name too; its own columns (rung) stay as written
    text = (
        "staff_id,姓名,role,rung,department,name,rung\n"
        "SR-1,王工,工程师,front_line,engineering,王工,front_line\n"
    )
    with pytest.raises(SerializationError) as info:
        staff_from_csv(text, source="staff.csv")
    line = translator("zh").error(info.value)
    # a header cell by its number, as receive --file words it (review s53R6 F01)
    assert "第 1 行第 6 列：与前面的列重复：'name'（姓名）" in line
    assert "第 1 行第 7 列：与前面的列重复：rung" in line
