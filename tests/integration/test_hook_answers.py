"""What plugins hand the desk is checked when the desk takes it (review s25B F01, F02, F05).

pluggy holds implementations to the specs' argument names only, and mypy does
not look at them at all: an ``async def`` implementation, or an answer of the
wrong shape, used to be accepted and then lost (a coroutine never run) or fail
later, deep in the desk, as a raw ``AttributeError`` naming no hook.  Now an
``async def`` implementation is a :class:`PluginError` at registration, a
``get_*`` answer of the wrong shape an ``InvalidInputError`` naming the hook when
the desk is built, and a classify answer the desk cannot use is logged and the
pack's keywords classify that complaint (IN-2), as when the hook raises.
"""

from __future__ import annotations

import gc
import logging
import threading
import time
import warnings
from collections.abc import Callable, Coroutine, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.calendar import WorkingCalendar
from complaintcore.core.classification import Classification
from complaintcore.core.errors import (
    AccessDeniedError,
    ComplaintCoreError,
    HookError,
    InvalidInputError,
)
from complaintcore.core.models import Cause, Complainant, Complaint, Intake
from complaintcore.core.rulepack import CalendarSpec
from complaintcore.core.workflow import Assess, Reply
from complaintcore.desk import Desk
from complaintcore.desk.checked_directory import CheckedDirectory
from complaintcore.desk.hookspecs import hookimpl
from complaintcore.desk.plugins import PluginError, make_plugin_manager
from complaintcore.desk.ports import StaffMember
from complaintcore.i18n import translator
from complaintcore.testing import MemoryStore, RecordingNotifier, StaffList
from tests.helpers import T0, pack
from tests.unit.test_docs import SPECS

OWNER = Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise")
NO_LOG = {"database": ":memory:", "notifiers": {"log": False}}

AWAITABLE = (
    "answered with an awaitable (a coroutine?); complaintcore calls hooks"
    " synchronously and needs the answer itself"
)


def intake(summary: str, key: str) -> Intake:
    return Intake(OWNER, "phone", T0, "SR-103", summary, site="sunrise", idempotency_key=key)


class SampleStaff:
    """The packaged sample staff as the directory."""

    @hookimpl
    def complaintcore_get_staff_directory(self) -> StaffList:
        return load_sample_staff()


def answering(hook: str, answer: object) -> object:
    """A plugin whose ``hook`` returns ``answer`` (any shape: what mypy would not catch)."""

    def impl(self: object) -> object:
        return answer

    return type("Answering", (), {hook: hookimpl(impl)})()


def desk_with(*plugins: object) -> Desk:
    pm = make_plugin_manager([*plugins, SampleStaff()], load_entry_points=False)
    return Desk.from_config(NO_LOG, plugin_manager=pm)


def by_hand(**parts: Any) -> Desk:
    """A desk built from its parts, as tests and scripts do."""
    cn = pack()
    return Desk(
        pack=cn,
        store=MemoryStore(),
        directory=load_sample_staff(),
        calendar=calendar_for_spec(cn.calendar),
        **parts,
    )


@pytest.fixture
def no_coroutine_left_unawaited() -> Iterator[None]:
    """A coroutine handed back and dropped would warn "never awaited" when collected."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
        gc.collect()
    assert [str(w.message) for w in caught if "never awaited" in str(w.message)] == []


async def _nothing() -> None:
    """What an async host client's call hands back unawaited."""


# --------------------------------------------------------------------------- F01 async def


@pytest.mark.parametrize("hook", sorted(SPECS))
def test_an_async_def_implementation_of_any_hook_is_refused_at_registration(hook: str) -> None:
    async def impl(self: object) -> None:
        """Takes none of the hook's arguments, which pluggy allows."""

    plugin = type("AsyncPlugin", (), {hook: hookimpl(impl)})()
    with pytest.raises(PluginError) as err:
        make_plugin_manager([plugin], load_entry_points=False)
    assert isinstance(err.value, ComplaintCoreError)
    assert err.value.plugin is plugin
    assert str(err.value) == (
        f"plugin AsyncPlugin: {hook} is an async def; complaintcore calls hooks"
        " synchronously and would never run it (make it a plain function: run async"
        " work with asyncio.run, or hand it to your event loop)"
    )


def test_an_async_listener_registered_after_the_manager_is_refused_by_the_desk() -> None:
    """The audit listener of an asyncio host: it would never hear an event."""
    heard: list[str] = []

    class AsyncAudit:
        @hookimpl
        async def complaintcore_on_events(self, complaint: Complaint) -> None:
            heard.append(complaint.id)

    pm = make_plugin_manager([SampleStaff()], load_entry_points=False)
    pm.register(AsyncAudit())
    with pytest.raises(PluginError, match="plugin AsyncAudit: complaintcore_on_events is an async"):
        Desk.from_config(NO_LOG, plugin_manager=pm)
    with pytest.raises(PluginError, match="complaintcore_on_events is an async def"):
        by_hand(plugin_manager=pm)
    assert heard == []


