"""Review s50F: a host's slips are named where they are made.

F01: a complaint id of the wrong type (a JSON body's ``null``, ``5``, ``["C-1"]``)
is an ``InvalidInputError`` naming ``complaint_id`` on every store, not a
``StoreError`` (SQLite), a raw ``TypeError`` (memory) or "no complaint with id
'NoneType'".  F03: a plugin passed to ``make_plugin_manager`` as its dotted path,
``None`` or a number, or one implementing no hook, is refused with ``PluginError``.
F04: a ``complaintcore_on_events`` listener that is a generator function (a
``yield`` left in it) is refused, and one registered after the checks is logged.

Expected texts are written by hand from docs/hooks.md and docs/api/errors.md.
"""

from __future__ import annotations

import logging
import types
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from complaintcore import Desk, InvalidInputError, StoreError, hookimpl, make_plugin_manager
from complaintcore.adapters.calendars import calendar_for_spec
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.models import Complaint, Event, Intake
from complaintcore.core.workflow import Assess
from complaintcore.desk.plugins import PluginError
from complaintcore.rules import load_pack
from complaintcore.testing import MemoryStore
from tests.helpers import SH, desk_on, intake

T0 = datetime(2025, 11, 10, 9, 30, tzinfo=SH)  # a Monday, within working hours


def _intake() -> Intake:
    return intake(received_at=T0, receiver="SR-103")  # a receiver of the sample staff


# --------------------------------------------------------------------------- F01

BAD_IDS = [
    (None, "expected text, got NoneType"),
    (5, "expected text, got int"),
    (["C-1"], "expected text, got list"),
    ({"id": 1}, "expected text, got dict"),
    (b"C-1", "expected text, got bytes"),
    ("", "must be a non-empty string"),
    ("  ", "must be a non-empty string"),
]

READS: dict[str, Callable[[Desk, Any], object]] = {
    "get": lambda d, cid: d.get(cid),
    "act": lambda d, cid: d.act(cid, Assess(actor="SR-201", validity="valid"), now=T0),
    "clocks": lambda d, cid: d.clocks(cid, T0),
    "duties": lambda d, cid: d.duties(cid, T0),
    "measures": lambda d, cid: d.measures(cid, T0),
    "outstanding_sanction": lambda d, cid: d.outstanding_sanction(cid),
    "view": lambda d, cid: d.view(cid, "SR-201", now=T0),
}


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Desk]:
    with desk_on(request.param, request, tmp_path) as d:
        yield d


@pytest.mark.parametrize("method", sorted(READS))
def test_a_complaint_id_that_is_not_text_is_an_input_error_naming_it(
    desk: Desk, method: str
) -> None:
    """docs/api/errors.md: one family, messages naming the field; ``StoreError`` is for
    the storage failing, not for a client's malformed request."""
    stored = desk.receive(_intake(), now=T0)
    for bad, reason in BAD_IDS:
        with pytest.raises(InvalidInputError) as err:
            READS[method](desk, bad)
        assert not isinstance(err.value, StoreError)
        assert (err.value.path, str(err.value)) == ("complaint_id", f"complaint_id: {reason}")
    assert desk.get(stored.id).version == stored.version  # nothing was written


# --------------------------------------------------------------------------- F03


class Directory:
    @hookimpl
    def complaintcore_get_staff_directory(self, config: object) -> None:
        return None


@pytest.mark.parametrize(
    ("plugin", "message"),
    [
        (
            "acme_complaints.plugin",
            "plugin 'acme_complaints.plugin' is a str, not a plugin; import it and pass it"
            " (from acme_complaints import plugin), or install it as an entry point",
        ),
        (
            "acme_complaints.plugin:Directory",
            "plugin 'acme_complaints.plugin:Directory' is a str, not a plugin; import it and"
            " pass it (from acme_complaints.plugin import Directory), or install it as an"
            " entry point",
        ),
        (
            "acme",
            "plugin 'acme' is a str, not a plugin; import it and pass it (import acme), or"
            " install it as an entry point",
        ),
        ("not a module name", "plugin 'not a module name' is a str, not a plugin"),
        (
            b"acme.plugin",
            "plugin 'acme.plugin' is a bytes, not a plugin; import it and pass it"
            " (from acme import plugin), or install it as an entry point",
        ),
        (
            None,
            "NoneType passed for a plugin; pass a module or an object whose hook functions"
            " are marked @hookimpl",
        ),
        (
            42,
            "int passed for a plugin; pass a module or an object whose hook functions are"
            " marked @hookimpl",
        ),
    ],
)
def test_a_plugin_passed_as_a_name_none_or_a_number_is_refused(
    plugin: object, message: str
) -> None:
    """docs/hooks.md: a plugin slip is never silent; pluggy would register a text as an
    empty plugin and the host's store or directory would never be asked."""
    with pytest.raises(PluginError) as err:
        make_plugin_manager([Directory(), plugin], load_entry_points=False)
    assert str(err.value) == message


