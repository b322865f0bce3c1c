"""Who may settle a complaint that has no grade (review s42A F01).

cn-property on a SQLite desk with the packaged sample staff at ``sunrise``: a leak
received by receptionist SR-103 is routed to engineering's head SR-201, at the
rung the pack's default grade (``[grading] default = "minor"``) needs: minor →
department head (ESC-3, docs/rule-packs.md).  docs/desk.md, "Access control":
assessing, promising, handling, a final reply and closing below the rung the
grade requires are refused; with no grade yet, that is the default grade's rung,
the one routing used.  An item assessed invalid, a request or an enquiry stays
ungraded (VAL-4) and is settled at that rung too.  IN-3: the receiver may still
settle on the spot what nobody has taken on yet.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner, Result

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main
from complaintcore.core.errors import AccessDeniedError
from complaintcore.core.escalation import settling_rung_index
from complaintcore.core.models import Grade, Intake, Status, Validity
from complaintcore.core.workflow import (
    Assess,
    Close,
    Command,
    Escalate,
    Forward,
    Handle,
    Promise,
    Reply,
    new_complaint,
)
from complaintcore.desk import Desk
from complaintcore.desk.access import routing_of
from complaintcore.rules import available_packs, load_pack
from complaintcore.testing import make_desk
from tests.helpers import SH
from tests.helpers import intake as leak_intake

T0 = datetime(2025, 11, 14, 10, 0, tzinfo=SH)  # a Friday, working hours
BELOW_HEAD = "rung {} is below department_head, required for this complaint (ESC-3)"


def leak(received: datetime = T0) -> Intake:
    """王小明's leak (tests.helpers), received by receptionist SR-103."""
    return leak_intake(received_at=received, receiver="SR-103", receiver_unit="")


@pytest.fixture
def desk(tmp_path: Path) -> Desk:
    return make_desk(store=SqliteStore(tmp_path / "desk.sqlite3"))


def refused(desk: Desk, complaint_id: str, command: Command, now: datetime) -> str:
    """The refusal's reason; the refusal writes nothing."""
    before = desk.get(complaint_id).version
    with pytest.raises(AccessDeniedError) as caught:
        desk.act(complaint_id, command, now=now)
    assert desk.get(complaint_id).version == before
    return caught.value.reason


SETTLING: list[tuple[str, Command]] = [
    ("final reply", Reply(actor="SR-201", message="修好了", final=True)),
    ("close", Close(actor="SR-201", result="修好了", confirmed_by_complainant=True)),
    ("assess invalid", Assess(actor="SR-201", validity="invalid")),
    ("promise", Promise(actor="SR-201", due=T0 + timedelta(days=1), note="明天上午维修")),
    ("handle", Handle(actor="SR-201", result="已更换管道")),
]


@pytest.mark.procedure("ESC-3")
@pytest.mark.parametrize(("label", "command"), SETTLING, ids=[s[0] for s in SETTLING])
@pytest.mark.parametrize(
    ("actor", "rung"), [("SR-302", "front_line"), ("SR-102", "complaint_handler")]
)
def test_an_ungraded_complaint_is_settled_at_the_default_grades_rung(
    desk: Desk, label: str, command: Command, actor: str, rung: str
) -> None:
    """A guard of another department (SR-302) and the complaint handler (SR-102) are
    both below the department head the default grade needs; the handler SR-201 is not."""
    c = desk.receive(leak(), now=T0)
    assert (c.state.grade, c.state.handler, c.state.rung) == (None, "SR-201", "department_head")
    mine = attrs.evolve(command, actor=actor)
    assert refused(desk, c.id, mine, T0 + timedelta(minutes=5)) == BELOW_HEAD.format(rung)
    theirs = attrs.evolve(command, actor="SR-201")
    assert desk.act(c.id, theirs, now=T0 + timedelta(minutes=6)).version > c.version