@pytest.mark.usefixtures("no_coroutine_left_unawaited")
def test_a_listener_handing_back_a_coroutine_is_logged_as_failed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A plain function that calls an async client without awaiting it heard nothing:
    logged like a listener that raised, and the committed events stay."""

    class Audit:
        @hookimpl
        def complaintcore_on_events(self) -> Coroutine[Any, Any, None]:
            return _nothing()

    desk = desk_with(Audit())
    with caplog.at_level(logging.ERROR, logger="complaintcore.desk"):
        complaint = desk.receive(intake("楼上漏水，天花板渗水", "a"), now=T0)
    assert desk.get(complaint.id).version == complaint.version == 3  # registered,
    # classified and assigned: nothing undone
    assert (
        f"complaintcore_on_events failed for {complaint.id} in plugin Audit: the listener"
        f" {AWAITABLE}"
    ) in caplog.text
    assert "王小明" not in caplog.text


# --------------------------------------------------------------------------- F02 classify


def security(**changes: Any) -> Classification:
    """The host model's answer: cn-property's security category (software cause,
    the security department)."""
    return attrs.evolve(
        Classification(category="security", cause=Cause.SOFTWARE, department="security"),
        **changes,
    )


BAD_ANSWERS: dict[str, tuple[Callable[[], object], str]] = {
    "a category the pack lacks": (
        lambda: security(category="water_leak"),
        "answered category 'water_leak', not in pack cn-property",
    ),
    "a department the pack lacks": (
        lambda: security(department="plumbing"),
        "answered department 'plumbing', not in pack cn-property",
    ),
    "a plain string": (lambda: "repairs", "expected a Classification, got str"),
    "a coroutine": (_nothing, AWAITABLE),
}


@pytest.mark.procedure("IN-2")
@pytest.mark.procedure("CLS-1")
@pytest.mark.parametrize("bad", sorted(BAD_ANSWERS))
@pytest.mark.usefixtures("no_coroutine_left_unawaited")
def test_a_classify_answer_the_desk_cannot_use_falls_back_to_the_keywords(
    bad: str, caplog: pytest.LogCaptureFixture
) -> None:
    """hooks.md: "every complaint is still registered (IN-2), and a bulk batch goes
    on".  The model answers security for every complaint but the lift, where its
    answer is unusable: the lift is classified by cn-property's keywords (电梯 is a
    repairs keyword, owned by engineering), the others keep the model's answer."""
    answer, reason = BAD_ANSWERS[bad]

    class Model:
        @hookimpl
        def complaintcore_classify(self, complaint: Complaint) -> object:
            return answer() if "电梯" in complaint.intake.summary else security()

    desk = desk_with(Model())
    batch = [
        intake("楼道里有陌生人徘徊", "a"),
        intake("电梯停运，困在里面", "b"),
        intake("晚上有人大声喧哗", "c"),
        intake("小区门口车辆乱停", "d"),
    ]
    with caplog.at_level(logging.ERROR, logger="complaintcore.desk"):
        results = list(desk.receive_many(batch, now=T0))
    assert [type(r) for r in results] == [Complaint] * 4
    assert len(desk.rows()) == 4
    stored = [desk.get(r.id).state for r in results if isinstance(r, Complaint)]
    assert [(s.category, s.department) for s in stored] == [
        ("security", "security"),
        ("repairs", "engineering"),
        ("security", "security"),
        ("security", "security"),
    ]
    lift = results[1]
    assert isinstance(lift, Complaint)
    assert (
        f"complaintcore_classify failed for {lift.id}: {reason}; the pack's keywords classify it"
    ) in caplog.text
    assert "王小明" not in caplog.text
    assert "13812345678" not in caplog.text
    # one complaint alone too
    single = desk.receive(intake("电梯又坏了", "e"), now=T0)
    assert (single.state.category, single.state.department) == ("repairs", "engineering")