class Unmarked:
    """Its hook functions lack @hookimpl: pluggy does not see them at all."""

    def complaintcore_get_store(self, config: object) -> None:
        return None

    def complaintcore_on_events(self, complaint: Complaint, events: Sequence[Event]) -> None:
        return None


class Settings:
    database = "acme.sqlite3"


def test_a_plugin_implementing_no_hook_is_refused_naming_what_lacks_hookimpl() -> None:
    with pytest.raises(PluginError) as err:
        make_plugin_manager([Unmarked()], load_entry_points=False)
    assert str(err.value) == (
        "plugin Unmarked implements no complaintcore hook (complaintcore_get_store,"
        " complaintcore_on_events are not marked @hookimpl)"
    )
    settings = types.ModuleType("acme_settings")
    for plugin, label in ((Settings(), "Settings"), (settings, "acme_settings")):
        with pytest.raises(PluginError) as err:
            make_plugin_manager([plugin], load_entry_points=False)
        assert str(err.value) == (
            f"plugin {label} implements no complaintcore hook (no function of it is a"
            " complaintcore hook marked @hookimpl)"
        )


def test_a_plugin_with_a_hook_is_still_taken() -> None:
    plugin = Directory()
    pm = make_plugin_manager([plugin], load_entry_points=False)
    assert pm.is_registered(plugin)


# --------------------------------------------------------------------------- F04


class GeneratorListener:
    def __init__(self) -> None:
        self.heard: list[str] = []

    @hookimpl
    def complaintcore_on_events(
        self, complaint: Complaint, events: Sequence[Event]
    ) -> Iterator[None]:
        self.heard.extend(e.kind for e in events)  # never runs: calling it makes a generator
        yield from ()


class Listener:
    def __init__(self) -> None:
        self.heard: list[str] = []

    @hookimpl
    def complaintcore_on_events(self, complaint: Complaint, events: Sequence[Event]) -> None:
        self.heard.extend(e.kind for e in events)


class GeneratorClassifier:
    @hookimpl
    def complaintcore_classify(self, complaint: Complaint, pack: object) -> Iterator[None]:
        yield None


@pytest.mark.parametrize(
    ("plugin", "hook"),
    [
        (GeneratorListener(), "complaintcore_on_events"),
        (GeneratorClassifier(), "complaintcore_classify"),
    ],
)
def test_a_generator_function_hook_is_refused(plugin: object, hook: str) -> None:
    """docs/hooks.md: an implementation must be a plain function; one whose body never
    runs is refused naming the plugin and the hook, as an ``async def`` one is."""
    with pytest.raises(PluginError) as err:
        make_plugin_manager([plugin], load_entry_points=False)
    assert str(err.value) == (
        f"plugin {type(plugin).__name__}: {hook} is a generator function (it yields);"
        " complaintcore calls hooks synchronously and would never run its body (make it a"
        " plain function: return instead of yield)"
    )


def _desk(pm: Any) -> Desk:
    pack = load_pack("cn-property")
    return Desk(
        pack=pack,
        store=MemoryStore(),
        directory=load_sample_staff(pack=pack),
        calendar=calendar_for_spec(pack.calendar),
        plugin_manager=pm,
    )


def test_a_generator_listener_registered_later_is_logged_and_the_others_hear(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """docs/hooks.md: a listener that did none of its work is logged naming its plugin
    (as one handing back an awaitable is); the other listeners still hear."""
    heard = Listener()
    pm = make_plugin_manager([heard], load_entry_points=False)
    with _desk(pm) as desk:
        late = GeneratorListener()
        pm.register(late)  # after every check: only the call can tell
        with caplog.at_level(logging.ERROR, logger="complaintcore.desk"):
            complaint = desk.receive(_intake(), now=T0)
    assert late.heard == []
    assert heard.heard == ["registered", "classified", "assigned"]  # intake's three events
    assert (
        f"complaintcore_on_events failed for {complaint.id} in plugin GeneratorListener:"
        " the listener answered with a generator (a yield in a plain hook?); complaintcore"
        " calls hooks synchronously and never runs its body"
    ) in caplog.messages
