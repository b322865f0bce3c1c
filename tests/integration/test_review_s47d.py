"""Review s47D: personal data typed into the ``site`` column (F01) and an unknown
JSONL key shaped like a name (F03) are never shown unmasked by the exports.

The masked forms are written out by hand (docs/security.md, docs/cli.md):
``13812345678`` shows as ``*********78`` (nine stars, its last two digits) and
``Carol White`` as ``C**********`` (its first letter and ten stars).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from complaintcore.cli import main
from complaintcore.core.models import Complainant, Intake
from complaintcore.core.workflow import Promise
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH

PHONE_SITE, NAME_SITE = "13812345678", "Carol White"
MASKED_PHONE, MASKED_NAME = "*********78", "C**********"


def invoke(*args: str, now: str = "2025-11-21T00:00") -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": now})


@pytest.fixture
def any_site_desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The reviewer's repro_f01: an iso-10002 desk, whose sample staff all work at
    ``*`` (any site is taken), two rows with a phone and the complainant's own name
    typed as the site, both assessed valid."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", "--pack", "iso-10002").exit_code == 0
    (tmp_path / "in.csv").write_text(
        "name,phone,room,building,site,channel,summary,receiver,received_at,idempotency_key\n"
        f"Bob Jones,+447700900125,Flat 6,Block A,{PHONE_SITE},phone,Leak,CS-101,"
        "2025-11-10T11:00Z,i3\n"
        f"Carol White,+447700900126,Flat 7,Block B,{NAME_SITE},phone,Leak,CS-101,"
        "2025-11-10T12:00Z,i4\n",
        encoding="utf-8",
    )
    received = invoke("receive", "--file", "in.csv", now="2025-11-20T00:00")
    assert received.exit_code == 0, received.output
    for row in json.loads(invoke("list", "--json").stdout):
        act = invoke(
            "act", row["id"], "assess", "--actor", "CM-201", "--validity", "valid",
            "--kind", "complaint", now="2025-11-20T00:10",
        )  # fmt: skip
        assert act.exit_code == 0, act.output
    return tmp_path


def _unmasked(text: str) -> list[str]:
    return [s for s in (PHONE_SITE, NAME_SITE, "1381234") if s in text]


@pytest.mark.procedure("PRV-1")
@pytest.mark.usefixtures("any_site_desk")
def test_a_typed_site_is_masked_by_list_and_list_json() -> None:
    table = invoke("list")
    assert table.exit_code == 0, table.output
    assert _unmasked(table.stdout) == []
    assert MASKED_PHONE in table.stdout
    assert MASKED_NAME in table.stdout
    rows = json.loads(invoke("list", "--json").stdout)
    assert sorted(r["site"] for r in rows) == [MASKED_PHONE, MASKED_NAME]


@pytest.mark.procedure("PRV-1")
@pytest.mark.usefixtures("any_site_desk")
def test_a_typed_site_is_masked_in_a_masked_view_and_shown_to_who_may_see_it() -> None:
    rows = {r["site"]: r["id"] for r in json.loads(invoke("list", "--json").stdout)}
    carol = rows[MASKED_NAME]
    masked = json.loads(invoke("show", carol, "--json").stdout)
    assert masked["intake"]["site"] == MASKED_NAME
    assert masked["intake"]["complainant"]["site"] == MASKED_NAME
    assert _unmasked(json.dumps(masked, ensure_ascii=False)) == []
    # CS-101 handles complaints and sees personal data: the view is unmasked, logged
    full = invoke("show", carol, "--json", "--as", "CS-101", "--purpose", "call back")
    assert full.exit_code == 0, full.output
    assert json.loads(full.stdout)["intake"]["site"] == NAME_SITE


@pytest.mark.procedure("PRV-1")
@pytest.mark.usefixtures("any_site_desk")
def test_a_typed_site_is_masked_in_every_report_format() -> None:
    for fmt in ("csv", "html", "json", "table"):
        result = invoke("report", "--month", "2025-11", "--format", fmt)
        assert result.exit_code == 0, result.output
        assert _unmasked(result.stdout) == [], fmt
    rows = list(csv.reader(io.StringIO(invoke("report", "--month", "2025-11", "--format",
                                              "csv").stdout)))  # fmt: skip
    by_site = sorted(r[2] for r in rows if r[1:2] == ["by_site"])
    by_building = sorted(r[2] for r in rows if r[1:2] == ["by_building"])
    assert by_site == [MASKED_PHONE, MASKED_NAME]
    assert by_building == [f"{MASKED_PHONE}/a", f"{MASKED_NAME}/b"]


@pytest.mark.procedure("PRV-1")
def test_a_site_of_the_desks_list_is_shown_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The default desk's staff work at named sites: ``sunrise`` is a code, shown by
    list, show and report as it is."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    received = invoke(
        "receive", "--json", "--receiver", "SR-103", "--name", "王小明", "--phone",
        "13812345678", "--room", "3-1202", "--site", "sunrise", "--summary", "漏水",
        "--received-at", "2025-11-14T09:10", now="2025-11-14T17:30",
    )  # fmt: skip
    assert received.exit_code == 0, received.output
    cid = json.loads(received.stdout)["id"]
    assert [r["site"] for r in json.loads(invoke("list", "--json").stdout)] == ["sunrise"]
    assert "sunrise" in invoke("list").stdout
    assert json.loads(invoke("show", cid, "--json").stdout)["intake"]["site"] == "sunrise"


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        ("Thompson", "(a key that is not a field name): unknown key"),
        ("tel_13812345678", "(a key that is not a field name): unknown key"),
        ("Margaret_Thompson", "(a key that is not a field name): unknown key"),
        # a typo of a field is answered with the field, the key still not quoted
        ("recieved_at", "(a key that is not a field name): unknown key; did you mean"
                        " 'received_at'?"),
    ],
)  # fmt: skip
def test_an_unknown_jsonl_key_is_never_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str, reason: str
) -> None:
    """Review s47D F03: docs/cli.md, a row's reason names the field, never a value;
    a key that is no field is text the exporter wrote, a name or a phone perhaps."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    row = {
        "name": "王小明", "phone": "13812345678", "room": "3栋1202室", "site": "sunrise",
        "channel": "phone", "summary": "电梯坏了", "receiver": "SR-103",
        "received_at": "2025-11-14T09:30", key: "x",
    }  # fmt: skip
    (tmp_path / "in.jsonl").write_text(json.dumps(row, ensure_ascii=False) + "\n", "utf-8")
    result = invoke("receive", "--file", "in.jsonl", "--json", now="2025-11-15T00:00")
    assert result.exit_code == 1, result.output
    (rejected,) = json.loads(result.stdout)["rejected"]
    assert rejected["reason"] == reason
    assert key not in result.stdout
    text = invoke("receive", "--file", "in.jsonl", now="2025-11-15T00:00")
    assert f"line 1: rejected: {reason}" in text.stdout
    assert key not in text.stdout


