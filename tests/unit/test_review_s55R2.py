"""Review s55R2: a host's plugins that misbehave.

F03: Ctrl-C (or SIGTERM, or a listener's ``sys.exit``) while a listener runs after
``receive``/``act`` committed: the command said "aborted" (or nothing, exit 3) for a
stored complaint, so it was typed in again, twice (docs/cli.md, Exit codes: "a
command that has committed says so at once ... do not run it again").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import attrs
import pytest
from click.testing import CliRunner, Result

from complaintcore import CommittedInterrupt, Desk, hookimpl, make_plugin_manager
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.cli import main
from complaintcore.core.models import Complainant, Complaint, Event, Intake
from complaintcore.core.workflow import Acknowledge
from complaintcore.i18n import translator
from complaintcore.rules import load_pack

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2025, 11, 14, 9, 30, tzinfo=SH)
OWNER = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")


def _intake() -> Intake:
    return Intake(OWNER, "phone", T0, "SR-103", "楼上漏水，天花板渗水", site="sunrise")  # type: ignore[arg-type]


class _Heard:
    """A listener that records what it heard (the audit trail)."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    @hookimpl
    def complaintcore_on_events(self, complaint: Complaint, events: Sequence[Event]) -> None:
        self.heard.append(complaint.id)


class _Raising:
    def __init__(self, kind: type[BaseException]) -> None:
        self.kind = kind
        self.armed = True

    @hookimpl
    def complaintcore_on_events(self, complaint: Complaint, events: Sequence[Event]) -> None:
        if self.armed:
            raise self.kind(3)


def _desk(*plugins: object) -> Desk:
    pack = load_pack("cn-property")
    return Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        plugin_manager=make_plugin_manager(list(plugins), load_entry_points=False),
    )


@pytest.fixture
def heard() -> _Heard:
    return _Heard()


def test_f03_a_listeners_system_exit_is_its_failure_the_others_hear(
    heard: _Heard, caplog: pytest.LogCaptureFixture
) -> None:
    """hooks.md: every listener is called whatever another does; a SystemExit was let
    through, ending the command with the listener's code and the audit trail deaf."""
    with _desk(heard, _Raising(SystemExit)) as desk:  # registered last: asked first
        c = desk.receive(_intake(), now=T0)
        assert heard.heard == [c.id]
        assert [x.id for x in desk.store.complaints()] == [c.id]
    assert "complaintcore_on_events failed for" in caplog.text
    assert "SystemExit" in caplog.text
    assert "王小明" not in caplog.text
    assert "13812345678" not in caplog.text


def test_f03_ctrl_c_in_a_listener_after_receive_says_the_complaint_is_stored(
    heard: _Heard,
) -> None:
    """A KeyboardInterrupt still (what stops on one stops on it), carrying the
    committed complaint, so the caller can say it is stored."""
    with _desk(heard, _Raising(KeyboardInterrupt)) as desk:
        with pytest.raises(CommittedInterrupt) as stopped:
            desk.receive(_intake(), now=T0)
        assert isinstance(stopped.value, KeyboardInterrupt)
        stored = [x.id for x in desk.store.complaints()]
        assert stored == [stopped.value.complaint.id]
        assert heard.heard == []  # documented: the listeners not yet called do not hear


def test_f03_ctrl_c_in_a_listener_after_act_carries_the_acted_complaint(heard: _Heard) -> None:
    raising = _Raising(KeyboardInterrupt)
    with _desk(heard, raising) as desk:
        raising.armed = False
        c = desk.receive(_intake(), now=T0)
        raising.armed = True
        with pytest.raises(CommittedInterrupt) as stopped:
            desk.act(c.id, Acknowledge(actor="SR-201"), now=T0)
        assert stopped.value.complaint.id == c.id
        assert stopped.value.complaint.version == desk.get(c.id).version  # as committed


def test_f03_ctrl_c_before_the_commit_is_a_plain_keyboard_interrupt() -> None:
    """Nothing stored: the plain interrupt ("aborted": run it again) is right."""

    class Classifier:
        @hookimpl
        def complaintcore_classify(self, complaint: Complaint, pack: object) -> None:
            raise KeyboardInterrupt

    with _desk(Classifier()) as desk:
        with pytest.raises(KeyboardInterrupt) as stopped:
            desk.receive(_intake(), now=T0)
        assert not isinstance(stopped.value, CommittedInterrupt)
        assert list(desk.store.complaints()) == []


# ------------------------------------------------------------------ F03 at the command line

