"""Review s48E: every library error survives pickle and copy (F01), so one raised in a
``ProcessPoolExecutor`` worker reaches the parent as itself; ``SchemaVersionError`` is
importable from the top-level package (F02)."""

from __future__ import annotations

import copy
import importlib
import inspect
import multiprocessing
import pickle
import pkgutil
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import attrs
import pytest

import complaintcore
import complaintcore.adapters.memory_store as module_plugin
from complaintcore import (
    ComplaintCoreError,
    ConnectionLostError,
    FieldProblem,
    HookError,
    PluginError,
    StoreError,
    SweepFailed,
    SweepInterrupted,
    SweepReport,
    UnknownComplaintError,
)
from complaintcore._toml import TomlError
from complaintcore.adapters.notify import NotificationError
from complaintcore.adapters.notify._common import SendCutOff
from complaintcore.adapters.sqlite_store import SchemaVersionError
from complaintcore.cli.demo import DemoExistsError
from complaintcore.cli.errors import EnvironmentVariableError, NotFoundError

# ----------------------------------------------------------------------------- the examples

PHONE = "13812345678"  # a complainant's mobile, as PRV-1 means


class _HostPlugin:
    """A plugin instance a host registers (picklable: its class is importable)."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _HostPlugin)

    __hash__ = object.__hash__


def _committed() -> complaintcore.Complaint:
    """A complaint as committed (review s55R2 F03: CommittedInterrupt carries it)."""
    from complaintcore.testing import make_desk
    from tests.helpers import intake

    with make_desk() as desk:
        return desk.receive(intake(receiver="SR-103"), now=intake().received_at)


def _report() -> SweepReport:
    return SweepReport(
        examined=4,
        escalated=(("C-20251114-0001", "acknowledge"),),
        regraded=("C-20251114-0003",),
        failed=(("C-20251114-0002", UnknownComplaintError("C-20251114-0002")),),
    )


def _schema_error() -> StoreError:
    return SchemaVersionError(9, 3, "desk.sqlite3")


def _down() -> ComplaintCoreError:
    from complaintcore.testing import _Down

    return _Down("webhook is down")


_LOST = ConnectionLostError("postgresql://db/complaints", "lost the connection; try again")

EXAMPLES: dict[str, Callable[[], BaseException]] = {
    "ComplaintCoreError": lambda: ComplaintCoreError("something failed"),
    "InvalidInputError": lambda: complaintcore.InvalidInputError(
        "intake.channel", "unknown channel"
    ),
    "IdempotencyConflictError": lambda: complaintcore.IdempotencyConflictError("C-20251114-0001"),
    "NaiveDatetimeError": lambda: complaintcore.NaiveDatetimeError("now"),
    "IncompleteRecordError": lambda: complaintcore.IncompleteRecordError(
        [FieldProblem("channel", "missing"), FieldProblem("received_at", "missing")]
    ),
    "IllegalTransitionError": lambda: complaintcore.IllegalTransitionError(
        "C-20251114-0001", "closed", "reply", "already replied", of_state=False
    ),
    "EscalationError": lambda: complaintcore.EscalationError(
        "C-20251114-0001", "handling", "escalate", "past the top of the ladder"
    ),
    "GradeError": lambda: complaintcore.GradeError(
        "C-20251114-0001", "handling", "regrade", "never down"
    ),
    "TimeBarredError": lambda: complaintcore.TimeBarredError(
        "", "", "register", "came after the time limit", path="occurred_at"
    ),
    "AccessDeniedError": lambda: complaintcore.AccessDeniedError(
        "", "SR-103", "register", "not on the staff list", path="receiver"
    ),
    "ConcurrencyConflictError": lambda: complaintcore.ConcurrencyConflictError(
        "C-20251114-0001", 3, 4
    ),
    "HookError": lambda: HookError("staff.member", "raised ConnectionError"),
    "UnknownComplaintError": lambda: UnknownComplaintError(PHONE),
    "RulePackError": lambda: complaintcore.RulePackError(
        "pack.toml", [FieldProblem(f"clocks[{i}].name", "missing") for i in range(7)]
    ),
    "SerializationError": lambda: complaintcore.SerializationError(
        "staff file", [FieldProblem("staff[0].phone", "not a phone number")]
    ),
    "StoreError": lambda: StoreError("desk.sqlite3", "the disk is full", transient=True),
    "ConnectionLostError": lambda: _LOST,
    "MembersLeftUnlinkedError": lambda: complaintcore.MembersLeftUnlinkedError(
        "I-C-20251114-2a3b1c0f3e9d8a7b",
        ["C-20251114-0001", "C-20251114-0002"],
        StoreError("desk.sqlite3", "is locked", transient=True),
        unread=True,
    ),
    "DamagedRecordError": lambda: complaintcore.DamagedRecordError(
        "C-20251114-0001", "events", "desk.sqlite3"
    ),
    "UnknownTenantError": lambda: complaintcore.UnknownTenantError("desk.sqlite3", "acme"),
    "SchemaVersionError": _schema_error,
    "CalendarError": lambda: complaintcore.CalendarError("no table for 2031"),
    "NoWorkingTimeError": lambda: complaintcore.NoWorkingTimeError(
        "no working time before 2031", extra={"years": (2025, 2030), "refused": False}
    ),
    "EventVersionError": lambda: complaintcore.EventVersionError(
        "Registered", 4, 2, "upgrade complaintcore"
    ),
    "PluginError": lambda: PluginError(
        module_plugin,
        "plugin memory_store: complaintcore_nothing is not a hook",
        entry_point="mem = complaintcore.adapters.memory_store",
        distribution="complaintcore",
        version="1.0",
        cause="ImportError: no module named x",
    ),
    "SendTimeoutError": lambda: complaintcore.SendTimeoutError(2.5, busy=True),
    "NotificationError": lambda: NotificationError(
        "webhook", "C-20251114-0001:ack", "HTTP 400", status=400, retryable=False
    ),
    "NotFoundError": lambda: NotFoundError("desk.toml", "does not exist"),
    "EnvironmentVariableError": lambda: EnvironmentVariableError(
        "COMPLAINTCORE_NOW", "COMPLAINTCORE_NOW: expected an ISO date-time like 2025-11-14T17:30"
    ),
    "_Down": _down,
    "SweepFailed": lambda: SweepFailed(_report(), _schema_error()),
    "SweepInterrupted": lambda: SweepInterrupted(_report()),
    "CommittedInterrupt": lambda: complaintcore.CommittedInterrupt(_committed()),
    "SweepClosed": lambda: complaintcore.SweepClosed(_report()),
    "ClosedError": lambda: complaintcore.ClosedError("desk"),
    "DuplicateIdError": lambda: complaintcore.DuplicateIdError("complaint_id"),
    "SendCutOff": lambda: SendCutOff("the send took longer than 30 s"),
    "DemoExistsError": lambda: DemoExistsError(Path("demo/desk.sqlite3"), "is a real desk"),
    "TomlError": lambda: TomlError("Expected '=' after a key (at line 3, column 5)"),
    "HolidayDataWarning": lambda: complaintcore.HolidayDataWarning("no make-up days for 2031"),
}
"""One instance of every public error, by class name (a new error needs one here)."""

MORE: list[Callable[[], BaseException]] = [
    # the other shapes of the same classes
    lambda: complaintcore.IllegalTransitionError("C-20251114-0001", "closed", "reply", "closed"),
    lambda: SweepFailed.of(_report(), _LOST),
    lambda: PluginError(_HostPlugin(), "plugin _HostPlugin is passed in twice"),
    lambda: PluginError("mem", "installed plugin 'mem' is also installed as x"),
    lambda: SchemaVersionError(1, 3, "db", reason="older; ask its owner"),
]


def _library_modules() -> Iterator[Any]:
    for info in pkgutil.walk_packages(complaintcore.__path__, "complaintcore."):
        yield importlib.import_module(info.name)


def _every_error_class() -> set[type[BaseException]]:
    """Every subclass of the library's base error defined in the library (private ones
    too), and every other exception class a library module names publicly."""
    modules = list(_library_modules())
    found: set[type[BaseException]] = set()
    family: list[type[BaseException]] = [ComplaintCoreError]
    while family:
        kind = family.pop()
        family.extend(kind.__subclasses__())
        if kind.__module__.startswith("complaintcore") and not (
            issubclass(kind, SweepFailed) and kind is not SweepFailed  # SweepFailed.of's
        ):
            found.add(kind)
    for module in modules:
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__.startswith("complaintcore")
                and not name.startswith("_")
            ):
                found.add(value)
    return found


def _examples() -> list[BaseException]:
    return [make() for make in EXAMPLES.values()] + [make() for make in MORE]


def _store_error_examples() -> list[StoreError]:
    return [e for e in _examples() if isinstance(e, StoreError) and not isinstance(e, SweepFailed)]


def _same(a: Any, b: Any) -> bool:
    """Equal as far as a host can tell: the same class, message and public attributes,
    nested errors (which compare by identity) compared the same way."""
    if isinstance(a, BaseException):
        return (
            type(a) is type(b)
            and str(a) == str(b)
            and _same(a.args, b.args)
            and _same(_public(a), _public(b))
        )
    if attrs.has(type(a)):
        return type(a) is type(b) and _same(
            attrs.asdict(a, recurse=False), attrs.asdict(b, recurse=False)
        )
    if isinstance(a, tuple | list):
        return (
            type(a) is type(b)
            and len(a) == len(b)
            and all(_same(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


_ABSENT = object()
"""An attribute an error does not have set (``OSError.characters_written``)."""


def _public(error: BaseException) -> dict[str, object]:
    """The error's public data attributes, its properties (``.fields``) included."""
    seen: dict[str, object] = {}
    for name in dir(error):
        if name.startswith("_") or name == "args":
            continue
        value = getattr(error, name, _ABSENT)
        if not callable(value):
            seen[name] = value
    return seen


