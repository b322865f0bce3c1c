"""Plugins: an installed entry point replaces the built-in store and directory.

The plugin is the tiny distribution in ``tests/plugin_dist``.  Rather than
pip-installing it (slow, and it would stay in the venv for every other test),
each test "installs" it into its own temporary site directory: the package is
copied there next to a ``*.dist-info`` directory whose ``entry_points.txt`` is
written from the distribution's ``pyproject.toml``.  That directory is put on
``sys.path``, which is all ``importlib.metadata`` (and so pluggy's
``load_setuptools_entrypoints``) looks at.  When hatchling is importable, one
test builds the real wheel and installs that instead, checking the two agree.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import logging
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
import tomllib
import zipfile
from collections.abc import Generator, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import pluggy
import pytest

from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.adapters.staff import load_sample_staff
from complaintcore.core.errors import AccessDeniedError, HookError, RulePackError
from complaintcore.core.models import Complainant, Complaint, Intake
from complaintcore.desk import Desk
from complaintcore.desk.config import DeskConfig
from complaintcore.desk.hookspecs import hookimpl
from complaintcore.desk.plugins import ENTRY_POINT_GROUP, PluginError, make_plugin_manager
from complaintcore.rules import load_pack
from complaintcore.testing import MemoryStore, RecordingNotifier, StaffList
from tests.helpers import SH

PLUGIN_DIST = Path(__file__).resolve().parents[1] / "plugin_dist"
PLUGIN_PACKAGE = "complaintcore_testplugin"
DIST_NAME = "complaintcore-testplugin"
T0 = datetime(2025, 11, 10, 9, 30, tzinfo=SH)  # a Monday, within working hours


def declared_entry_points() -> dict[str, str]:
    """``[project.entry-points.complaintcore]`` of the test distribution."""
    project = tomllib.loads((PLUGIN_DIST / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(project["project"]["entry-points"][ENTRY_POINT_GROUP])


def intake(receiver: str = "TP-101") -> Intake:
    return Intake(
        complainant=Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise"),
        channel="phone",
        received_at=T0,
        receiver=receiver,
        summary="楼上漏水，天花板渗水",
        site="sunrise",
    )


class Site:
    """A temporary site-packages directory on ``sys.path``, for one test."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def install(
        self,
        dist_name: str,
        entry_points: Mapping[str, str],
        *,
        version: str = "0.1.0",
        package: Path | None = None,
        modules: Mapping[str, str] | None = None,
    ) -> Path:
        """Write ``<name>-<version>.dist-info`` with the entry points, plus the code.

        ``package`` is a package directory to copy in; ``modules`` maps module
        names to their source text.
        """
        if package is not None:
            shutil.copytree(
                package, self.root / package.name, ignore=shutil.ignore_patterns("__pycache__")
            )
        for name, source in (modules or {}).items():
            (self.root / f"{name}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = self.root / f"{dist_name.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {dist_name}\nVersion: {version}\n", encoding="utf-8"
        )
        lines = [f"[{ENTRY_POINT_GROUP}]", *(f"{k} = {v}" for k, v in entry_points.items())]
        (info / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        importlib.invalidate_caches()
        return info


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    """Code and metadata installed here vanish after the test, modules included."""
    root = tmp_path / "site-packages"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))  # undone by monkeypatch after this fixture
    before = set(sys.modules)
    yield Site(root)
    for name in set(sys.modules) - before:
        file = getattr(sys.modules[name], "__file__", None) or ""
        if file.startswith(str(root)):
            del sys.modules[name]
    importlib.invalidate_caches()


@pytest.fixture
def installed(site: Site) -> Site:
    """The test distribution, installed through its declared entry point."""
    site.install(DIST_NAME, declared_entry_points(), package=PLUGIN_DIST / "src" / PLUGIN_PACKAGE)
    return site


class SampleStaff:
    """A host's plugin: the packaged sample staff as the directory."""

    @hookimpl
    def complaintcore_get_staff_directory(self) -> StaffList:
        return load_sample_staff()


def _plugin(pm: pluggy.PluginManager) -> Any:
    plugin = pm.get_plugin("testplugin")
    assert isinstance(plugin, ModuleType), "the entry-point plugin was not loaded"
    return plugin


# --------------------------------------------------------------------------- loading


def test_the_distribution_declares_its_entry_point_in_the_complaintcore_group() -> None:
    assert declared_entry_points() == {"testplugin": PLUGIN_PACKAGE}


@pytest.mark.usefixtures("installed")
def test_make_plugin_manager_loads_the_installed_plugin() -> None:
    pm = make_plugin_manager()
    plugin = _plugin(pm)
    assert plugin.__name__ == PLUGIN_PACKAGE
    assert [d.project_name for p, d in pm.list_plugin_distinfo() if p is plugin] == [DIST_NAME]
    assert pm.get_plugin("complaintcore.builtin") is not None


@pytest.mark.usefixtures("installed")
def test_the_plugin_replaces_the_store_and_the_directory(tmp_path: Path) -> None:
    database = tmp_path / "builtin.sqlite3"
    pm = make_plugin_manager()
    plugin = _plugin(pm)
    with Desk.from_config({"database": str(database)}, plugin_manager=pm) as desk:
        assert isinstance(desk.store, plugin.PluginStore)
        assert isinstance(desk.store.config, DeskConfig)
        assert isinstance(desk.directory, plugin.PluginStaff)
        complaint = desk.receive(intake("TP-101"), now=T0)  # known only to the plugin
        assert complaint.state.handler == "TP-201"
        assert desk.store.load(complaint.id) == complaint
    # first result: the built-in SQLite store was never asked, so made no file
    assert not database.exists()


@pytest.mark.usefixtures("installed")
def test_the_plugin_hears_events_and_adds_a_channel_beside_the_builtin_one() -> None:
    pm = make_plugin_manager()
    plugin = _plugin(pm)
    desk = Desk.from_config({"database": ":memory:"}, plugin_manager=pm)
    assert set(desk.notifiers) == {"log", plugin.NOTIFIER_NAME}  # all results are used
    complaint = desk.receive(intake(), now=T0)
    heard = plugin.HEARD
    assert heard == [(complaint.id, ("registered", "classified", "assigned"))]
    recording = desk.notifiers[plugin.NOTIFIER_NAME]
    assert isinstance(recording, RecordingNotifier)
    assert recording.topics(complaint.id) == []  # intake only queues
    desk.deliver(T0)
    assert recording.topics(complaint.id) == ["assigned"]


