"""Review s54R7 F01: a reply that cannot solve the complaint at once agrees a new date.

procedures.md DL-3: "if not solvable at once, customer service tells the
complainant within 3 days and agrees a new date" (004 篇3 "与客户再议解决时间");
DL-5: an agreed time "becomes a deadline of its own; breaking a promise obliges
an apology, the reason and a remedy at once".  The dates are typed here from
those texts and worked out by hand on the cn-property calendar (sample staff:
SR-103 the receptionist, front line; SR-102 customer service; SR-201
engineering's head, Mon-Fri 08:00-17:00; SR-001 the project manager).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main
from complaintcore.core.errors import AccessDeniedError, InvalidInputError
from complaintcore.core.models import Complainant, Escalated, Intake, Promised, Replied, Trigger
from complaintcore.core.workflow import COMMAND_RECORDS, Assess, Promise, Reply
from complaintcore.serialization import event_to_dict
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH, Runner, intake, pack

REASON = "需楼上业主配合入户"


def at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=SH)


def leak() -> Intake:
    return Intake(
        complainant=Complainant(
            name="李雪梅", phone="13912345678", room="5-1-0302", site="sunrise"
        ),
        channel="phone",
        received_at=at("2025-11-10 09:00"),  # a Monday
        receiver="SR-102",
        receiver_unit="customer_service",
        summary="卫生间漏水 楼上渗水",
        site="sunrise",
    )


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("DL-5")
def test_the_new_date_agreed_in_the_reply_is_owed_warned_and_broken_as_a_promise() -> None:
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    c = desk.receive(leak(), now=at("2025-11-10 09:00"))
    desk.act(c.id, Assess(actor="SR-201", validity="valid"), now=at("2025-11-10 09:30"))
    # Tue 10:00, within DL-3's 3 days: cannot be solved at once, new date Fri 17:00
    c = desk.act(
        c.id,
        Reply(
            actor="SR-102",
            message="需协调楼上业主，暂时无法解决",
            unanswerable_reason=REASON,
            agreed_due=at("2025-11-14 17:00"),
        ),
        now=at("2025-11-11 10:00"),
    )
    replied, promised = c.events[-2:]
    assert isinstance(replied, Replied)
    assert replied.unanswerable_reason == REASON
    assert isinstance(promised, Promised)
    assert (promised.at, promised.actor, promised.due) == (
        at("2025-11-11 10:00"),
        "SR-102",
        at("2025-11-14 17:00"),
    )
    assert promised.note == (
        "不能马上解决，与客户再议解决时间（DL-3） / "
        "cannot be solved at once: a new date agreed with the complainant (DL-3)"
    )

    def clock(name: str, now: str) -> tuple[str, datetime | None]:
        found = [k for k in desk.clocks(c.id, now=at(now)) if k.name == name]
        return found[0].state.value, found[0].due

    # DL-1 is met by the reply; the promise runs to the agreed time itself (DL-5)
    assert clock("reply", "2025-11-12 10:00")[0] == "met"
    assert clock("promise", "2025-11-12 10:00") == ("running", at("2025-11-14 17:00"))
    # DL-7: at risk before it passes (80 % of the 79 h from Tue 10:00 to Fri 17:00
    # is 63 h 12 min: Fri 01:12), breached from the minute after 17:00
    assert clock("promise", "2025-11-14 16:59")[0] == "at_risk"
    assert clock("promise", "2025-11-14 17:01")[0] == "breached"

    # engineering's own 3 working days (DL-3) ran out on Thu 11-13 18:00: swept first
    desk.sweep(at("2025-11-13 18:30"))
    desk.sweep(at("2025-11-14 17:01"))
    c = desk.get(c.id)
    broken = [e for e in c.events if isinstance(e, Escalated) and e.clock == "promise"]
    assert [(e.at, e.trigger) for e in broken] == [
        (at("2025-11-14 17:01"), Trigger.DEADLINE_MISSED)
    ]
    # DL-5: the broken promise owes the apology, 2 h on the wall clock: by 19:00
    apology = [d for d in desk.duties(c.id, now=at("2025-11-14 17:01")) if d.name == "apology"]
    assert [(d.owed, d.due) for d in apology] == [(True, at("2025-11-14 19:00"))]


@pytest.mark.procedure("DL-3")
@pytest.mark.parametrize("name", ["cn-property", "cn-sales-office"])
def test_a_reply_that_cannot_solve_it_at_once_without_a_new_date_is_refused(name: str) -> None:
    """Both packs let such a reply meet their reply deadline (DL-1): it agrees a date."""
    run = Runner(pack(name))
    run.register()
    with pytest.raises(InvalidInputError) as info:
        run(Reply(actor="h-1", message="需要工程部查看", unanswerable_reason="需上门检查"))
    assert info.value.path == "agreed_due"
    assert "agrees a new date" in info.value.reason
    assert not any(isinstance(e, Replied) for e in run.complaint.events)


@pytest.mark.procedure("DL-3")
def test_a_pack_whose_deadlines_no_unanswerable_reply_meets_takes_one_without_a_date() -> None:
    """ISO 10002 has no DL-3: its REC-4 reason is recorded and no promise is made."""
    iso = pack("iso-10002")
    assert not any("replied:unanswerable" in c.stop for c in iso.clocks)
    run = Runner(iso)
    run.register()
    c = run(Reply(actor="h-1", message="still looking", unanswerable_reason="awaiting a supplier"))
    assert c.events[-1].kind == "replied"
    assert not any(isinstance(e, Promised) for e in c.events)


@pytest.mark.procedure("DL-3")
def test_the_agreed_date_is_checked_and_named() -> None:
    run = Runner(pack())
    run.register()
    later = run.now + timedelta(days=2)
    # only a reply that cannot solve it at once agrees a new date
    with pytest.raises(InvalidInputError) as info:
        run(Reply(actor="h-1", message="处理中", agreed_due=later))
    assert info.value.path == "agreed_due"
    # a promised time is in the future (DL-5): the runner acts 5 minutes on
    with pytest.raises(InvalidInputError) as info:
        run(Reply(actor="h-1", message="x", unanswerable_reason=REASON, agreed_due=run.now))
    assert info.value.path == "agreed_due"
    naive = Reply(
        actor="h-1", message="x", unanswerable_reason=REASON, agreed_due=datetime(2025, 12, 1, 17)
    )
    with pytest.raises(InvalidInputError) as err:
        run(naive)
    assert err.value.path == "agreed_due"


@pytest.mark.procedure("DL-3")
@pytest.mark.procedure("ESC-3")
def test_whoever_may_give_the_reply_may_agree_its_date() -> None:
    """SR-103 (front line) may give the unanswerable reply, though not a promise of
    its own on a minor complaint (ESC-3): the date goes with the reply."""
    desk = make_desk()
    c = desk.receive(leak(), now=at("2025-11-10 09:00"))
    with pytest.raises(AccessDeniedError):
        desk.act(
            c.id,
            Promise(actor="SR-103", due=at("2025-11-14 17:00")),
            now=at("2025-11-11 10:00"),
        )
    c = desk.act(
        c.id,
        Reply(
            actor="SR-103",
            message="暂时无法解决",
            unanswerable_reason=REASON,
            agreed_due=at("2025-11-14 17:00"),
        ),
        now=at("2025-11-11 10:00"),
    )
    assert [(e.kind, e.actor) for e in c.events[-2:]] == [
        ("replied", "SR-103"),
        ("promised", "SR-103"),
    ]


def test_the_reply_records_no_new_event_field() -> None:
    """Old events decode and hash as before: the date is a Promised event, not a field."""
    assert COMMAND_RECORDS["reply"] == ("replied", "promised")
    run = Runner(pack())
    run.register()
    c = run(
        Reply(
            actor="h-1",
            message="m",
            unanswerable_reason=REASON,
            agreed_due=intake().received_at + timedelta(days=3),
        )
    )
    assert set(event_to_dict(c.events[-2])) == {
        "type",
        "at",
        "actor",
        "message",
        "final",
        "explanation",
        "unanswerable_reason",
    }


# --------------------------------------------------------------------------- CLI


RECEIPT = (
    "receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201",
    "--site", "sunrise", "--summary", "楼上漏水，天花板渗水",
)  # fmt: skip


def cli(*args: str, now: str = "2025-11-24T10:00") -> Result:
    env = {"COMPLAINTCORE_NOW": now, "LANGUAGE": None, "LC_ALL": None, "LANG": None}
    return CliRunner().invoke(main, list(args), env=env, prog_name="complaintcore")


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


@pytest.mark.procedure("DL-3")
def test_act_reply_agrees_the_new_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "250")
    ok(cli("--lang", "en", "init", "."))
    receipt = ok(cli("--lang", "en", *RECEIPT, "--receiver", "SR-103", "--json"))
    cid = str(json.loads(receipt.stdout)["id"])
    reply = ("act", cid, "reply", "--actor", "SR-102", "--message", "暂时无法解决")
    refused = cli("--lang", "en", *reply, "--unanswerable", REASON)
    assert refused.exit_code != 0
    assert "agrees a new date with the complainant (DL-3)" in refused.output
    refused = cli("--lang", "zh", *reply, "--unanswerable", REASON)
    assert "不能马上解决的投诉须与投诉人再议解决时间（DL-3）" in refused.output
    # Mon 2025-11-24 10:00: the new date agreed is Wed 11-26 17:00
    ok(cli("--lang", "en", *reply, "--unanswerable", REASON, "--agreed-due", "2025-11-26T17:00"))
    shown = ok(cli("--lang", "zh", "show", cid)).stdout
    assert "不能马上解决，与客户再议解决时间（DL-3）" in shown
    assert "2025-11-26T17:00" in shown