def test_an_unusable_label_is_not_quoted_unless_it_looks_like_a_code(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """PRV-1: a model's label could be anything, even a name: shown only code-shaped."""

    class Model:
        @hookimpl
        def complaintcore_classify(self) -> Classification:
            return security(category="王小明")

    with caplog.at_level(logging.ERROR, logger="complaintcore.desk"):
        complaint = desk_with(Model()).receive(intake("电梯停运", "a"), now=T0)
    assert complaint.state.category == "repairs"
    assert "answered category (not shown: not a code), not in pack cn-property" in caplog.text
    assert "王小明" not in caplog.text


# --------------------------------------------------------------------------- F05 get_* answers


class Sms:
    name = "sms"

    def send(self, notification: object, recipient: object) -> None:
        pass


class HalfStore:
    """A host's store half written: two of the protocol's methods."""

    def load(self, complaint_id: str) -> None: ...

    def close(self) -> None: ...


class Packs:
    @hookimpl
    def complaintcore_register_rule_packs(self, register: Callable[[str, object], None]) -> None:
        register("acme", {"name": "acme"})  # a parsed TOML table, not a RulePack


class LazyStore:
    @hookimpl
    def complaintcore_get_store(self) -> object:
        return _nothing()  # an async host client's call, not awaited


WRONG_SHAPES: dict[str, tuple[Callable[[], object], str, str]] = {
    "a store that is a path": (
        lambda: answering("complaintcore_get_store", "complaints.sqlite3"),
        "complaintcore_get_store",
        "expected a ComplaintStore, got str",
    ),
    "a store handed back as a coroutine": (LazyStore, "complaintcore_get_store", AWAITABLE),
    "a directory that is a list of members": (
        lambda: answering("complaintcore_get_staff_directory", []),
        "complaintcore_get_staff_directory",
        "expected a StaffDirectory (get and members), got list",
    ),
    "one notifier, not a list": (
        lambda: answering("complaintcore_get_notifiers", Sms()),
        "complaintcore_get_notifiers",
        "expected a list of notifiers, got one Sms (return [it])",
    ),
    "a list holding None": (
        lambda: answering("complaintcore_get_notifiers", [None]),
        "complaintcore_get_notifiers",
        "expected a list of Notifier (a name and send), got NoneType",
    ),
    "a channel's name for a list": (
        lambda: answering("complaintcore_get_notifiers", "sms"),
        "complaintcore_get_notifiers",
        "expected a list of notifiers, got str",
    ),
    "a pack registered as a dict": (
        Packs,
        "complaintcore_register_rule_packs",
        "expected register(name, pack) with a RulePack, got dict",
    ),
}


@pytest.mark.parametrize("case", sorted(WRONG_SHAPES))
@pytest.mark.usefixtures("no_coroutine_left_unawaited")
def test_a_get_hook_answer_of_the_wrong_shape_is_refused_when_the_desk_is_built(
    case: str,
) -> None:
    plugin, hook, reason = WRONG_SHAPES[case]
    pm = make_plugin_manager([plugin()], load_entry_points=False)
    with pytest.raises(InvalidInputError) as err:
        Desk.from_config(NO_LOG, plugin_manager=pm)
    assert (err.value.path, err.value.reason) == (hook, reason)


def test_a_store_lacking_part_of_the_protocol_is_told_what_it_lacks() -> None:
    """ComplaintStore (desk/ports.py) asks for 24 public members; HalfStore has 2 of them,
    so 22 are lacking: the first five by name, and how many more."""
    pm = make_plugin_manager(
        [answering("complaintcore_get_store", HalfStore())], load_entry_points=False
    )
    with pytest.raises(InvalidInputError) as err:
        Desk.from_config(NO_LOG, plugin_manager=pm)
    assert (err.value.path, err.value.reason) == (
        "complaintcore_get_store",
        "expected a ComplaintStore, got HalfStore"
        " (it lacks access_log, append, claim, claim_due, complaints and 17 more)",
    )


def test_a_calendar_of_the_wrong_shape_is_refused_when_first_needed() -> None:
    """The calendar is built the first time a deadline needs it (docs/hooks.md)."""
    desk = desk_with(answering("complaintcore_get_calendar", "CN"))
    with pytest.raises(InvalidInputError) as err:
        desk.receive(intake("楼上漏水", "a"), now=T0)
    assert (err.value.path, err.value.reason) == (
        "complaintcore_get_calendar",
        "expected a WorkingCalendar, got str",
    )


def test_the_calendar_hook_is_called_once_by_threads_asking_at_once() -> None:
    """docs/hooks.md: `complaintcore_get_calendar` is called once, the first time a
    deadline needs it; eight request threads at once each called it (s27C F01)."""
    calls: list[int] = []
    gate = threading.Barrier(8)

    class SlowCalendar:
        @hookimpl
        def complaintcore_get_calendar(self, spec: CalendarSpec) -> WorkingCalendar:
            calls.append(threading.get_ident())
            time.sleep(0.2)  # a calendar read from the host's HR system
            return calendar_for_spec(spec)

    desk = desk_with(SlowCalendar())
    failures: list[BaseException] = []

    def request(n: int) -> None:
        gate.wait()
        try:
            desk.receive(intake("楼上漏水", f"k{n}"), now=T0)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=request, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    assert len(calls) == 1


class Tracked(MemoryStore):
    closed = False

    def close(self) -> None:
        self.closed = True
        super().close()


def test_the_store_is_closed_when_a_later_part_is_refused() -> None:
    opened: list[Tracked] = []

    class Store:
        @hookimpl
        def complaintcore_get_store(self) -> MemoryStore:
            opened.append(Tracked())
            return opened[-1]

    pm = make_plugin_manager(
        [Store(), answering("complaintcore_get_staff_directory", [])], load_entry_points=False
    )
    with pytest.raises(InvalidInputError, match="complaintcore_get_staff_directory"):
        Desk.from_config(NO_LOG, plugin_manager=pm)
    assert [store.closed for store in opened] == [True]


class NoSend:
    name = "fax"


@pytest.mark.parametrize(
    ("notifier", "reason"),
    [
        (None, "expected a Notifier (a name and send), got NoneType"),
        (NoSend(), "expected a Notifier (a name and send), got NoSend (it lacks send)"),
    ],
)
def test_a_desk_built_by_hand_checks_its_notifiers(notifier: object, reason: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        by_hand(notifiers=[RecordingNotifier("mail"), notifier])
    assert (err.value.path, err.value.reason) == ("notifiers[1]", reason)


def test_a_notifier_needs_a_name() -> None:
    nameless = RecordingNotifier("")
    with pytest.raises(InvalidInputError) as err:
        by_hand(notifiers=[RecordingNotifier("mail"), nameless])
    assert (err.value.path, err.value.reason) == (
        "notifiers[1].name",
        "expected the channel's name",
    )


# --------------------------------------------------------------------------- review s32D

HOOK = "complaintcore_get_staff_directory"
SAMPLE = load_sample_staff()
LEAK = "楼上漏水，天花板渗水"


class Directory:
    """A host's directory over the sample staff, answering as the sample does."""

    def get(self, staff_id: str) -> object:
        return SAMPLE.get(staff_id)

    def members(self) -> object:
        return SAMPLE.members()


def desk_of(directory: object) -> Desk:
    """A desk whose staff directory is ``directory`` (the sample staff not passed in)."""
    pm = make_plugin_manager([answering(HOOK, directory)], load_entry_points=False)
    return Desk.from_config(NO_LOG, plugin_manager=pm)


class MembersNone(Directory):
    def members(self) -> object:
        return None


class MembersDicts(Directory):
    """An HR system's JSON rows handed on as they came."""

    def members(self) -> object:
        return [{"staff_id": m.staff_id, "site": m.site} for m in SAMPLE.members()]


class MembersGenerator(Directory):
    def members(self) -> object:
        return (m for m in SAMPLE.members())


class GetDict(Directory):
    def get(self, staff_id: str) -> object:
        found = SAMPLE.get(staff_id)
        return None if found is None else {"staff_id": found.staff_id, "rung": found.rung}


class GetCoroutine(Directory):
    """An async HR client called without awaiting it."""

    def get(self, staff_id: str) -> object:
        return _nothing()


WRONG_DIRECTORY_ANSWERS: dict[str, tuple[type[Directory], str]] = {
    "members() of None": (
        MembersNone,
        "members(): expected a sequence (tuple or list) of StaffMember, got NoneType",
    ),
    "members() of dicts": (MembersDicts, "members()[0]: expected a StaffMember, got dict"),
    "members() as a generator": (
        MembersGenerator,
        "members(): expected a sequence (tuple or list) of StaffMember, got generator",
    ),
    "get() of a dict": (GetDict, "get(): expected a StaffMember or None, got dict"),
    "get() of a coroutine": (
        GetCoroutine,
        "get(): expected a StaffMember or None, got coroutine",
    ),
}


@pytest.mark.parametrize("case", sorted(WRONG_DIRECTORY_ANSWERS))
@pytest.mark.usefixtures("no_coroutine_left_unawaited")
def test_a_directory_answering_the_wrong_type_is_refused_naming_the_hook(case: str) -> None:
    """Review s32D f01: hooks.md promises an InvalidInputError naming the hook, not a raw
    TypeError or AttributeError from deep in the desk; nothing is stored."""
    directory, reason = WRONG_DIRECTORY_ANSWERS[case]
    desk = desk_of(directory())
    with pytest.raises(InvalidInputError) as err:
        desk.receive(intake(LEAK, "a"), now=T0)
    assert (err.value.path, err.value.reason) == (HOOK, reason)
    assert desk.rows() == []
    # a desk built by hand names its argument instead of the hook
    mine = by_hand()
    mine.directory = directory()  # type: ignore[assignment]
    with pytest.raises(InvalidInputError) as err:
        mine.receive(intake(LEAK, "a"), now=T0)
    assert (err.value.path, err.value.reason) == ("directory", reason)


class Blips(Directory):
    """An HR service that times out on the ``fail``-th lookup, quoting whom it asked."""

    def __init__(self, fail: int, method: str = "get") -> None:
        self.fail = fail
        self.method = method
        self.calls = 0

    def _call(self, method: str) -> None:
        if method == self.method:
            self.calls += 1
            if self.calls == self.fail:
                raise ConnectionError("HR timeout looking up 王小明 13812345678")

    def get(self, staff_id: str) -> object:
        self._call("get")
        return SAMPLE.get(staff_id)

    def members(self) -> object:
        self._call("members")
        return SAMPLE.members()


def test_a_raising_directory_refuses_one_receive_naming_the_hook_not_its_text() -> None:
    """Review s36B F02: the host's exception comes out as a library error naming the
    hook and its type only (its text quotes a person: PRV-1), the cause kept."""
    desk = desk_of(Blips(1))
    with pytest.raises(HookError) as err:
        desk.receive(intake(LEAK, "a"), now=T0)
    assert (err.value.path, err.value.reason) == (HOOK, "get() raised ConnectionError")
    assert isinstance(err.value.__cause__, ConnectionError)
    assert "王小明" not in str(err.value)
    assert "138" not in str(err.value)
    assert desk.rows() == []
    assert desk.receive(intake(LEAK, "a"), now=T0).id  # the service is back: taken


@pytest.mark.parametrize("method", ["get", "members"])
def test_a_directory_failing_once_in_a_bulk_intake_refuses_that_intake_alone(
    method: str,
) -> None:
    """Review s36B F02 (desk.md: receive_many yields "the stored complaint, or the
    error that refused it, while the others go on"): one lookup that fails mid-batch
    lost the whole batch, those decided before it too, as the host's bare
    exception.  Whichever lookup of the batch fails, one intake is refused."""
    batch = [intake(LEAK, f"k{i}") for i in range(5)]
    probe = Blips(0, method)
    list(desk_of(probe).receive_many(batch, now=T0))
    assert probe.calls >= 5
    for fail in range(1, probe.calls + 1):
        desk = desk_of(Blips(fail, method))
        results = list(desk.receive_many(batch, now=T0))
        refused = [r for r in results if not isinstance(r, Complaint)]
        assert len(refused) == 1, fail
        assert isinstance(refused[0], HookError)
        assert refused[0].path == HOOK
        assert len(desk.rows()) == 4
        again = list(desk.receive_many(batch, now=T0))  # retried: the fifth is stored
        assert all(isinstance(r, Complaint) for r in again)
        assert len(desk.rows()) == 5


def test_a_list_of_members_is_checked_again_on_every_call() -> None:
    """A list may change in place (a live directory's): checked once is no guarantee,
    as it is for a tuple."""
    staff = list(SAMPLE.members())

    class Live(Directory):
        def members(self) -> object:
            return staff

    desk = desk_of(Live())
    desk.receive(intake(LEAK, "a"), now=T0)
    staff.append({"staff_id": "SR-999"})  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError) as err:
        desk.receive(intake("电梯停运", "b"), now=T0)
    # the sample's 28 members (index 0-27), then the dict
    assert (err.value.path, err.value.reason) == (
        HOOK,
        "members()[28]: expected a StaffMember, got dict",
    )


class OtherPerson(Directory):
    """An HR adapter's bug (a wrong join): the receptionist SR-103, and whatever is
    typed as the name 王小明, come back as the project manager SR-001."""

    def get(self, staff_id: str) -> object:
        if staff_id.strip().upper() in ("SR-103", "王小明"):
            return SAMPLE.get("SR-001")
        return SAMPLE.get(staff_id)


def other_person(asked: str) -> str:
    return (
        f"get({asked}) answered 'SR-001', another person"
        " (only case, width and spaces may differ from the id asked for)"
    )


@pytest.mark.procedure("ESC-3")
@pytest.mark.procedure("REC-5")
def test_a_directory_answering_another_person_is_refused_never_acted_as() -> None:
    """Review s32D f02: the receptionist SR-103 was recorded as the project manager
    SR-001 and gave a final reply with SR-001's rung.  Now refused naming the hook and
    both ids: only the spelling may differ (staff-directory.md, "one person, however
    typed"), and nothing is written."""
    desk = desk_of(OtherPerson())
    with pytest.raises(InvalidInputError) as err:
        desk.receive(intake(LEAK, "a"), now=T0)  # received by SR-103
    assert (err.value.path, err.value.reason) == (HOOK, other_person("'SR-103'"))
    assert desk.rows() == []  # REC-5: nothing recorded as SR-001's

    by_handler = attrs.evolve(intake(LEAK, "b"), receiver="SR-102")
    complaint = desk.receive(by_handler, now=T0)
    assert [e.actor for e in complaint.events] == ["SR-102"] * len(complaint.events)
    desk.act(complaint.id, Assess(actor="SR-201", validity="valid"), now=T0)
    before = desk.get(complaint.id).version
    with pytest.raises(InvalidInputError) as err:
        desk.act(complaint.id, Reply(actor="sr-103", message="已修好", final=True), now=T0)
    assert (err.value.path, err.value.reason) == (HOOK, other_person("'sr-103'"))
    assert desk.get(complaint.id).version == before

    # an id the directory does not list may be a name typed as one: masked (PRV-1)
    with pytest.raises(InvalidInputError) as err:
        desk.act(complaint.id, Reply(actor="王小明", message="已修好", final=True), now=T0)
    assert err.value.reason == other_person("'王**'")
    assert "王小明" not in str(err.value)

    # the control: with a right directory that reply is refused for its rung (ESC-3)
    right = desk_of(Directory())
    again = right.receive(by_handler, now=T0)
    right.act(again.id, Assess(actor="SR-201", validity="valid"), now=T0)
    with pytest.raises(AccessDeniedError) as denied:
        right.act(again.id, Reply(actor="sr-103", message="已修好", final=True), now=T0)
    assert denied.value.reason == (
        "rung front_line is below department_head, required for this complaint (ESC-3)"
    )


def test_a_directory_answering_its_own_spelling_is_taken() -> None:
    """Folded alike is one person: the events record the directory's spelling."""
    desk = desk_of(Directory())
    complaint = desk.receive(attrs.evolve(intake(LEAK, "a"), receiver=" ｓｒ-103 "), now=T0)
    assert complaint.intake.receiver == "SR-103"


def test_a_raising_template_hook_is_named_with_its_topic_and_language() -> None:
    """Review s32D f03: a template hook raising for one topic in one language made
    Desk.from_config fail with a bare error naming neither."""

    class Wording:
        @hookimpl
        def complaintcore_notification_template(self, topic: str, lang: str) -> None:
            if (topic, lang) == ("escalated", "en"):
                raise LookupError("no English wording for this topic")

    pm = make_plugin_manager([Wording(), SampleStaff()], load_entry_points=False)
    with pytest.raises(HookError) as err:
        Desk.from_config(NO_LOG, plugin_manager=pm)
    assert (err.value.path, err.value.reason) == (  # its type only (review s55R2 F02)
        "notification_template.escalated.en",
        "complaintcore_notification_template raised LookupError",
    )
    assert isinstance(err.value.__cause__, LookupError)


@pytest.mark.procedure("PRV-1")
def test_a_message_the_directory_answers_another_person_for_is_a_dead_letter_saying_why() -> None:
    """The leak's assignment is to be sent to SR-201; by delivery the host's directory
    answers SR-202's record for him.  The send is refused, and the stored error (what
    ``outbox list`` shows) says why, naming both ids, as the refusal does elsewhere;
    it said only ``InvalidInputError`` (review s32G V21)."""
    from complaintcore import RetryPolicy

    class WrongJoin(Directory):
        broken = False

        def get(self, staff_id: str) -> object:
            if self.broken and staff_id == "SR-201":
                return SAMPLE.get("SR-202")
            return SAMPLE.get(staff_id)

    directory, notes, cn = WrongJoin(), RecordingNotifier(), pack()
    desk = Desk(
        pack=cn,
        store=MemoryStore(),
        directory=directory,  # type: ignore[arg-type]
        calendar=calendar_for_spec(cn.calendar),
        notifiers=[notes],
    )
    desk.retry = RetryPolicy(max_attempts=1, first_delay_seconds=60)
    assert desk.receive(intake(LEAK, "a"), now=T0).state.handler == "SR-201"
    directory.broken = True
    report = desk.deliver(T0)  # its one attempt: a dead letter now (review s48L F03)
    assert (report.failed, report.newly_given_up) == (0, 1)
    assert notes.sent == []
    [dead] = desk.dead_letters()
    assert (dead.notification.recipient, dead.last_error) == (
        "SR-201",
        "InvalidInputError: directory: get('SR-201') answered 'SR-202', another person"
        " (only case, width and spaces may differ from the id asked for)",
    )


def test_two_channels_of_one_name_are_refused_naming_the_name() -> None:
    """Review s32D f04: the host must know which channel to rename."""
    with pytest.raises(InvalidInputError) as err:
        desk_with(  # a host's plugin and an installed one, each with its "sms"
            answering("complaintcore_get_notifiers", [Sms()]),
            answering("complaintcore_get_notifiers", [Sms()]),
        )
    assert (err.value.path, err.value.reason) == ("notifiers", "two notifiers share the name 'sms'")
    with pytest.raises(InvalidInputError) as err:
        by_hand(notifiers=[RecordingNotifier("mail"), Sms(), RecordingNotifier("mail")])
    assert (err.value.path, err.value.reason) == (
        "notifiers",
        "two notifiers share the name 'mail'",
    )


def test_two_channels_of_one_name_after_another_channel_are_refused_naming_theirs() -> None:
    """Channels ``sms``, ``mail``, ``mail``: the refusal names ``'mail'``, the name
    two of them share, not the first channel's (review s32G F09: the tests put a
    shared name first)."""
    with pytest.raises(InvalidInputError) as err:
        by_hand(notifiers=[Sms(), RecordingNotifier("mail"), RecordingNotifier("mail")])
    assert (err.value.path, err.value.reason) == (
        "notifiers",
        "two notifiers share the name 'mail'",
    )


def test_the_new_refusals_read_in_chinese() -> None:
    """The reasons are in the catalogs (translations written by hand here)."""
    zh = translator("zh")
    assert zh.reason("two notifiers share the name 'sms'") == "有两个通知渠道同名 'sms'"
    assert zh.reason(other_person("'SR-103'")) == (
        "get('SR-103') 返回了 'SR-001'，是另一个人（与所查工号只能在大小写、全半角和空格上不同）"
    )
    assert zh.reason("members()[3]: expected a StaffMember, got dict") == (
        "members()[3]：应为 StaffMember，却得到 dict"
    )
    assert zh.reason("complaintcore_notification_template raised KeyError") == (
        "complaintcore_notification_template 出错（KeyError）"  # its type only (review s55R2 F02)
    )


# --------------------------------------------------------------------------- review s45D

FOLDS_ALIKE = (
    "members()[28].staff_id: folds to the same id as members()[8]"
    " (a directory may not hold two ids that differ only in case, width or spaces)"
)
CLEANER = StaffMember(  # an HR system's case-sensitive id: another person than SR-201
    staff_id="sr-201",
    name="张三",
    role="保洁员",
    rung="front_line",
    department="cleaning",
    site="sunrise",
)


def desk_on_file(directory: object, tmp_path: Path) -> Desk:
    """A desk on an SQLite file whose staff directory is ``directory``."""
    pm = make_plugin_manager([answering(HOOK, directory)], load_entry_points=False)
    config = {"database": str(tmp_path / "desk.sqlite3"), "notifiers": {"log": False}}
    return Desk.from_config(config, plugin_manager=pm)


class Listing(Directory):
    """A live directory over ``staff``, a list the host's HR sync edits in place."""

    def __init__(self, staff: list[StaffMember]) -> None:
        self.staff = staff

    def get(self, staff_id: str) -> object:
        return next((m for m in self.staff if m.staff_id == staff_id), None)

    def members(self) -> object:
        return self.staff


@pytest.mark.procedure("ESC-3")
def test_two_members_whose_ids_fold_alike_are_refused_never_one_acting_as_the_other(
    tmp_path: Path,
) -> None:
    """Review s45D F01: the HR system's ``sr-201`` (a front-line cleaner) beside
    ``SR-201`` (engineering's head, the complaint's handler) was taken for the handler
    and assessed the complaint (ESC-3).  staff-directory.md: "A directory may not hold
    two ids that fold alike".  Refused naming both indexes, no name (PRV-1), before
    anything is written: at intake, and by a sweep or a command once HR has added
    the cleaner."""
    staff = [*SAMPLE.members(), CLEANER]
    with desk_on_file(Listing(staff), tmp_path) as desk:
        with pytest.raises(InvalidInputError) as err:
            desk.receive(intake(LEAK, "a"), now=T0)
        assert (err.value.path, err.value.reason) == (HOOK, FOLDS_ALIKE)
        assert "张三" not in str(err.value)
        assert desk.rows() == []

        staff.remove(CLEANER)
        complaint = desk.receive(intake(LEAK, "a"), now=T0)
        assert complaint.state.handler == "SR-201"
        staff.append(CLEANER)
        with pytest.raises(InvalidInputError) as err:
            desk.sweep(T0 + timedelta(days=10))
        assert err.value.reason == FOLDS_ALIKE
        assert desk.get(complaint.id).version == complaint.version  # nothing recorded
        # nor by a command between intakes and sweeps: the cleaner may not assess
        # as the complaint's holder (VAL-1 lets the holder; ESC-3 refuses front_line)
        with pytest.raises(InvalidInputError) as err:
            desk.act(complaint.id, Assess(actor="sr-201", validity="valid"), now=T0)
        assert err.value.reason == FOLDS_ALIKE
        assert desk.get(complaint.id).version == complaint.version

    class Snapshot(Directory):  # a tuple is refused as a list is
        def members(self) -> object:
            return (*SAMPLE.members(), CLEANER)

    fresh = tmp_path / "tuple"
    fresh.mkdir()
    with desk_on_file(Snapshot(), fresh) as desk:
        with pytest.raises(InvalidInputError) as err:
            desk.receive(intake(LEAK, "b"), now=T0)
        assert err.value.reason == FOLDS_ALIKE
        assert desk.rows() == []
    assert translator("zh").reason(FOLDS_ALIKE) == (
        "members()[28].staff_id：与 members()[8] 归一后是同一个工号"
        "（名册中不得有两个只在大小写、全半角或空格上不同的工号）"
    )


def evolved(staff_id: str, **changes: object) -> StaffMember:
    """A sample member with fields an HR export left unparsed (attrs checks no types)."""
    found = SAMPLE.get(staff_id)
    assert found is not None
    return attrs.evolve(found, **changes)


WRONG_FIELDS: dict[str, tuple[dict[str, object], str]] = {
    "duty as text": (
        {"duty": "Mon-Fri 09:00-18:00"},
        "duty: expected a tuple or list of DutyWindow, got str",
    ),
    "duty as a list of text": (
        {"duty": ["Mon-Fri 09:00-18:00"]},
        "duty: expected a tuple or list of DutyWindow, got str",
    ),
    "sees_personal_data as text": (
        {"sees_personal_data": "false"},
        "sees_personal_data: expected true or false, got str",
    ),
    "sees_personal_data as 0": (
        {"sees_personal_data": 0},
        "sees_personal_data: expected true or false, got int",
    ),
    "site None": ({"site": None}, "site: expected text (str), got NoneType"),
    "name as bytes": ({"name": "张伟".encode()}, "name: expected text (str), got bytes"),
    "phone as a number": ({"phone": 13912345678}, "phone: expected text (str), got int"),
}


@pytest.mark.parametrize("case", sorted(WRONG_FIELDS))
def test_a_member_field_of_the_wrong_type_is_refused_naming_the_field_not_its_value(
    case: str, tmp_path: Path
) -> None:
    """Review s45D F02: a ``duty`` string failed intake with a raw AttributeError
    (hooks.md: checked "when the desk takes it … not a raw AttributeError later").
    The field and the type are named, never the value (PRV-1); nothing is stored."""
    changes, reason = WRONG_FIELDS[case]
    bad = evolved("SR-001", **changes)

    class InMembers(Directory):
        def members(self) -> object:
            return tuple(bad if m.staff_id == "SR-001" else m for m in SAMPLE.members())

    with desk_on_file(InMembers(), tmp_path) as desk:
        with pytest.raises(InvalidInputError) as err:
            desk.receive(intake(LEAK, "a"), now=T0)
        assert (err.value.path, err.value.reason) == (HOOK, f"members()[4].{reason}")
        assert desk.rows() == []
    for shown in ("Mon-Fri", "'false'", "张伟", "\\xe5", "13912345678"):
        assert shown not in str(err.value)

    class InGet(Directory):  # members() right, get() answering from an unparsed export
        def get(self, staff_id: str) -> object:
            return bad if staff_id == "SR-001" else SAMPLE.get(staff_id)

    (tmp_path / "get").mkdir()
    with desk_on_file(InGet(), tmp_path / "get") as desk:
        complaint = desk.receive(intake(LEAK, "b"), now=T0)
        with pytest.raises(InvalidInputError) as err:
            desk.act(complaint.id, Assess(actor="SR-001", validity="valid"), now=T0)
        assert (err.value.path, err.value.reason) == (HOOK, f"get().{reason}")
        assert desk.get(complaint.id).version == complaint.version


@pytest.mark.procedure("PRV-1")
def test_sees_personal_data_of_false_as_text_never_unmasks_a_complainant(tmp_path: Path) -> None:
    """Review s45D F03: ``"false"`` (a JSON or CSV export's) was truthy, and the
    ``late_department`` report to HQ-010 (HR, neither handler nor customer service)
    showed the complainant's name and phone.  PRV-1: complainant data must not leak;
    staff-directory.md: the field is a boolean.  The directory is refused instead."""
    sent = RecordingNotifier("inbox")
    as_text = tuple(
        m if m.sees_personal_data else attrs.evolve(m, sees_personal_data="false")
        for m in SAMPLE.members()
    )

    class Exported(Directory):
        def get(self, staff_id: str) -> object:
            return next((m for m in as_text if m.staff_id == staff_id), None)

        def members(self) -> object:
            return as_text

    cn = pack()
    desk = Desk(
        pack=cn,
        store=SqliteStore(str(tmp_path / "desk.sqlite3")),
        directory=Exported(),  # type: ignore[arg-type]
        calendar=calendar_for_spec(cn.calendar),
        notifiers=[sent],
    )
    with desk, pytest.raises(InvalidInputError) as err:
        desk.receive(intake(LEAK, "a"), now=T0)
    assert err.value.reason == "members()[2].sees_personal_data: expected true or false, got str"
    assert sent.sent == []


def test_a_tuple_of_members_is_checked_once_however_often_it_is_asked() -> None:
    """The checks of review s45D run when a tuple is first handed over, not on every
    command of a sweep over the same tuple."""

    class Counting(tuple[StaffMember, ...]):
        reads = 0

        def __iter__(self) -> Iterator[StaffMember]:
            type(self).reads += 1
            return super().__iter__()

    staff = Counting(SAMPLE.members())

    class Once(Directory):
        def members(self) -> object:
            return staff

    checked = CheckedDirectory(Once())  # type: ignore[arg-type]
    for _ in range(3):
        assert checked.members() is staff
    assert Counting.reads == 1


def test_a_sweep_over_a_member_with_a_bad_duty_is_refused_before_claiming_anything(
    tmp_path: Path,
) -> None:
    """Review s45D F02: the sweep stopped at the first complaint with a raw
    AttributeError, its report lost, and every complaint it had claimed waited out
    the five-minute lease.  Now refused before claiming: once HR's data is
    right, the next sweep a minute later examines every due complaint."""
    staff = list(SAMPLE.members())
    with desk_on_file(Listing(staff), tmp_path) as desk:
        ids = [desk.receive(intake(LEAK, f"k{i}"), now=T0).id for i in range(3)]
        later = T0 + timedelta(days=10)
        staff[4] = evolved("SR-001", duty="Mon-Fri 09:00-18:00")
        with pytest.raises(InvalidInputError) as err:
            desk.sweep(later)
        assert err.value.reason == (
            "members()[4].duty: expected a tuple or list of DutyWindow, got str"
        )
        staff[4] = evolved("SR-001")
        report = desk.sweep(later + timedelta(minutes=1))
        assert report.examined == 3
        assert report.failed == ()
        assert {c for c, _ in report.escalated} == set(ids)


class Mail:
    @hookimpl
    def complaintcore_get_notifiers(self) -> list[RecordingNotifier]:
        return [RecordingNotifier("mail")]


class SmsVendor:
    """A vendor SDK's channel whose name its config left unset."""

    def __init__(self, name: object) -> None:
        self.name = name

    @hookimpl
    def complaintcore_get_notifiers(self) -> list[object]:
        nameless = RecordingNotifier("sms")
        nameless.name = self.name  # type: ignore[assignment]
        return [RecordingNotifier("wechat"), nameless]


@pytest.mark.parametrize("name", [None, "", "  ", b"sms"])
def test_a_plugins_notifier_without_a_name_is_refused_naming_the_hook_and_the_plugin(
    name: object,
) -> None:
    """Review s45D F06: it was refused at ``notifiers[2].name``, an index into every
    plugin's channels merged, naming neither the hook nor the plugin (hooks.md: the
    ``.path`` names the hook).  The index is now the plugin's own answer's."""
    with pytest.raises(InvalidInputError) as err:
        desk_with(SmsVendor(name), Mail())
    assert (err.value.path, err.value.reason) == (
        "complaintcore_get_notifiers",
        "plugin SmsVendor: notifiers[1].name: expected the channel's name",
    )
    assert translator("zh").reason(err.value.reason) == (
        "插件 SmsVendor：notifiers[1].name：应为渠道名称"
    )