# ----------------------------------------------------------------------------- F01


def test_every_error_class_has_an_example() -> None:
    """A new error class fails here until it has an example below (and so is tested)."""
    named = {type(e) for e in _examples()}
    missing = sorted(f"{k.__module__}.{k.__qualname__}" for k in _every_error_class() - named)
    assert missing == []


@pytest.mark.parametrize(
    "make", [*EXAMPLES.values(), *MORE], ids=[*EXAMPLES, *map(str, range(len(MORE)))]
)
@pytest.mark.parametrize("protocol", [0, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL])
def test_every_error_round_trips_through_pickle(
    make: Callable[[], BaseException], protocol: int
) -> None:
    error = make()
    back = pickle.loads(pickle.dumps(error, protocol))
    assert _same(back, error)


@pytest.mark.parametrize("how", [copy.copy, copy.deepcopy])
@pytest.mark.parametrize(
    "make", [*EXAMPLES.values(), *MORE], ids=[*EXAMPLES, *map(str, range(len(MORE)))]
)
def test_every_error_survives_copy_and_deepcopy(
    make: Callable[[], BaseException], how: Callable[[BaseException], BaseException]
) -> None:
    error = make()
    again = how(error)
    assert again is not error
    assert _same(again, error)


def test_a_store_error_keeps_transient_and_a_module_plugin_stays_itself() -> None:
    lost = pickle.loads(pickle.dumps(_LOST))
    assert lost.transient is True
    assert pickle.loads(pickle.dumps(StoreError("db", "corrupt"))).transient is False
    plugin_error = EXAMPLES["PluginError"]()
    assert isinstance(plugin_error, PluginError)
    assert pickle.loads(pickle.dumps(plugin_error)).plugin is module_plugin
    assert copy.deepcopy(plugin_error).plugin is module_plugin


