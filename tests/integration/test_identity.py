"""Identity (issue 13, defect 5): who may act is who the directory says, however typed.

0.1.0 let the reserved ``system`` actor register complaints, compared the
person complained about by the exact spelling of their id (so ``sr-301``,
``"SR-301 "`` or ``SR-３01`` let the accused see and answer the complaint, and
routed it to them with the complainant's name and phone), took the accused's
rung from the input (routing a complaint to their peer), and accepted any site.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner

from complaintcore import (
    AccessDeniedError,
    Assign,
    Intake,
    InvalidInputError,
    Reply,
    SerializationError,
    TargetPerson,
)
from complaintcore.adapters.staff import staff_from_csv
from complaintcore.cli import main
from complaintcore.desk import Desk
from complaintcore.testing import MemoryStore, RecordingNotifier, make_desk
from tests.helpers import SH
from tests.helpers import intake as _intake

NOW = datetime(2025, 11, 14, 9, 30, tzinfo=SH)
PHONE = "13812345678"
ACCUSED = "SR-301"  # head of security at sunrise (department_head)


def intake(**kw: object) -> Intake:
    return _intake(**{"receiver": "SR-103", **kw})


def about(staff_id: str, rung: str = "department_head") -> TargetPerson:
    return TargetPerson(staff_id=staff_id, rung=rung, role="保安主管")


@pytest.fixture
def notes() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def desk(notes: RecordingNotifier) -> Desk:
    return make_desk(notifiers=[notes])


def people(desk: Desk, notes: RecordingNotifier, complaint_id: str) -> set[str]:
    desk.deliver(NOW)
    return {n.recipient for n, _ in notes.sent if n.complaint_id == complaint_id}


# --------------------------------------------------------------------------- reserved


@pytest.mark.parametrize("receiver", ["system", "SYSTEM", " system ", "ｓｙｓｔｅｍ"])
def test_the_system_actor_cannot_register_a_complaint(desk: Desk, receiver: str) -> None:
    with pytest.raises(AccessDeniedError):
        desk.receive(intake(receiver=receiver), now=NOW)
    assert desk.rows() == []


def test_the_system_actor_is_refused_everywhere_else_too(desk: Desk) -> None:
    c = desk.receive(intake(receiver="SR-103"), now=NOW)
    for actor in ("system", "System"):
        with pytest.raises(AccessDeniedError):
            desk.act(c.id, Reply(actor=actor, message="ok"), now=NOW)
        with pytest.raises(AccessDeniedError):
            desk.view(c.id, actor)
    with pytest.raises(AccessDeniedError):
        desk.act(c.id, Assign(actor="SR-101", handler="SYSTEM", rung="front_line"), now=NOW)
    with pytest.raises(SerializationError, match="reserved"):
        staff_from_csv(
            "staff_id,name,role,rung,department\nSystem,机器人,bot,front_line,customer_service\n"
        )


def test_receive_receiver_system_on_the_command_line_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["init", "."]).exit_code == 0
    result = runner.invoke(
        main,
        [
            "--lang",
            "en",
            "receive",
            *("--name", "王小明", "--phone", PHONE, "--room", "3-2-1201"),
            *("--site", "sunrise", "--summary", "楼上漏水", "--receiver", "system"),
        ],
        env={"COMPLAINTCORE_NOW": "2025-11-14T17:30"},
    )
    assert result.exit_code == 4, result.output
    assert "reserved" in result.stderr


# --------------------------------------------------------------------------- the accused


@pytest.mark.parametrize("spelling", ["SR-301", "sr-301", "SR-301 ", "SR-３01", "ＳＲ－３０１"])
def test_the_accused_however_spelled_never_sees_answers_or_receives_it(
    desk: Desk, notes: RecordingNotifier, spelling: str
) -> None:
    c = desk.receive(intake(summary="保安态度恶劣，推搡业主", target=about(spelling)), now=NOW)
    assert c.intake.target is not None
    assert c.intake.target.staff_id == ACCUSED  # recorded as the directory spells it
    assert c.state.handler != ACCUSED
    assert ACCUSED not in people(desk, notes, c.id)
    for who in (ACCUSED, "sr-301", " SR-301"):
        with pytest.raises(AccessDeniedError):
            desk.view(c.id, who)
        with pytest.raises(AccessDeniedError):
            desk.act(c.id, Reply(actor=who, message="我没有"), now=NOW)


def test_the_accused_rung_comes_from_the_directory_not_the_input(
    desk: Desk, notes: RecordingNotifier
) -> None:
    # SR-301 is a department head; the input claims a front-line guard
    c = desk.receive(
        intake(summary="保安主管态度恶劣", target=about("SR-301", rung="front_line")), now=NOW
    )
    assert c.intake.target is not None
    assert c.intake.target.rung == "department_head"
    handler = desk.directory.get(c.state.handler)
    assert handler is not None
    assert desk.pack.rung_index(handler.rung) > desk.pack.rung_index("department_head")


def test_an_unknown_accused_is_refused(desk: Desk) -> None:
    with pytest.raises(InvalidInputError) as err:
        desk.receive(intake(summary="保安态度恶劣", target=about("SR-999")), now=NOW)
    assert err.value.path == "target.staff_id"
    assert desk.rows() == []


# --------------------------------------------------------------------------- ids and sites


def test_an_actor_typed_in_another_case_or_width_acts_as_the_directory_spells_it(
    desk: Desk,
) -> None:
    c = desk.receive(intake(receiver=" sr-103"), now=NOW)
    assert c.intake.receiver == "SR-103"
    c = desk.act(c.id, Reply(actor="ｓｒ-201", message="已安排维修"), now=NOW)
    assert c.events[-1].actor == "SR-201"


def test_an_unknown_site_is_refused_unless_the_config_lists_it(desk: Desk) -> None:
    nowhere = attrs.evolve(intake(), site="atlantis")
    with pytest.raises(InvalidInputError) as err:
        desk.receive(nowhere, now=NOW)
    assert err.value.path == "site"
    assert desk.rows() == []
    listed = Desk(
        pack=desk.pack,
        store=MemoryStore(),
        directory=desk.directory,
        calendar=desk.calendar,
        sites=["atlantis"],  # a new estate head office looks after for now
    )
    assert "atlantis" in listed.known_sites()
    c = listed.receive(nowhere, now=NOW)
    assert c.intake.site == "atlantis"
    handler = listed.directory.get(c.state.handler)
    assert handler is not None
    assert handler.site == "*"
    from_config = Desk.from_config({"database": ":memory:", "sites": ["atlantis"]})
    assert from_config.known_sites() == {"atlantis"}