class _GroupChat(RecordingNotifier):
    """A channel that posts into a group chat: its readers are not known to the
    desk, so every post is masked (PRV-1, docs/notifications.md)."""

    group = True


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("typed", "masked"), [(PHONE_SITE, MASKED_PHONE), (NAME_SITE, MASKED_NAME)]
)
def test_a_typed_site_is_masked_in_a_message_for_readers_who_need_not_see_it(
    typed: str, masked: str
) -> None:
    chat = _GroupChat("chat")
    desk = make_desk(pack="iso-10002", notifiers=[chat])  # its sample staff take any site
    at = datetime(2025, 11, 10, 11, 0, tzinfo=UTC)
    person = Complainant("Carol White", "+447700900126", "Flat 7", "Block B", typed)
    c = desk.receive(
        Intake(person, "phone", at, "CS-101", "Leak in the bathroom", site=typed), now=at
    )
    desk.deliver(at)
    posts = [n for n, _ in chat.sent if n.complaint_id == c.id]
    assert posts
    for post in posts:
        assert f"site: {masked}\n" in post.body
        assert _unmasked(post.subject + post.body) == []


@pytest.mark.procedure("PRV-1")
def test_a_site_the_desk_names_is_shown_as_it_is_in_a_masked_message() -> None:
    chat = _GroupChat("chat")
    desk = make_desk(pack="cn-property", notifiers=[chat])  # sites: its staff's
    at = datetime(2025, 11, 10, 9, 30, tzinfo=UTC)
    person = Complainant("李雪梅", "13912345678", "3-2-1201", "3", "sunrise")
    c = desk.receive(Intake(person, "phone", at, "SR-103", "楼上漏水", site="sunrise"), now=at)
    desk.deliver(at)
    posts = [n for n, _ in chat.sent if n.complaint_id == c.id]
    assert posts
    assert all("site: sunrise\n" in p.body and "13912345678" not in p.body for p in posts)


@pytest.mark.procedure("PRV-1")
def test_a_due_time_and_a_rule_are_shown_whole_where_a_room_of_their_digits_is_masked() -> None:
    """Review s47J F01: a duty's due time and rule id are the desk's own words.  The
    promise made for 13:30 on Monday 10 November passed unkept: the apology is due
    two working hours later, at 15:30 (DL-5); the room is ``10``."""
    chat = _GroupChat("chat")
    desk = make_desk(pack="cn-property", notifiers=[chat])
    at = datetime(2025, 11, 10, 9, 30, tzinfo=SH)
    person = Complainant("李雪梅", "13912345678", "10", "3", "sunrise")
    c = desk.receive(Intake(person, "phone", at, "SR-103", "楼上漏水", site="sunrise"), now=at)
    handler = desk.get(c.id).state.handler
    desk.act(c.id, Promise(actor=handler, due=at + timedelta(hours=4)), now=at)
    desk.sweep(at + timedelta(hours=5))
    desk.deliver(at + timedelta(hours=5))
    [post] = [n for n, _ in chat.sent if n.complaint_id == c.id and n.topic == "duty_owed"]
    assert "due: 2025-11-10T15:30+08:00\n" in post.body
    assert "rule: DL-5\n" in post.body
    assert "13912345678" not in post.body