@pytest.mark.procedure("ESC-3")
@pytest.mark.procedure("VAL-4")
@pytest.mark.parametrize(
    "assessed",
    [
        Assess(actor="SR-201", validity="invalid"),
        Assess(actor="SR-201", validity="valid", kind="request"),
        Assess(actor="SR-201", validity="valid", kind="enquiry"),
    ],
    ids=["invalid", "request", "enquiry"],
)
def test_what_stays_ungraded_is_settled_at_the_rung_it_was_routed_to(
    desk: Desk, assessed: Assess
) -> None:
    """VAL-4 leaves it ungraded; its final reply and closure stay the department head's.
    Anyone at the site may still explain it (IN-3, VAL-3): that settles nothing."""
    c = desk.receive(leak(), now=T0)
    c = desk.act(c.id, assessed, now=T0 + timedelta(minutes=5))
    assert c.state.grade is None
    later = T0 + timedelta(minutes=10)
    final = Reply(actor="SR-302", message="不属于投诉", final=True)
    assert refused(desk, c.id, final, later) == BELOW_HEAD.format("front_line")
    close = Close(actor="SR-103", result="已解释", confirmed_by_complainant=True)
    assert refused(desk, c.id, close, later) == BELOW_HEAD.format("front_line")
    desk.act(c.id, Reply(actor="SR-103", message="已向业主解释", explanation=True), now=later)
    desk.act(c.id, Reply(actor="SR-201", message="已答复", final=True), now=later)
    closed = desk.act(
        c.id, Close(actor="SR-201", result="已答复", confirmed_by_complainant=True), now=later
    )
    assert closed.status is Status.CLOSED


@pytest.mark.procedure("ESC-3")
def test_once_graded_the_grades_rung_applies(desk: Desk) -> None:
    """The same refusal as before grading: the rung no longer depends on whether the
    handler has assessed it yet."""
    c = desk.receive(leak(), now=T0)
    c = desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=T0 + timedelta(minutes=1))
    assert c.state.grade is Grade.MINOR
    final = Reply(actor="SR-302", message="修好了", final=True)
    assert refused(desk, c.id, final, T0 + timedelta(minutes=5)) == BELOW_HEAD.format("front_line")


@pytest.mark.procedure("IN-3")
@pytest.mark.procedure("ESC-3")
def test_the_receiver_still_settles_on_the_spot_what_nobody_has_taken_on(desk: Desk) -> None:
    """IN-3: "an ordinary employee may resolve or explain on the spot".  Received
    without routing, the receptionist SR-103 may assess, answer and close it; another
    front-line member may not.  Routed, or forwarded (IN-2: passed on), it is no
    longer hers to settle."""
    spot = desk.receive(leak(), now=T0, route=False)
    assert not spot.state.handler
    later = T0 + timedelta(minutes=10)
    close = Close(actor="SR-302", result="当场解决", confirmed_by_complainant=True)
    assert refused(desk, spot.id, close, later) == BELOW_HEAD.format("front_line")
    desk.act(spot.id, Reply(actor="SR-103", message="已当场关闭阀门", final=True), now=later)
    closed = desk.act(
        spot.id, Close(actor="SR-103", result="当场解决", confirmed_by_complainant=True), now=later
    )
    assert closed.status is Status.CLOSED

    # assessed on the spot as valid, it is graded minor: the department head's (ESC-3)
    graded = desk.receive(
        leak(T0 + timedelta(minutes=3)), now=T0 + timedelta(minutes=3), route=False
    )
    graded = desk.act(graded.id, Assess(actor="SR-103", validity="valid"), now=later)
    assert graded.state.grade is Grade.MINOR
    final = Reply(actor="SR-103", message="修好了", final=True)
    assert refused(desk, graded.id, final, later) == BELOW_HEAD.format("front_line")

    routed = desk.receive(leak(T0 + timedelta(minutes=1)), now=T0 + timedelta(minutes=1))
    assert routed.state.handler == "SR-201"
    assert refused(desk, routed.id, final, later) == BELOW_HEAD.format("front_line")

    passed = desk.receive(
        leak(T0 + timedelta(minutes=2)), now=T0 + timedelta(minutes=2), route=False
    )
    passed = desk.act(passed.id, Forward(actor="SR-103", to_unit="engineering"), now=later)
    assert not passed.state.handler
    assert refused(desk, passed.id, final, later) == BELOW_HEAD.format("front_line")


@pytest.mark.procedure("VAL-1")
def test_a_receipt_records_a_validity_already_known(desk: Desk) -> None:
    """docs/desk.md: ``receive(validity=...)`` records an outcome already known (the
    receiver assesses it); the receiver's front-line rung does not stop it."""
    c = desk.receive(leak(), now=T0, validity="invalid")
    assert (c.state.validity, c.state.handler) == (Validity.INVALID, "SR-201")


