"""Routing on a pack with no head office, and a bypass released to nobody (review s43C).

docs/rule-packs.md: ``head_office_unit = ""`` where there is no head-office
department (the UK, Scottish and ISO packs ship so).  IN-6 keeps a complaint sent
straight to head office there until the complainant consents, so such a pack
refuses ``via_head_office`` at intake rather than register a complaint nobody may
ever take on (IN-2), and ``Forward(to_unit="")`` names no unit.  A bypass released
with consent to a site where nobody may take it is logged and told ``unassignable``
as the same complaint is at intake (docs/desk.md, routing).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from complaintcore import Complainant, Forward, Intake
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.cli import main
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import TargetPerson
from complaintcore.desk.ports import StaffMember
from complaintcore.testing import RecordingNotifier, make_desk

UK = "uk-housing-ombudsman-2024"
LONDON = ZoneInfo("Europe/London")
SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 11, 10, 10, 0, tzinfo=LONDON)  # a Monday


def _uk_intake(*, via_head_office: bool) -> Intake:
    return Intake(
        complainant=Complainant("Sam Lee", "+44 7700 900123", "12", "A", "elm-court"),
        channel="web",
        received_at=T0,
        receiver="CO-101",
        summary="Damp and mould in the bedroom",
        site="elm-court",
        via_head_office=via_head_office,
    )


# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("IN-6")
def test_a_bypass_on_a_pack_without_head_office_is_refused_and_nothing_stored(
    tmp_path: Path,
) -> None:
    """F01: registered, it would wait for the consent of a head office the pack does
    not have: nobody could be assigned, act on it or release it, and nobody was
    told.  It is refused, naming the field and IN-6, and not stored."""
    with SqliteStore(tmp_path / "desk.sqlite3") as store:
        notes = RecordingNotifier()
        desk = make_desk(pack=UK, notifiers=[notes], store=store)
        with pytest.raises(InvalidInputError) as info:
            desk.receive(_uk_intake(via_head_office=True), now=T0)
        assert info.value.path == "via_head_office"
        assert str(info.value) == (
            "via_head_office: pack uk-housing-ombudsman-2024 has no head office"
            " to send a complaint straight to (IN-6)"
        )
        assert "Sam Lee" not in str(info.value)
        assert list(store.complaints()) == []
        # the same complaint received as the unit that took it is routed at once (IN-2)
        c = desk.receive(_uk_intake(via_head_office=False), now=T0)
        assert c.state.handler
        assert not c.awaiting_site_consent


def _cli(*args: str, now: str = "2025-11-10T10:00", lang: str = "en") -> Result:
    env = {"COMPLAINTCORE_NOW": now, "COLUMNS": "200"}
    return CliRunner().invoke(main, ["--lang", lang, *args], env=env)


@pytest.fixture
def uk_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert _cli("init", ".", "--pack", UK).exit_code == 0
    return tmp_path


RECEIVE = (
    "receive", "--name", "Sam Lee", "--phone", "07700 900123", "--room", "Flat 4",
    "--site", "elm-court", "--summary", "Damp and mould in the bedroom",
    "--receiver", "CO-101",
)  # fmt: skip


@pytest.mark.procedure("IN-6")
@pytest.mark.usefixtures("uk_desk")
def test_receive_via_head_office_on_a_pack_without_one_is_refused_at_the_cli() -> None:
    """F01 at the command line: exit 1 with the field and IN-6, as other refusals
    at intake; in Chinese too; no complaint listed afterwards."""
    refused = _cli(*RECEIVE, "--via-head-office")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "error: via_head_office: pack uk-housing-ombudsman-2024 has no head office"
        " to send a complaint straight to (IN-6)"
    )
    assert "Sam Lee" not in refused.output
    doc = json.loads(_cli(*RECEIVE, "--via-head-office", "--json").stdout)
    assert (doc["error"]["type"], doc["error"]["path"]) == ("InvalidInputError", "via_head_office")
    zh = _cli(*RECEIVE, "--via-head-office", lang="zh")
    assert zh.exit_code == 1
    assert "规则包 uk-housing-ombudsman-2024 没有总部，投诉无法越级直送总部（IN-6）" in zh.stderr
    listed = _cli("list", "--json")
    assert listed.exit_code == 0
    assert json.loads(listed.stdout) == []


@pytest.mark.procedure("IN-6")
def test_an_imported_row_via_head_office_on_a_pack_without_one_is_rejected(
    uk_desk: Path,
) -> None:
    """F01 in ``receive --file``: that row is rejected naming the field; the rest
    are stored."""
    rows = uk_desk / "rows.csv"
    rows.write_text(
        "received_at,channel,name,phone,room,site,summary,receiver,via_head_office\n"
        "2025-11-10T09:00,web,Sam Lee,07700 900123,Flat 4,elm-court,Damp,CO-101,true\n"
        "2025-11-10T09:05,web,Ann Bell,07700 900124,Flat 5,elm-court,Damp,CO-101,false\n",
        encoding="utf-8",
    )
    result = _cli("receive", "--file", str(rows))
    assert result.exit_code == 1
    assert (
        "line 2: rejected: via_head_office: pack uk-housing-ombudsman-2024 has no head"
        " office to send a complaint straight to (IN-6)"
    ) in result.output
    assert "line 3: stored C-" in result.output
    assert "1 stored, 0 duplicated, 1 rejected" in result.output


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("IN-2")
def test_forward_to_no_unit_is_refused_on_a_pack_without_head_office(tmp_path: Path) -> None:
    """F02: ``""`` is not a unit, whether or not the pack's head office is ``""``."""
    with SqliteStore(tmp_path / "desk.sqlite3") as store:
        desk = make_desk(pack=UK, store=store)
        c = desk.receive(_uk_intake(via_head_office=False), now=T0, route=False)
        with pytest.raises(InvalidInputError) as info:
            desk.act(c.id, Forward(actor="CO-101", to_unit=""), now=T0 + timedelta(minutes=5))
        assert info.value.path == "to_unit"
        assert "unknown unit" in str(info.value)
        after = desk.get(c.id)
        assert after.version == c.version
        assert after.state.unit == "customer_service"