@pytest.mark.usefixtures("installed")
def test_the_plugin_registers_a_rule_pack() -> None:
    desk = Desk.from_config({"database": ":memory:", "pack": "testplugin-pack"})
    assert desk.pack.name == "testplugin-pack"


@pytest.mark.usefixtures("installed")
def test_a_plugin_answering_none_lets_the_builtins_answer() -> None:
    pm = make_plugin_manager()
    plugin = _plugin(pm)
    desk = Desk.from_config(
        {"database": ":memory:", "plugins": {"testplugin": "off"}}, plugin_manager=pm
    )
    assert type(desk.store) is MemoryStore
    assert type(desk.directory) is StaffList
    assert set(desk.notifiers) == {"log"}
    with pytest.raises(AccessDeniedError, match="unknown actor"):
        desk.receive(intake("TP-101"), now=T0)
    assert plugin.HEARD == []


@pytest.mark.usefixtures("installed")
def test_load_entry_points_false_skips_installed_plugins() -> None:
    pm = make_plugin_manager(load_entry_points=False)
    assert pm.get_plugin("testplugin") is None
    assert PLUGIN_PACKAGE not in sys.modules
    desk = Desk.from_config({"database": ":memory:"}, plugin_manager=pm)
    assert type(desk.store) is MemoryStore
    assert desk.directory.members() == ()
    with pytest.raises(RulePackError) as err:
        Desk.from_config({"database": ":memory:", "pack": "testplugin-pack"}, plugin_manager=pm)
    # not registered, so no pack of that name: masked as any unknown name is (PRV-1)
    assert "no shipped rule pack 't**************'" in str(err.value)


@pytest.mark.usefixtures("installed")
def test_plugins_passed_in_answer_before_installed_ones() -> None:
    """pluggy calls the last registered first; the host's plugins are registered last.

    docs/hooks.md ("Who answers first") describes this order.
    """
    passed_in = MemoryStore()

    class Host:
        @hookimpl
        def complaintcore_get_store(self, config: DeskConfig) -> MemoryStore:
            return passed_in

    host = Host()
    pm = make_plugin_manager([host])
    assert pm.hook.complaintcore_get_store(config=DeskConfig(database=":memory:")) is passed_in
    pm.unregister(host)
    store = pm.hook.complaintcore_get_store(config=DeskConfig(database=":memory:"))
    assert isinstance(store, _plugin(pm).PluginStore)


class HostPack:
    """A host's own ``testplugin-pack`` (cn-property under its own version)."""

    def __init__(self) -> None:
        base = load_pack("cn-property")
        self.pack = attrs.evolve(base, name="testplugin-pack", version="host")

    @hookimpl
    def complaintcore_register_rule_packs(self, register: Any) -> None:
        register("testplugin-pack", self.pack)