class _LockedPlugin:
    """A plugin instance holding a lock (or a connection): no pickle takes it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()


def test_a_plugin_error_about_an_unpicklable_plugin_instance_says_so_when_pickled() -> None:
    """The documented limit: the plugin goes by value, as pickle sends any object."""
    plugin = _LockedPlugin()
    error = PluginError(plugin, "plugin _LockedPlugin is passed in twice")
    with pytest.raises(TypeError, match="lock"):
        pickle.dumps(error)
    assert copy.copy(error).plugin is plugin
    assert str(copy.copy(error)) == str(error)


@pytest.mark.parametrize("store_error", _store_error_examples(), ids=lambda e: type(e).__name__)
def test_a_sweep_failed_keeps_its_report_and_the_store_errors_class(
    store_error: StoreError,
) -> None:
    failed = SweepFailed.of(_report(), store_error)
    try:
        raise failed from store_error
    except SweepFailed as raised:
        failed = raised
    for back in (pickle.loads(pickle.dumps(failed)), copy.copy(failed), copy.deepcopy(failed)):
        assert isinstance(back, SweepFailed)
        assert isinstance(back, type(store_error))
        assert type(back) is type(failed)
        assert _same(back.report, failed.report)
        assert back.report.examined == 4
        assert _same(back.error, store_error)
        assert back.__cause__ is back.error
        assert back.transient == store_error.transient
        assert str(back) == str(store_error)


def _raise(error: BaseException) -> None:
    raise error


def test_an_error_raised_in_a_worker_process_arrives_as_itself() -> None:
    errors = [e for e in _examples() if not isinstance(e, KeyboardInterrupt | Warning)]
    errors.append(SweepFailed.of(_report(), _LOST))
    # spawn: the worker imports complaintcore afresh, and makes SweepFailed.of's class anew
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        futures = [pool.submit(_raise, error) for error in errors]
        arrived = [f.exception(timeout=120) for f in futures]
    for error, back in zip(errors, arrived, strict=True):
        assert _same(back, error), type(error)
    assert isinstance(arrived[-1], ConnectionLostError)


@pytest.mark.procedure("PRV-1")
def test_a_pickled_error_holds_no_more_than_the_error() -> None:
    """The host's exception behind a HookError may quote a complainant's phone: the
    pickled HookError (its message names the type only) holds no trace of it."""
    try:
        try:
            raise ConnectionError(f"directory down while looking up {PHONE}")
        except ConnectionError as exc:
            raise HookError("staff.member", "raised ConnectionError") from exc
    except HookError as raised:
        error = raised
    for protocol in (0, pickle.HIGHEST_PROTOCOL):
        assert PHONE.encode() not in pickle.dumps(error, protocol)
    assert copy.deepcopy(error).__cause__ is None
    unknown = pickle.loads(pickle.dumps(UnknownComplaintError(PHONE)))
    assert PHONE not in str(unknown)  # still masked, as before it was pickled
    assert unknown.complaint_id == PHONE  # the value as given, which it held


# ----------------------------------------------------------------------------- F02


def test_schema_version_error_is_importable_from_the_top_and_is_the_stores_class() -> None:
    from complaintcore.adapters import postgres_store, sqlite_store
    from complaintcore.core import errors

    top = complaintcore.SchemaVersionError
    assert "SchemaVersionError" in complaintcore.__all__
    assert top is sqlite_store.SchemaVersionError
    assert top is postgres_store.SchemaVersionError
    assert top is errors.SchemaVersionError
    assert issubclass(top, StoreError)
    assert issubclass(top, RuntimeError)


def test_importing_schema_version_error_from_the_top_loads_no_adapter() -> None:
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from complaintcore import SchemaVersionError\n"
        "print(SchemaVersionError.__module__, 'complaintcore.adapters' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["complaintcore.core.errors", "False"]


def test_the_error_docs_list_schema_version_error() -> None:
    docs = Path(__file__).parents[2] / "docs"
    assert "::: complaintcore.SchemaVersionError" in (docs / "api" / "errors.md").read_text(
        encoding="utf-8"
    )