# the rung of each shipped pack's default grade (docs/rule-packs.md, "Grade handlers";
# the staged packs name no grade handler for it, so their front line settles it)
DEFAULT_GRADE_RUNG = {
    "cn-property": "department_head",
    "cn-sales-office": "sales_supervisor",
    "cn-service-centre": "team_leader",
    "iso-10002": "complaints_officer",
    "scotland-spso": "frontline_staff",
    "uk-housing-ombudsman-2024": "complaints_officer",
}


@pytest.mark.procedure("ESC-3")
@pytest.mark.parametrize("name", sorted(DEFAULT_GRADE_RUNG))
def test_every_shipped_pack_settles_and_routes_an_ungraded_complaint_at_one_rung(
    name: str,
) -> None:
    assert set(available_packs()) == set(DEFAULT_GRADE_RUNG)
    pack = load_pack(name)
    c = new_complaint("C-1", leak())
    need = settling_rung_index(c, pack)
    assert pack.ladder[need].code == DEFAULT_GRADE_RUNG[name]
    assert routing_of(c, pack).floor == need


# --------------------------------------------------------------------------- the CLI


def invoke(*args: str, now: str) -> Result:
    env = {"COMPLAINTCORE_NOW": now, "COLUMNS": "200"}
    return CliRunner().invoke(main, ["--lang", "en", *args], env=env)


@pytest.mark.procedure("ESC-3")
def test_the_cli_refuses_a_guards_closure_and_final_reply_with_exit_4(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", now="2025-11-14T10:00").exit_code == 0
    received = invoke(
        "receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201",
        "--site", "sunrise", "--summary", "楼上漏水", "--receiver", "SR-103", "--json",
        now="2025-11-14T10:00",
    )  # fmt: skip
    assert received.exit_code == 0, received.output
    cid = json.loads(received.stdout)["id"]
    for step in (
        ["close", "--confirmed", "--result", "修好了"],
        ["reply", "--final", "--message", "修好了"],
    ):
        result = invoke("act", cid, *step, "--actor", "SR-302", now="2025-11-14T10:05")
        assert result.exit_code == 4, result.output
        assert f"SR-302 may not {step[0]}" in result.stderr
        assert "(ESC-3)" in result.stderr
    shown = invoke("show", cid, "--json", now="2025-11-14T10:06")
    assert json.loads(shown.stdout)["state"]["status"] == "in_handling"  # nothing written


# --------------------------------------------------------------------------- review s42F F01


@pytest.mark.procedure("IN-3")
@pytest.mark.procedure("IN-5")
@pytest.mark.procedure("VAL-1")
@pytest.mark.procedure("ESC-3")
@pytest.mark.parametrize("how", ["in5_missed", "cannot_handle"])
def test_the_complaint_handler_an_escalation_hands_it_to_verifies_it(desk: Desk, how: str) -> None:
    """A guard's note nobody passed on (IN-5's 24 hours missed), or a receptionist's
    complaint she cannot handle (IN-3), goes to customer service's complaint handler
    SR-102: she verifies it (VAL-1), and the minor grade it gets moves it to the
    department head (ESC-3). She was refused, and nobody could move it up."""
    if how == "in5_missed":
        guard = leak_intake(received_at=T0, receiver="SR-302", receiver_unit="")
        c = desk.receive(guard, now=T0, route=False)
        desk.sweep(T0 + timedelta(hours=25))
    else:
        c = desk.receive(leak(), now=T0, route=False)
        desk.act(c.id, Escalate(actor="SR-103", trigger="cannot_handle"), now=T0)
    held = desk.get(c.id).state
    assert (held.handler, held.rung, held.grade) == ("SR-102", "complaint_handler", None)
    later = T0 + timedelta(hours=26)
    assessed = desk.act(c.id, Assess(actor="SR-102", validity="valid"), now=later)
    assert assessed.state.grade is Grade.MINOR
    assert (assessed.state.handler, assessed.state.rung) == ("SR-201", "department_head")
    # still the department head's to settle (ESC-3), not hers
    reply = Reply(actor="SR-102", message="修好了", final=True)
    assert refused(desk, c.id, reply, later) == BELOW_HEAD.format("complaint_handler")


def test_only_its_holder_assesses_below_the_default_grades_rung(desk: Desk) -> None:
    """The complaint handler of another complaint is no holder of this one."""
    c = desk.receive(leak(), now=T0)  # routed: SR-201 holds it
    reason = refused(desk, c.id, Assess(actor="SR-102", validity="valid"), T0)
    assert reason == BELOW_HEAD.format("complaint_handler")