@pytest.mark.usefixtures("installed")
def test_a_pack_the_host_passes_in_is_kept_over_an_installed_plugins_of_that_name(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Review s45D F04: the installed plugin registers after the host's (pluggy asks
    the host's first) and its pack replaced the host's silently: another procedure,
    other deadlines.  hooks.md ("Who answers first"): the host knows best.  The first
    registration is kept; the later one is logged, naming both plugins, not the pack."""
    host = HostPack()
    pm = make_plugin_manager([host])
    config = {"database": str(tmp_path / "desk.sqlite3"), "pack": "testplugin-pack"}
    with caplog.at_level(logging.WARNING, logger="complaintcore.desk"):
        desk = Desk.from_config(config, plugin_manager=pm)
    with desk:
        assert desk.pack is host.pack
    [record] = [r for r in caplog.records if "register_rule_packs" in r.getMessage()]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        "complaintcore_register_rule_packs: plugin complaintcore_testplugin registered pack"
        " 'testplugin-pack', which plugin HostPack registered first; the first is kept and"
        " this one ignored"
    )


def test_of_two_plugins_passed_in_the_one_asked_first_keeps_its_pack() -> None:
    """As for a first-result hook: of ``[a, b]`` the last passed is asked first."""
    a, b = HostPack(), HostPack()
    pm = make_plugin_manager([a, b], load_entry_points=False)
    desk = Desk.from_config({"database": ":memory:", "pack": "testplugin-pack"}, plugin_manager=pm)
    assert desk.pack is b.pack


def test_the_builtins_are_registered_trylast() -> None:
    """So a host plugin wins however it is registered; they are called last."""
    pm = make_plugin_manager(load_entry_points=False)
    builtin = pm.get_plugin("complaintcore.builtin")
    impls = [
        (caller.name, impl)
        for caller in pm.get_hookcallers(builtin) or []
        for impl in caller.get_hookimpls()
        if impl.plugin is builtin
    ]
    assert {name for name, _ in impls} == {
        "complaintcore_get_store",
        "complaintcore_get_staff_directory",
        "complaintcore_get_calendar",
        "complaintcore_get_notifiers",
    }
    assert all(impl.trylast for _, impl in impls)


# --------------------------------------------------------------------------- misspellings


MISSPELT = """
    from complaintcore.desk.hookspecs import hookimpl

    @hookimpl
    def complaintcore_get_stor(config):
        raise AssertionError("never called")
"""


def test_a_misspelt_hook_in_an_installed_plugin_is_refused(site: Site) -> None:
    site.install(
        "cc-test-misspelt", {"misspelt": "cc_test_misspelt"}, modules={"cc_test_misspelt": MISSPELT}
    )
    with pytest.raises(PluginError, match="unknown hook 'complaintcore_get_stor'"):
        make_plugin_manager()
    make_plugin_manager(load_entry_points=False)  # not loaded, not checked


# --------------------------------------------------------------------------- no hook


UNMARKED = """
    def complaintcore_on_events(complaint, events):
        raise AssertionError("never called: not marked @hookimpl")
"""

NOTFY = """
    from complaintcore.desk.hookspecs import hookimpl

    def complaintcore_notfy(complaint, events):
        raise AssertionError("never called: no such hook")
"""


def test_an_installed_plugin_whose_hook_lacks_hookimpl_is_refused_naming_its_distribution(
    site: Site,
) -> None:
    """Review s51C F01: a plugin passed in that implements no hook is refused (s50F F03);
    one installed through the entry point group was loaded silently as an empty plugin,
    its listener never called."""
    site.install(
        "cc-test-unmarked", {"unmarked": "cc_test_unmarked"}, modules={"cc_test_unmarked": UNMARKED}
    )
    with pytest.raises(PluginError) as err:
        make_plugin_manager()
    assert str(err.value) == (
        "installed plugin 'unmarked' (entry point unmarked = cc_test_unmarked of distribution"
        " cc-test-unmarked 0.1.0) implements no complaintcore hook (complaintcore_on_events is"
        " not marked @hookimpl); mark its hook functions @hookimpl, or uninstall the"
        " distribution"
    )
    assert (err.value.plugin, err.value.entry_point) == ("unmarked", "unmarked = cc_test_unmarked")
    assert (err.value.distribution, err.value.version, err.value.cause) == (
        "cc-test-unmarked",
        "0.1.0",
        "",
    )
    assert err.value.no_hook == "complaintcore_on_events is not marked @hookimpl"
    assert pickle.loads(pickle.dumps(err.value)).no_hook == err.value.no_hook
    make_plugin_manager(load_entry_points=False)  # not loaded, not checked


def test_an_installed_plugin_with_a_misspelt_unmarked_hook_is_refused_naming_the_hook_meant(
    site: Site,
) -> None:
    site.install("cc-test-notfy", {"notfy": "cc_test_notfy"}, modules={"cc_test_notfy": NOTFY})
    with pytest.raises(PluginError) as err:
        make_plugin_manager()
    assert str(err.value) == (
        "installed plugin 'notfy' (entry point notfy = cc_test_notfy of distribution"
        " cc-test-notfy 0.1.0) implements no complaintcore hook (complaintcore_notfy is not a"
        " complaintcore hook (did you mean complaintcore_get_notifiers?)); mark its hook"
        " functions @hookimpl, or uninstall the distribution"
    )


def test_an_empty_installed_plugin_is_refused_and_a_working_one_still_loads(site: Site) -> None:
    site.install("cc-test-empty", {"empty": "cc_test_empty"}, modules={"cc_test_empty": "x = 1\n"})
    with pytest.raises(PluginError, match=r"\(no function of it is a complaintcore hook marked"):
        make_plugin_manager()
    shutil.rmtree(site.root / "cc_test_empty-0.1.0.dist-info")
    importlib.invalidate_caches()
    site.install(DIST_NAME, declared_entry_points(), package=PLUGIN_DIST / "src" / PLUGIN_PACKAGE)
    assert [d.project_name for _, d in make_plugin_manager().list_plugin_distinfo()] == [DIST_NAME]


def test_the_command_line_reports_an_installed_plugin_without_hooks_in_one_line(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from complaintcore.cli import main

    monkeypatch.chdir(tmp_path)
    env = {"COMPLAINTCORE_NOW": "2025-11-14T10:00:00+08:00"}
    runner = CliRunner()
    assert runner.invoke(main, ["init", "."], env=env).exit_code == 0
    site.install(
        "cc-test-unmarked", {"unmarked": "cc_test_unmarked"}, modules={"cc_test_unmarked": UNMARKED}
    )
    result = runner.invoke(main, ["--lang", "en", "list"], env=env)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr.startswith("error: installed plugin 'unmarked' (entry point unmarked")
    assert "Traceback" not in result.output + result.stderr
    result = runner.invoke(main, ["--lang", "zh", "list"], env=env)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].endswith(
        "已安装的插件 'unmarked'（发行包 cc-test-unmarked 0.1.0 的入口点"
        " unmarked = cc_test_unmarked）没有实现任何 complaintcore 钩子"
        "（complaintcore_on_events 未标记 @hookimpl）；"
        "请为它的钩子函数标记 @hookimpl，或卸载该发行包"
    )


# --------------------------------------------------------------------------- unimportable


BROKEN = """
    import cc_test_sms_vendor_sdk  # the plugin's own dependency, not installed
"""

BROKEN_MESSAGE = (
    "installed plugin 'broken' (entry point broken = cc_test_broken of distribution"
    " cc-test-broken 0.1.0) cannot be imported: ModuleNotFoundError: No module named"
    " 'cc_test_sms_vendor_sdk'; install what it needs, or uninstall cc-test-broken"
)


def test_an_installed_plugin_that_fails_to_import_is_named_with_its_distribution(
    site: Site,
) -> None:
    """Review s32D f05: the bare ModuleNotFoundError named only the missing module, not
    the plugin that needs it nor the distribution to fix or uninstall."""
    site.install("cc-test-broken", {"broken": "cc_test_broken"}, modules={"cc_test_broken": BROKEN})
    with pytest.raises(PluginError) as err:
        make_plugin_manager()
    assert str(err.value) == BROKEN_MESSAGE
    assert (err.value.plugin, err.value.entry_point) == ("broken", "broken = cc_test_broken")
    assert (err.value.distribution, err.value.version) == ("cc-test-broken", "0.1.0")
    assert err.value.cause == "ModuleNotFoundError: No module named 'cc_test_sms_vendor_sdk'"
    assert isinstance(err.value.__cause__, ModuleNotFoundError)
    make_plugin_manager(load_entry_points=False)  # not imported, not refused


def test_an_entry_point_naming_an_object_its_module_lacks_is_named_too(site: Site) -> None:
    site.install(
        "cc-test-noattr", {"noattr": "cc_test_noattr:plugin"}, modules={"cc_test_noattr": "x = 1\n"}
    )
    with pytest.raises(PluginError) as err:
        make_plugin_manager()
    assert str(err.value) == (  # an AttributeError's text is not quoted (review s45D F05)
        "installed plugin 'noattr' (entry point noattr = cc_test_noattr:plugin of distribution"
        " cc-test-noattr 0.1.0) cannot be imported: AttributeError; install what it needs,"
        " or uninstall cc-test-noattr"
    )


@pytest.mark.usefixtures("installed")
def test_a_working_plugin_beside_it_changes_nothing(site: Site) -> None:
    """The installed test plugin still loads once, from its distribution, as before."""
    pm = make_plugin_manager()
    assert [d.project_name for p, d in pm.list_plugin_distinfo()] == [DIST_NAME]
    site.install("cc-test-broken", {"broken": "cc_test_broken"}, modules={"cc_test_broken": BROKEN})
    with pytest.raises(PluginError, match="entry point broken = cc_test_broken"):
        make_plugin_manager()


CHATTY = """
    raise ImportError(
        "vendor SDK not configured:\\n  set SMS_KEY and SMS_SECRET\\n" + "-" * 300
    )
"""


def test_an_unimportable_plugins_long_message_is_one_line_of_its_first_200_characters(
    site: Site,
) -> None:
    """docs/cli.md: an error is one line.  A plugin's import error of three lines and
    356 characters is said on one, its whitespace runs as single spaces, its first
    200 characters: 26 + 27 + 1 of words and spaces, then 146 of its 300 dashes
    (review s32G L05)."""
    site.install("cc-test-chatty", {"chatty": "cc_test_chatty"}, modules={"cc_test_chatty": CHATTY})
    with pytest.raises(PluginError) as err:
        make_plugin_manager()
    said = "vendor SDK not configured: set SMS_KEY and SMS_SECRET " + "-" * 146
    assert err.value.cause == f"ImportError: {said}"
    assert "\n" not in str(err.value)
    assert str(err.value).endswith(f"{said}; install what it needs, or uninstall cc-test-chatty")


CONNECTS_AT_IMPORT = """
    raise ValueError(
        "cannot connect to postgresql://desk:S3cretPw@db.acme/complaints"
        " for 王小明 13812345678"
    )
"""


@pytest.mark.procedure("PRV-1")
def test_an_unimportable_plugins_own_error_is_named_by_its_type_only(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s45D F05: a plugin connecting at import quoted its password and the
    complainant's name and phone on the CLI's error line, in ``.cause`` and in
    ``str(err)``.  cli.md: "never personal data"; hooks.md names a raising hook's
    exception by its type only.  Only an ImportError's text (the module missing) is
    quoted; the exception stays reachable as ``__cause__``."""
    from click.testing import CliRunner

    from complaintcore.cli import main

    monkeypatch.chdir(tmp_path)
    env = {"COMPLAINTCORE_NOW": "2025-11-14T10:00:00+08:00"}
    runner = CliRunner()
    assert runner.invoke(main, ["init", "."], env=env).exit_code == 0
    site.install(
        "broken-plugin", {"broken": "cc_test_connects"},
        modules={"cc_test_connects": CONNECTS_AT_IMPORT}, version="1.0",
    )  # fmt: skip
    with pytest.raises(PluginError) as err:
        make_plugin_manager()
    message = (
        "installed plugin 'broken' (entry point broken = cc_test_connects of distribution"
        " broken-plugin 1.0) cannot be imported: ValueError; install what it needs, or"
        " uninstall broken-plugin"
    )
    assert (str(err.value), err.value.cause) == (message, "ValueError")
    assert isinstance(err.value.__cause__, ValueError)
    result = runner.invoke(main, ["--lang", "en", "list"], env=env)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")
    for secret in ("S3cretPw", "王小明", "13812345678"):
        assert secret not in result.stderr


def test_the_command_line_reports_an_unimportable_plugin_in_one_line(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/cli.md: an error is one line on standard error, never a traceback, and under
    --json one JSON document; a PluginError is refused data (exit status 1)."""
    from click.testing import CliRunner

    from complaintcore.cli import main

    monkeypatch.chdir(tmp_path)
    env = {"COMPLAINTCORE_NOW": "2025-11-14T10:00:00+08:00"}
    runner = CliRunner()
    assert runner.invoke(main, ["init", "."], env=env).exit_code == 0
    site.install("cc-test-broken", {"broken": "cc_test_broken"}, modules={"cc_test_broken": BROKEN})

    result = runner.invoke(main, ["--lang", "en", "list", "--json"], env=env)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "error": {"code": 1, "type": "PluginError", "message": BROKEN_MESSAGE}
    }
    assert "Traceback" not in result.output + result.stderr

    result = runner.invoke(main, ["--lang", "en", "sweep"], env=env)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {BROKEN_MESSAGE}\n")

    result = runner.invoke(main, ["--lang", "zh", "list"], env=env)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1].endswith(
        "已安装的插件 'broken'（发行包 cc-test-broken 0.1.0 的入口点 broken = cc_test_broken）"
        "无法导入：ModuleNotFoundError: No module named 'cc_test_sms_vendor_sdk'；"
        "请安装它所需的依赖，或卸载 cc-test-broken"
    )


NO_MEMBERS = """
    from complaintcore.adapters.staff import load_sample_staff
    from complaintcore.desk.hookspecs import hookimpl

    class Directory:
        \"\"\"Looks people up, but lists nobody: members() answers None.\"\"\"

        def get(self, staff_id):
            return load_sample_staff().get(staff_id)

        def members(self):
            return None

    @hookimpl
    def complaintcore_get_staff_directory(config):
        return Directory()
"""


def test_the_command_line_checks_an_installed_directory_as_the_desk_does(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s32D f01: the command line's own look at the directory (who may act as
    whom, docs/staff-directory.md) refuses a wrong answer in one line naming the hook,
    as the desk does, not with a TypeError's traceback."""
    from click.testing import CliRunner

    from complaintcore.cli import main

    monkeypatch.chdir(tmp_path)
    env = {"COMPLAINTCORE_NOW": "2025-11-14T10:00:00+08:00"}
    runner = CliRunner()
    assert runner.invoke(main, ["init", "."], env=env).exit_code == 0
    site.install(
        "cc-test-nomembers",
        {"nomembers": "cc_test_nomembers"},
        modules={"cc_test_nomembers": NO_MEMBERS},
    )
    argv = ["--lang", "en", "outbox", "drop", "1", "--reason", "gone", "--actor", "SR-101"]
    result = runner.invoke(main, [*argv, "--json"], env=env)
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout) == {
        "error": {
            "code": 1,
            "type": "InvalidInputError",
            "message": "complaintcore_get_staff_directory: members(): expected a sequence"
            " (tuple or list) of StaffMember, got NoneType",
            "path": "complaintcore_get_staff_directory",
        }
    }


UNPARSED_DUTY = """
    import attrs

    from complaintcore.adapters.staff import load_sample_staff
    from complaintcore.desk.hookspecs import hookimpl

    STAFF = tuple(
        attrs.evolve(m, duty="Mon-Fri 09:00-18:00") if m.staff_id == "SR-001" else m
        for m in load_sample_staff().members()
    )

    class Directory:
        \"\"\"An HR export handed on before its duty hours were parsed.\"\"\"

        def get(self, staff_id):
            return next((m for m in STAFF if m.staff_id == staff_id), None)

        def members(self):
            return STAFF

    @hookimpl
    def complaintcore_get_staff_directory(config):
        return Directory()
"""


def test_the_command_line_sweeps_a_member_of_the_wrong_type_to_one_error(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Review s45D F02: ``sweep --json`` printed no JSON and a 75-line traceback ending
    in AttributeError.  docs/cli.md: one JSON document under --json, one line
    otherwise, never a traceback; exit status 1."""
    from click.testing import CliRunner

    from complaintcore.cli import main

    monkeypatch.chdir(tmp_path)
    env = {"COMPLAINTCORE_NOW": "2025-12-05T10:00:00+08:00"}
    runner = CliRunner()
    assert runner.invoke(main, ["init", "."], env=env).exit_code == 0
    site.install(
        "cc-test-hrexport", {"hrexport": "cc_test_hrexport"},
        modules={"cc_test_hrexport": UNPARSED_DUTY},
    )  # fmt: skip
    message = (
        "complaintcore_get_staff_directory: members()[4].duty: expected a tuple or list"
        " of DutyWindow, got str"
    )
    result = runner.invoke(main, ["--lang", "en", "sweep", "--json"], env=env)
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout) == {
        "error": {
            "code": 1,
            "type": "InvalidInputError",
            "message": message,
            "path": "complaintcore_get_staff_directory",
        }
    }
    assert "Traceback" not in result.stdout + result.stderr
    result = runner.invoke(main, ["--lang", "en", "sweep"], env=env)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"error: {message}\n")


def test_a_misspelt_hook_in_a_plugin_passed_in_is_refused() -> None:
    class Typo:
        @hookimpl
        def complaintcore_on_event(self, complaint: object, events: object) -> None: ...

    with pytest.raises(PluginError, match="complaintcore_on_event"):
        make_plugin_manager([Typo()], load_entry_points=False)


def test_an_argument_the_spec_does_not_have_is_refused() -> None:
    class WrongArgument:
        @hookimpl
        def complaintcore_get_store(self, cfg: DeskConfig) -> None: ...

    with pytest.raises(PluginError, match="cfg"):
        make_plugin_manager([WrongArgument()], load_entry_points=False)


def test_fewer_arguments_than_the_spec_are_fine() -> None:
    calendars: list[str] = []

    class NameOnly:
        @hookimpl
        def complaintcore_get_calendar(self, name: str) -> None:
            calendars.append(name)

    desk = Desk.from_config(
        {"database": ":memory:"},
        plugin_manager=make_plugin_manager([NameOnly()], load_entry_points=False),
    )
    assert calendars == []  # asked the first time a deadline needs the calendar
    assert desk.calendar is desk.calendar
    assert calendars == [desk.pack.calendar.country]


def test_a_function_without_hookimpl_is_not_a_hook() -> None:
    """Not even checked: the marker is what makes a hook implementation.  A plugin
    passed in with no marked hook at all is refused naming the unmarked one (review
    s50F F03); beside a marked hook, an unmarked function is simply never called."""

    class Undecorated:
        def complaintcore_get_store(self, config: DeskConfig) -> None:
            raise AssertionError("never called")

        def complaintcore_get_stor(self, config: DeskConfig) -> None:
            raise AssertionError("never called")

    with pytest.raises(PluginError) as err:
        make_plugin_manager([Undecorated()], load_entry_points=False)
    assert str(err.value) == (
        "plugin Undecorated implements no complaintcore hook"
        " (complaintcore_get_store is not marked @hookimpl)"
    )

    class PartlyDecorated(Undecorated):
        @hookimpl
        def complaintcore_get_staff_directory(self, config: DeskConfig) -> None:
            return None

    pm = make_plugin_manager([PartlyDecorated()], load_entry_points=False)
    assert type(Desk.from_config({"database": ":memory:"}, plugin_manager=pm).store) is MemoryStore


# --------------------------------------------------------------------------- no global state


def test_plugin_managers_are_independent() -> None:
    class Host:
        @hookimpl
        def complaintcore_get_staff_directory(self, config: DeskConfig) -> StaffList:
            return StaffList()

    host = Host()
    one = make_plugin_manager([host], load_entry_points=False)
    two = make_plugin_manager(load_entry_points=False)
    assert one.is_registered(host)
    assert not two.is_registered(host)
    assert one is not two
    assert one.hook is not two.hook
    one.unregister(host)
    assert one.get_plugins() == two.get_plugins()  # the built-in module, shared as a value


@pytest.mark.usefixtures("installed")
def test_unregistering_from_one_manager_leaves_another_alone() -> None:
    one, two = make_plugin_manager(), make_plugin_manager()
    one.unregister(name="testplugin")
    assert one.get_plugin("testplugin") is None
    assert _plugin(two).__name__ == PLUGIN_PACKAGE


IMPORT_EVERYTHING = """
import importlib, pkgutil, sys
import pluggy
import complaintcore

names = [m.name for m in pkgutil.walk_packages(complaintcore.__path__, "complaintcore.")]
modules = []
for name in names:
    try:
        modules.append(importlib.import_module(name))
    except ModuleNotFoundError as exc:  # an optional dependency this venv lacks
        if (exc.name or "").startswith("complaintcore"):
            raise
assert "complaintcore_testplugin" not in sys.modules, "imported at import time"
managers = [f"{m.__name__}.{k}" for m in modules for k, v in vars(m).items()
            if isinstance(v, pluggy.PluginManager)]
assert not managers, f"module-level plugin managers: {managers}"

from complaintcore.desk.plugins import make_plugin_manager
make_plugin_manager()  # the control: the plugin is there to be found
assert "complaintcore_testplugin" in sys.modules
print(len(modules))
"""


def test_importing_complaintcore_loads_no_entry_points(installed: Site) -> None:
    """In a fresh interpreter: importing every module loads nothing, holds no manager."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(installed.root), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_EVERYTHING],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) > 10  # it did import the modules


# --------------------------------------------------------------------------- listeners


def test_a_failing_listener_is_logged_and_the_events_stay(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Broken:
        @hookimpl
        def complaintcore_on_events(self) -> None:
            raise RuntimeError("analytics is down")

    pm = make_plugin_manager([Broken(), SampleStaff()], load_entry_points=False)
    desk = Desk.from_config(
        {"database": ":memory:", "notifiers": {"log": False}}, plugin_manager=pm
    )
    with caplog.at_level(logging.ERROR, logger="complaintcore.desk"):
        complaint = desk.receive(intake("SR-103"), now=T0)
    assert desk.get(complaint.id).version == complaint.version >= 1
    assert "complaintcore_on_events failed" in caplog.text
    assert "analytics is down" in caplog.text


@pytest.mark.procedure("IN-2")
def test_a_failing_classifier_is_logged_and_the_keywords_classify_every_intake(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """docs/hooks.md: a classify hook that raises for one complaint is logged and
    that complaint is classified by the pack's keywords; a bulk batch goes on."""

    class Flaky:
        @hookimpl
        def complaintcore_classify(self, complaint: Complaint) -> None:
            if "电梯" in complaint.intake.summary:
                raise TimeoutError("classifier model timed out")

    pm = make_plugin_manager([Flaky(), SampleStaff()], load_entry_points=False)
    desk = Desk.from_config(
        {"database": str(tmp_path / "d.sqlite3"), "notifiers": {"log": False}}, plugin_manager=pm
    )
    batch = [
        intake("SR-103"),
        attrs.evolve(intake("SR-103"), summary="电梯停运，困在里面", idempotency_key="b"),
        attrs.evolve(intake("SR-103"), summary="垃圾没人清理", idempotency_key="c"),
    ]
    with caplog.at_level(logging.ERROR, logger="complaintcore.desk"):
        results = list(desk.receive_many(batch, now=T0))
    assert all(isinstance(r, Complaint) for r in results)
    assert len(list(desk.store.rows())) == 3
    lift = results[1]
    assert isinstance(lift, Complaint)
    # the cn-property keywords put 电梯 (the lift) with engineering
    assert desk.get(lift.id).state.department == "engineering"
    assert "complaintcore_classify failed" in caplog.text


def test_listeners_registered_after_the_desk_is_built_are_not_called() -> None:
    """The desk looks up once whether anyone listens (docs/hooks.md, "How plugins work")."""
    heard: list[str] = []

    class Listener:
        @hookimpl
        def complaintcore_on_events(self, complaint: Complaint) -> None:
            heard.append(complaint.id)

    pm = make_plugin_manager([SampleStaff()], load_entry_points=False)
    desk = Desk.from_config(
        {"database": ":memory:", "notifiers": {"log": False}}, plugin_manager=pm
    )
    pm.register(Listener())
    desk.receive(intake("SR-103"), now=T0)
    assert heard == []
    rebuilt = Desk(
        pack=desk.pack,
        store=desk.store,
        directory=desk.directory,
        calendar=desk.calendar,
        plugin_manager=pm,
    )
    complaint = rebuilt.receive(intake("SR-103"), now=T0)
    assert heard == [complaint.id]


# --------------------------------------------------------------------------- the real wheel


def test_the_built_wheel_installs_the_same_entry_point(site: Site, tmp_path: Path) -> None:
    """Build tests/plugin_dist with hatchling (offline) and install the wheel by unzipping."""
    pytest.importorskip("hatchling", reason="building the wheel needs hatchling in this venv")
    source = tmp_path / "plugin_dist"
    shutil.copytree(PLUGIN_DIST, source, ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--disable-pip-version-check", "-q", "-w", str(wheels), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    (wheel,) = wheels.glob("complaintcore_testplugin-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(site.root)
    importlib.invalidate_caches()
    (info,) = site.root.glob("complaintcore_testplugin-*.dist-info")
    entry_points = importlib.metadata.Distribution.at(info).entry_points
    assert {ep.name: ep.value for ep in entry_points.select(group=ENTRY_POINT_GROUP)} == (
        declared_entry_points()
    )
    pm = make_plugin_manager()
    desk = Desk.from_config({"database": ":memory:"}, plugin_manager=pm)
    assert isinstance(desk.store, _plugin(pm).PluginStore)


STORE_PER_TENANT = """
    from complaintcore.adapters.sqlite_store import SqliteStore
    from complaintcore.desk.hookspecs import hookimpl

    @hookimpl
    def complaintcore_get_store(config):
        tenant = config.extra.get("tenant")
        if not tenant:
            return None
        return SqliteStore(config.resolve(f"complaints-{tenant}.sqlite3"))
"""


def test_migrate_copies_the_store_an_installed_plugin_supplies(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/cli.md: ``migrate --to`` "copies the configured desk", the one every other
    command opens; with docs/hooks.md's store per tenant, not the `database` file the
    plugin never reads (review s34A F05)."""
    from click.testing import CliRunner

    from complaintcore.cli import main

    monkeypatch.chdir(tmp_path)
    env = {"COMPLAINTCORE_NOW": "2025-11-14T10:00:00+08:00"}
    runner = CliRunner()
    assert runner.invoke(main, ["init", "."], env=env).exit_code == 0
    config = tmp_path / "complaintcore.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + '\n[plugins]\ntenant = "sunrise"\n', encoding="utf-8"
    )
    site.install("cc-test-pertenant", {"pertenant": "cc_test_pertenant"},
                 modules={"cc_test_pertenant": STORE_PER_TENANT})  # fmt: skip
    argv = ["receive", "--name", "王小明", "--phone", "13812345678", "--room", "3-2-1201",
            "--site", "sunrise", "--summary", "楼上漏水", "--receiver", "SR-103",
            "--json"]  # fmt: skip
    received = runner.invoke(main, argv, env=env)
    assert received.exit_code == 0, received.output
    assert (tmp_path / "complaints-sunrise.sqlite3").exists()

    moved = runner.invoke(main, ["migrate", "--to", "moved.sqlite3", "--json"], env=env)
    assert moved.exit_code == 0, moved.output
    document = json.loads(moved.stdout)
    assert document["complaints"] == 1
    assert document["from"] == "complaintcore_get_store: pertenant"
    copy = SqliteStore(tmp_path / "moved.sqlite3")
    try:
        assert [r.id for r in copy.rows()] == [json.loads(received.stdout)["id"]]
    finally:
        copy.close()


# --------------------------------------------------------------------------- misbehaving plugins
# Review s41C: plugins that raise, or are registered twice or as a class.


NO_LOG = {"database": ":memory:", "notifiers": {"log": False}}


class Audit:
    """The host's audit trail: it must hear every commit."""

    def __init__(self) -> None:
        self.heard: list[str] = []

    @hookimpl
    def complaintcore_on_events(self, complaint: Complaint, events: tuple[Any, ...]) -> None:
        self.heard.extend(e.kind for e in events)


class Analytics:
    """A flaky listener, whose error quotes the complainant (masked in the log)."""

    @hookimpl
    def complaintcore_on_events(self, complaint: Complaint) -> None:
        person = complaint.intake.complainant
        raise ConnectionError(f"analytics endpoint down for {person.phone}")


class Crm:
    @hookimpl
    def complaintcore_on_events(self) -> None:
        raise KeyError("CRM has no owner")


def test_each_listener_hears_every_commit_whatever_another_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """docs/hooks.md: complaintcore_on_events is called on "every plugin"; pluggy stops
    a hook at the first implementation that raises, so the audit trail, asked after the
    one that raised, heard nothing (review s41C F01).  Each failure is logged naming its
    plugin, in the order pluggy calls them: the plugin passed in last first."""
    audit = Audit()
    pm = make_plugin_manager([Crm(), audit, Analytics(), SampleStaff()], load_entry_points=False)
    config = {"database": str(tmp_path / "d.sqlite3"), "notifiers": {"log": False}}
    with Desk.from_config(config, plugin_manager=pm) as desk:
        with caplog.at_level(logging.ERROR, logger="complaintcore.desk"):
            complaint = desk.receive(intake("SR-103"), now=T0)
        assert [e.kind for e in desk.get(complaint.id).events] == audit.heard
    assert audit.heard == ["registered", "classified", "assigned"]
    failed = [r.getMessage() for r in caplog.records if r.name == "complaintcore.desk"]
    assert [m.splitlines()[0] for m in failed] == [
        f"complaintcore_on_events failed for {complaint.id} in plugin Analytics",
        f"complaintcore_on_events failed for {complaint.id} in plugin Crm",
    ]
    assert failed[0].endswith("ConnectionError: analytics endpoint down for *********78")
    assert "13812345678" not in caplog.text


def test_listeners_are_called_in_the_documented_order() -> None:
    """docs/hooks.md "Who answers first": the plugin passed in last is asked first."""
    order: list[str] = []

    def listener(label: str) -> object:
        def impl(self: object) -> None:
            order.append(label)

        return type(label, (), {"complaintcore_on_events": hookimpl(impl)})()

    pm = make_plugin_manager(
        [listener("first"), listener("second"), SampleStaff()], load_entry_points=False
    )
    desk = Desk.from_config(
        {"database": ":memory:", "notifiers": {"log": False}}, plugin_manager=pm
    )
    desk.receive(intake("SR-103"), now=T0)
    assert order == ["second", "first"]


@pytest.mark.parametrize("plain", [0, 2])
def test_a_wrapper_of_the_listeners_runs_once_per_commit(plain: int) -> None:
    # review s41G F05: it ran once per listener, and never without one
    calls: list[int] = []

    class Timing:
        @hookimpl(wrapper=True)
        def complaintcore_on_events(self) -> Generator[None, object, object]:
            calls.append(1)
            return (yield)

    class Quiet:
        @hookimpl
        def complaintcore_on_events(self) -> None:
            pass

    class Loud:
        @hookimpl
        def complaintcore_on_events(self) -> None:
            raise ConnectionError("analytics endpoint down")

    listeners = [Quiet(), Loud()][:plain]
    pm = make_plugin_manager([SampleStaff(), Timing(), *listeners], load_entry_points=False)
    desk = Desk.from_config(
        {"database": ":memory:", "notifiers": {"log": False}}, plugin_manager=pm
    )
    desk.receive(intake("SR-103"), now=T0)
    assert calls == [1]


class StoreDown:
    @hookimpl
    def complaintcore_get_store(self) -> None:
        raise ConnectionError("pool for postgresql://app:s3cret@db/complaints exhausted")


class HrDown:
    @hookimpl
    def complaintcore_get_staff_directory(self) -> None:
        raise TimeoutError("HR API timed out looking up 王小明")


class SmsDown:
    @hookimpl
    def complaintcore_get_notifiers(self) -> None:
        raise RuntimeError("sms vendor SDK not configured")


class PackBug:
    @hookimpl
    def complaintcore_register_rule_packs(self) -> None:
        raise FileNotFoundError("acme.toml")


class ChannelsDown:
    """Answers a generator, which raises as the desk reads it."""

    @hookimpl
    def complaintcore_get_notifiers(self) -> Iterator[RecordingNotifier]:
        yield RecordingNotifier("sms")
        raise RuntimeError("second channel failed")


RAISING_HOOKS = {
    "get_store": (StoreDown, "complaintcore_get_store", ConnectionError),
    "get_staff_directory": (HrDown, "complaintcore_get_staff_directory", TimeoutError),
    "get_notifiers": (SmsDown, "complaintcore_get_notifiers", RuntimeError),
    "get_notifiers, as read": (ChannelsDown, "complaintcore_get_notifiers", RuntimeError),
    "register_rule_packs": (PackBug, "complaintcore_register_rule_packs", FileNotFoundError),
}


@pytest.mark.parametrize("case", sorted(RAISING_HOOKS))
def test_a_hook_raising_while_the_desk_is_built_is_a_hook_error_naming_it(
    case: str, tmp_path: Path
) -> None:
    """docs/hooks.md: as complaintcore_get_calendar raising is, a HookError whose path
    is the hook, naming the exception's type only (the host's text may quote a password
    or a person); the host's exception is its __cause__ (review s41C F02)."""
    plugin, hook, raised = RAISING_HOOKS[case]
    pm = make_plugin_manager([plugin()], load_entry_points=False)
    config = {"database": str(tmp_path / "d.sqlite3"), "notifiers": {"log": False}}
    with pytest.raises(HookError) as err:
        Desk.from_config(config, plugin_manager=pm)
    assert (err.value.path, err.value.reason) == (hook, f"the hook raised {raised.__name__}")
    assert str(err.value) == f"{hook}: the hook raised {raised.__name__}"
    assert type(err.value.__cause__) is raised


def test_the_command_line_reports_a_raising_store_hook_in_one_line(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/cli.md: one line, never a traceback, one JSON document under --json, and
    exit status 1 for a plugin that cannot be used; not the password its error quotes."""
    from click.testing import CliRunner

    from complaintcore.cli import main

    monkeypatch.chdir(tmp_path)
    env = {"COMPLAINTCORE_NOW": "2025-11-14T10:00:00+08:00"}
    runner = CliRunner()
    assert runner.invoke(main, ["init", "."], env=env).exit_code == 0
    source = """
        from complaintcore.desk.hookspecs import hookimpl

        @hookimpl
        def complaintcore_get_store(config):
            raise RuntimeError("pool for postgresql://app:s3cret@db/complaints exhausted")
    """
    site.install("cc-test-storedown", {"storedown": "cc_test_storedown"},
                 modules={"cc_test_storedown": source})  # fmt: skip
    result = runner.invoke(main, ["--lang", "en", "list", "--json"], env=env)
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "error": {
            "code": 1,
            "type": "HookError",
            "message": "complaintcore_get_store: the hook raised RuntimeError",
            "path": "complaintcore_get_store",
        }
    }
    result = runner.invoke(main, ["--lang", "zh", "list"], env=env)
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "错误：complaintcore_get_store：该钩子出错（RuntimeError）\n"


ACME = """
    from complaintcore.desk.hookspecs import hookimpl
    from complaintcore.testing import MemoryStore

    HEARD = []

    class AcmeStore(MemoryStore):
        pass

    @hookimpl
    def complaintcore_get_store(config):
        return AcmeStore()

    @hookimpl
    def complaintcore_on_events(complaint, events):
        HEARD.append(complaint.id)
"""


@pytest.mark.usefixtures("installed")
def test_a_plugin_both_installed_and_passed_in_answers_first_and_once(site: Site) -> None:
    """docs/hooks.md ("Putting it together", "Packaging a plugin"): the host passes in
    the module its distribution installs.  pluggy refused it with a raw ValueError
    (review s41C F03); now it is the plugin passed in, kept under its entry point's
    name, and asked before the other installed plugin (whose store it would get)."""
    site.install("acme-complaints", {"acme": "cc_test_acme"}, modules={"cc_test_acme": ACME})
    acme = importlib.import_module("cc_test_acme")
    pm = make_plugin_manager([acme, SampleStaff()])
    assert pm.get_plugin("acme") is acme
    assert [d.project_name for p, d in pm.list_plugin_distinfo() if p is acme] == [
        "acme-complaints"
    ]
    desk = Desk.from_config(
        {"database": ":memory:", "notifiers": {"log": False}}, plugin_manager=pm
    )
    assert type(desk.store) is acme.AcmeStore
    complaint = desk.receive(intake("SR-103"), now=T0)
    heard: list[str] = acme.HEARD
    assert heard == [complaint.id]  # registered once: called once per commit


def test_the_same_plugin_passed_twice_is_refused_in_one_line() -> None:
    audit = Audit()
    with pytest.raises(PluginError) as err:
        make_plugin_manager([audit, audit], load_entry_points=False)
    assert str(err.value) == "plugin Audit is passed in twice"
    assert err.value.plugin is audit


def test_two_entry_points_naming_one_plugin_are_refused_naming_both(site: Site) -> None:
    """pluggy would refuse the second with a raw ValueError of several lines."""
    site.install("acme-one", {"one": "cc_test_acme"}, modules={"cc_test_acme": ACME})
    site.install("acme-two", {"two": "cc_test_acme"}, version="2.0.0")
    with pytest.raises(PluginError) as err:
        make_plugin_manager()
    said = str(err.value)
    assert "\n" not in said
    assert said.endswith("; uninstall one of them")
    assert "entry point one = cc_test_acme of acme-one 0.1.0" in said
    assert "entry point two = cc_test_acme of acme-two 2.0.0" in said


class HostPlugin:
    @hookimpl
    def complaintcore_get_staff_directory(self, config: DeskConfig) -> StaffList:
        return load_sample_staff()


def test_a_plugin_class_for_an_instance_is_refused_at_once() -> None:
    """docs/hooks.md: a plugin is a module or an instance.  pluggy drops the `self` of a
    class's method from what it checks, then calls it one argument short: every
    get_* a raw TypeError, every listener call a failure (review s41C F04)."""
    with pytest.raises(PluginError) as err:
        make_plugin_manager([HostPlugin], load_entry_points=False)
    assert str(err.value) == "plugin HostPlugin is a class; register an instance (HostPlugin())"
    pm = make_plugin_manager(load_entry_points=False)
    pm.register(Audit)  # after the manager was made: the desk checks again
    with pytest.raises(PluginError, match="plugin Audit is a class"):
        Desk.from_config({"database": ":memory:"}, plugin_manager=pm)


def test_an_entry_point_naming_a_plugin_class_is_refused(site: Site) -> None:
    source = """
        from complaintcore.desk.hookspecs import hookimpl

        class Listener:
            @hookimpl
            def complaintcore_on_events(self, complaint, events):
                pass
    """
    site.install("cc-test-cls", {"cls": "cc_test_cls:Listener"}, modules={"cc_test_cls": source})
    with pytest.raises(PluginError, match=r"^plugin Listener is a class; register an instance"):
        make_plugin_manager()


def test_a_class_of_static_and_class_methods_is_a_plugin() -> None:
    """Nothing for pluggy to drop: such a class is used as it is."""

    class Hooks:
        @hookimpl
        @staticmethod
        def complaintcore_get_staff_directory(config: DeskConfig) -> StaffList:
            return load_sample_staff()

        @hookimpl
        @classmethod
        def complaintcore_get_store(cls, config: DeskConfig) -> MemoryStore:
            return MemoryStore()

    pm = make_plugin_manager([Hooks], load_entry_points=False)
    desk = Desk.from_config({"database": ":memory:"}, plugin_manager=pm)
    assert desk.directory.get("SR-103") is not None


def test_a_wrong_argument_is_refused_in_one_line_naming_the_plugin_by_its_class() -> None:
    """docs/api/errors.md: messages are one line.  pluggy's were three, naming the
    plugin by its id() (review s41C F05)."""

    class AcmeStore:
        @hookimpl
        def complaintcore_get_store(self, cfg: DeskConfig) -> None: ...

    plugin = AcmeStore()
    with pytest.raises(PluginError) as err:
        make_plugin_manager([plugin], load_entry_points=False)
    assert str(err.value) == (
        "plugin AcmeStore: complaintcore_get_store(cfg) takes 'cfg', which the hook does"
        " not offer (it offers config)"
    )
    assert err.value.plugin is plugin


def test_a_misspelt_hook_is_refused_naming_the_plugin_and_the_hook_meant() -> None:
    class AcmeTypo:
        @hookimpl
        def complaintcore_get_stor(self, config: DeskConfig) -> None: ...

    with pytest.raises(PluginError) as err:
        make_plugin_manager([AcmeTypo()], load_entry_points=False)
    assert str(err.value) == (
        "plugin AcmeTypo: unknown hook 'complaintcore_get_stor'"
        " (did you mean complaintcore_get_store?)"
    )