NOW = "2025-11-14T17:30"
RECEIVE = [
    "receive",
    *("--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201"),
    *("--site", "sunrise", "--summary", "电梯停运三天", "--receiver", "SR-103"),
]
STORED = (
    "interrupted while plugins heard of the change: {id} is stored, so do not run it"
    " again; its notifications are left for 'complaintcore deliver'"
)


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["--lang", "en", *args], env={"COMPLAINTCORE_NOW": NOW})


@pytest.fixture
def desk_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert _invoke("init", ".").exit_code == 0
    return tmp_path


def _ctrl_c_while_listeners_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Failure injection: Ctrl-C arrives while the commit's listeners run."""

    def interrupted(self: Desk, complaint: Complaint, events: object, *, basis: bool) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(Desk, "_hear", interrupted)


def _count() -> int:
    listed = _invoke("list", "--json")
    assert listed.exit_code == 0, listed.output
    return len(json.loads(listed.stdout))


@pytest.mark.parametrize("as_json", [False, True])
def test_f03_receive_interrupted_in_its_listeners_prints_its_result_and_exits_0(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    with monkeypatch.context() as patched:
        _ctrl_c_while_listeners_run(patched)
        result = _invoke(*RECEIVE, *(["--json"] if as_json else []))
    assert result.exit_code == 0, result.output
    assert "aborted" not in result.output
    if as_json:
        cid = json.loads(result.stdout)["id"]
        assert result.stderr == ""
    else:
        assert result.stdout.startswith("received C-")
        cid = result.stdout.split()[1].rstrip(":")
        assert result.stderr.strip() == STORED.format(id=cid)
    assert _count() == 1
    assert _invoke("show", cid).exit_code == 0


def test_f03_act_interrupted_in_its_listeners_prints_its_result_and_exits_0(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    received = _invoke(*RECEIVE, "--json")
    cid = json.loads(received.stdout)["id"]
    with monkeypatch.context() as patched:
        _ctrl_c_while_listeners_run(patched)
        result = _invoke("act", cid, "acknowledge", "--actor", "SR-201")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"done: {cid} is now")
    assert result.stderr.strip() == STORED.format(id=cid)


# --------------------------------------------------------------------------- F02


def test_f02_a_raising_template_hook_is_named_by_the_exceptions_type_only() -> None:
    """hooks.md: a raising hook's error names the exception's type only (its text may
    quote a password); the template hook alone quoted 200 characters of it."""
    from complaintcore.core.errors import HookError

    class Cms:
        @hookimpl
        def complaintcore_notification_template(self, topic: str, lang: str) -> None:
            raise ConnectionError(
                "could not connect to postgresql://cms:Sup3rS3cret@cms.internal/templates"
            )

    with pytest.raises(HookError) as err:
        _desk(Cms())
    assert str(err.value) == (
        "notification_template.assigned.zh: complaintcore_notification_template raised"
        " ConnectionError"
    )
    assert err.value.path == "notification_template.assigned.zh"
    assert isinstance(err.value.__cause__, ConnectionError)


def test_f02_the_template_hooks_error_at_the_command_line_keeps_the_password_out(
    desk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed plugin's template hook raising, as ``list`` (any command) meets it."""
    from complaintcore.desk import plugins

    class Cms:
        @hookimpl
        def complaintcore_notification_template(self, topic: str, lang: str) -> None:
            raise ConnectionError("could not connect to postgresql://cms:Sup3rS3cret@cms")

    installed = plugins.make_plugin_manager

    def with_cms() -> object:
        pm = installed()
        pm.register(Cms())
        return pm

    monkeypatch.setattr(plugins, "make_plugin_manager", with_cms)
    for args in (("list",), ("list", "--json")):
        result = _invoke(*args)
        assert result.exit_code == 1, result.output
        assert "Sup3rS3cret" not in result.output
        assert "complaintcore_notification_template raised ConnectionError" in result.output


# --------------------------------------------------------------------------- F05


def test_f05_a_field_inside_a_format_spec_is_refused_as_such() -> None:
    """The reason said ``{id}`` was unknown, then listed ``id`` as allowed."""
    from complaintcore.core.errors import InvalidInputError
    from complaintcore.desk.messages import NotificationTemplate
    from complaintcore.i18n import translator

    class Nested:
        @hookimpl
        def complaintcore_notification_template(
            self, topic: str, lang: str
        ) -> NotificationTemplate:
            return NotificationTemplate(subject="{id:{phone}}", body="x")

    with pytest.raises(InvalidInputError) as err:
        _desk(Nested())
    assert err.value.path == "notification_template.assigned.zh.subject"
    assert err.value.reason == "{id:{phone}}: a field inside a format spec is not allowed"
    assert translator("zh").reason(err.value.reason) == "{id:{phone}}：格式说明中不允许嵌套字段"


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("CRM refused owner [王先生]", "CRM refused owner [王**]"),
        ("CRM refused owner [王女士]", "CRM refused owner [王**]"),
        ("CRM refused owner 王 小姐", "CRM refused owner 王***"),
        ("call note: 王师傅 says", "call note: 王** says"),
        ("CRM refused owner 王\u200b总", "CRM refused owner 王*"),
        ("CRM refused owner 陈先生", "CRM refused owner 陈先生"),  # another surname
        ("小区3栋漏水", "小区3栋漏水"),
    ],
)
def test_f04_a_chinese_surname_and_title_is_masked_as_mrs_thompson_is(
    said: str, shown: str
) -> None:
    """security.md masks ``Mrs Thompson`` for Margaret Thompson; ``王先生`` for 王小明
    is the same identifying form, and was logged whole by a failing hook."""
    from complaintcore.desk.masking import masked_traceback

    try:
        raise RuntimeError(said)
    except RuntimeError as exc:
        line = masked_traceback(exc, ("王小明", "13812345678", "3-2-1201")).splitlines()[-1]
    assert line == f"RuntimeError: {shown}"