@pytest.mark.procedure("IN-2")
@pytest.mark.usefixtures("uk_desk")
def test_act_forward_to_an_empty_unit_is_refused_at_the_cli() -> None:
    cid = json.loads(_cli(*RECEIVE, "--no-route", "--json").stdout)["id"]
    result = _cli("act", cid, "forward", "--actor", "CO-101", "--to", "", now="2025-11-10T10:05")
    assert result.exit_code == 1
    assert "to_unit: unknown unit" in result.stderr
    shown = json.loads(_cli("show", cid, "--json", now="2025-11-10T10:05").stdout)
    assert [e["type"] for e in shown["events"] if e["type"] == "forwarded"] == []


# --------------------------------------------------------------------------- F03

MINI = """
name = "mini"
title_zh = "迷你"
title_en = "Mini"
default_category = "other"
customer_service = "customer_service"
head_office_unit = "head_office"
accountability_department = "hr_admin"

[[ladder]]
code = "officer"
zh = "专员"
en = "officer"

[[ladder]]
code = "manager"
zh = "经理"
en = "manager"

[[departments]]
code = "customer_service"
zh = "客服"
en = "customer service"

[[departments]]
code = "hr_admin"
zh = "行政人事部"
en = "administration and HR"

[[departments]]
code = "head_office"
zh = "总部"
en = "head office"

[[categories]]
code = "other"
zh = "其他"
en = "other"
cause = "software"
department = "customer_service"

[[clocks]]
name = "reply"
zh = "答复"
en = "reply"
rule = "DL-1"
start = ["registered"]
stop = ["replied:final"]
mode = "working_days"
duration = "3d"

[calendar]
country = "CN"
timezone = "Asia/Shanghai"
"""


def _member(staff_id: str, rung: str, department: str, site: str = "s1") -> StaffMember:
    return StaffMember(
        staff_id=staff_id, name="N" + staff_id, role=rung, rung=rung, department=department,
        site=site,
    )  # fmt: skip


@pytest.mark.procedure("IN-6")
@pytest.mark.procedure("IN-2")
def test_a_bypass_released_to_a_site_where_nobody_may_take_it_is_told_as_at_intake(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """F03: a complaint about the site's only manager (ESC-4: handled above them,
    and nobody is) sent straight to head office, then released with consent: the
    desk logs it and tells the accountability department ``unassignable``, as it
    does when the same complaint is received at the site; never the manager."""
    pack = tmp_path / "mini.toml"
    pack.write_text(MINI, encoding="utf-8")
    staff = [
        _member("R-1", "officer", "customer_service"),
        _member("M-1", "manager", "customer_service"),
        _member("H-1", "officer", "hr_admin"),
        _member("HQ-1", "officer", "head_office", site="*"),
    ]
    notes = RecordingNotifier()
    now = datetime(2025, 11, 10, 9, 30, tzinfo=SH)
    about = TargetPerson(staff_id="M-1", rung="manager", role="manager")
    with SqliteStore(tmp_path / "desk.sqlite3") as store:
        desk = make_desk(pack=str(pack), staff=staff, notifiers=[notes], store=store)
        bypass = desk.receive(
            Intake(
                complainant=Complainant("李四", "13912345678", "1202", "3", "s1"),
                channel="phone",
                received_at=now,
                receiver="HQ-1",
                receiver_unit="head_office",
                summary="经理态度恶劣",
                site="s1",
                via_head_office=True,
                target=about,
            ),
            now=now,
        )
        desk.deliver(now)
        assert [n.topic for n, _ in notes.sent if n.topic == "unassignable"] == []
        later = now + timedelta(minutes=30)
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger="complaintcore.desk"):
            released = desk.act(
                bypass.id, Forward(actor="HQ-1", to_unit="customer_service", consent=True),
                now=later,
            )  # fmt: skip
        desk.deliver(later)
    assert not released.awaiting_site_consent
    assert released.state.handler == ""
    told = sorted(to.staff_id for n, to in notes.sent if n.topic == "unassignable" and to)
    assert told == ["H-1"]
    assert all(to is None or to.staff_id != "M-1" for _n, to in notes.sent)
    warned = [r.getMessage() for r in caplog.records if bypass.id in r.getMessage()]
    assert warned == [
        f"complaint {bypass.id}: nobody at its site who may handle it holds rung manager"
        " or above; left unassigned"
    ]
    assert "李四" not in repr(warned)