@pytest.mark.procedure("PRV-1")
def test_f04_a_compound_surname_keeps_both_characters() -> None:
    from complaintcore.core.privacy import redact

    assert redact("欧阳女士、欧 阳先生、欧先生", also=("欧阳娜娜",)) == "欧***、欧****、欧先生"


# --------------------------------------------------------------------------- F01


class _ShortCalendar:
    """A host's calendar covering 2025 alone (cn-property's [calendar] is 2024-2040)."""

    @hookimpl
    def complaintcore_get_calendar(self, name: str, spec: object, config: object) -> object:
        from complaintcore import WorkingCalendar

        return WorkingCalendar.build(
            tz="Asia/Shanghai",
            weekly={d: [("09:00", "18:00")] for d in range(5)},
            years=(2025, 2025),
        )


class _Staff:
    @hookimpl
    def complaintcore_get_staff_directory(self) -> object:
        return load_sample_staff()


def _hook_desk() -> Desk:
    pm = make_plugin_manager([_Staff(), _ShortCalendar()], load_entry_points=False)
    return Desk.from_config(
        {"database": ":memory:", "notifiers": {"log": False}}, plugin_manager=pm
    )


def test_f01_a_hook_calendars_end_names_the_hook_not_the_rule_pack() -> None:
    """Raising the pack's last_year (2040 already) changes nothing: the advice named it."""
    from complaintcore.core.errors import InvalidInputError

    with _hook_desk() as desk:
        later = datetime(2026, 3, 2, 10, tzinfo=SH)
        with pytest.raises(InvalidInputError) as err:
            desk.sweep(later)
        assert (err.value.path, err.value.reason) == (
            "now",
            "outside the calendar's years (2025-2025 in Asia/Shanghai); the calendar"
            " complaintcore_get_calendar supplied ends on 2025-12-31: extend the years it builds",
        )
        note = desk.calendar_warnings_at(datetime(2025, 11, 14, 10, tzinfo=SH))[-1]
        assert note.endswith(
            "; extend the years of the calendar complaintcore_get_calendar supplied"
        )
        with pytest.raises(InvalidInputError) as early:
            desk.receive(
                attrs.evolve(_intake(), received_at=datetime(2024, 12, 2, tzinfo=SH)), now=T0
            )
        assert early.value.path == "received_at"
        assert early.value.reason.endswith(
            "; extend the years of the calendar complaintcore_get_calendar supplied"
        )
    zh = translator("zh")
    assert zh.reason(err.value.reason) == (
        "不在日历的年份内（2025-2025 年，Asia/Shanghai 时区）；complaintcore_get_calendar"
        " 所提供的日历止于 2025-12-31：请延长它所生成的年份"
    )


def test_f01_the_packs_own_calendar_still_names_the_rule_pack() -> None:
    from complaintcore.core.errors import InvalidInputError

    pm = make_plugin_manager([_Staff()], load_entry_points=False)
    with Desk.from_config(
        {"database": ":memory:", "notifiers": {"log": False}}, plugin_manager=pm
    ) as desk:
        with pytest.raises(InvalidInputError) as err:
            desk.sweep(datetime(2041, 3, 2, 10, tzinfo=SH))
        assert err.value.reason.endswith("extend the rule pack's [calendar] last_year")
