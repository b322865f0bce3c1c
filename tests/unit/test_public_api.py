"""The public API: one surface, a pure core folder, light imports, 0.1.0 paths kept."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import complaintcore
import complaintcore.core
from complaintcore import _compat

CORE_DIR = Path(complaintcore.core.__file__).parent


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert complaintcore.__all__ == sorted(complaintcore.__all__)
    for name in complaintcore.__all__:
        assert getattr(complaintcore, name) is not None


def test_every_lazily_resolved_name_is_in_all() -> None:
    assert set(complaintcore._HOME) | {"__version__"} == set(complaintcore.__all__)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no_such_thing"):
        complaintcore.no_such_thing  # noqa: B018


@pytest.mark.parametrize(
    "name",
    ["Desk", "DeskConfig", "hookimpl", "load_pack", "WorkingCalendar", "Register", "Reply",
     "Intake", "ComplaintCoreError", "PluginError", "calendar_for_spec", "ComplaintStore"],
)  # fmt: skip
def test_what_hosts_use_is_importable_from_the_top(name: str) -> None:
    assert name in complaintcore.__all__


def test_import_loads_no_adapter_cattrs_or_holidays() -> None:
    code = (
        "import sys, complaintcore\n"
        "heavy = [m for m in ('cattrs', 'holidays', 'pluggy', 'sqlite3', 'click', 'rich',"
        " 'psycopg', 'complaintcore.desk', 'complaintcore.adapters', 'complaintcore.core')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def _core_modules() -> list[str]:
    return [m.name for m in pkgutil.iter_modules([str(CORE_DIR)], "complaintcore.core.")]


def test_the_core_folder_imports_only_stdlib_and_attrs() -> None:
    """Design rule 1: importing every module of core/ loads nothing else."""
    modules = _core_modules()
    assert len(modules) >= 12
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        f"for m in {modules!r}: __import__(m)\n"
        "new = set(sys.modules) - before\n"
        "print(','.join(sorted(new)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = {n for n in out.stdout.strip().split(",") if n}
    allowed = ("complaintcore.core", "complaintcore._compat", "complaintcore._version")
    outside = {n for n in loaded if n.startswith("complaintcore.") and not n.startswith(allowed)}
    assert outside == set()
    roots = {n.split(".")[0] for n in loaded if not n.startswith("_")}
    third_party = roots - set(sys.stdlib_module_names) - {"complaintcore"}
    assert third_party <= {"attrs", "attr"}


_FORBIDDEN_CALLS = {
    ("datetime", "now"),
    ("date", "today"),
    ("time", "time"),
    ("datetime", "utcnow"),
}
_FORBIDDEN_MODULES = {"pluggy", "sqlite3", "psycopg", "socket", "smtplib", "http", "urllib",
                      "holidays", "cattrs", "os", "pathlib", "io", "random"}  # fmt: skip


@pytest.mark.parametrize("path", sorted(CORE_DIR.glob("*.py")), ids=lambda p: p.name)
def test_core_module_does_no_io_and_reads_no_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert not {a.name.split(".")[0] for a in node.names} & _FORBIDDEN_MODULES
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.module.split(".")[0] not in _FORBIDDEN_MODULES, node.module
            assert not node.module.startswith(("complaintcore.desk", "complaintcore.adapters",
                                               "complaintcore.cli")), node.module  # fmt: skip
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name):
                assert func.id not in ("open", "input", "print"), f"{path.name}: {func.id}()"
            elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                assert (func.value.id, func.attr) not in _FORBIDDEN_CALLS, f"{path.name}"


@pytest.mark.parametrize("old", sorted(_compat.MOVED))
def test_0_1_0_import_paths_still_work_with_a_deprecation_warning(old: str) -> None:
    sys.modules.pop(old, None)
    new = importlib.import_module(_compat.MOVED[old])
    with pytest.warns(DeprecationWarning, match=old.replace(".", r"\.")):
        module = importlib.import_module(old)
    public = getattr(new, "__all__", [n for n in vars(new) if not n.startswith("_")])
    for name in public:
        assert getattr(module, name) is getattr(new, name)


def test_deprecated_from_import_points_at_the_callers_line() -> None:
    sys.modules.pop("complaintcore.workflow", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        from complaintcore.workflow import Reply  # noqa: F401

    assert [w.filename for w in caught] == [__file__]


def test_cli_package_does_not_need_click_to_import() -> None:
    code = (
        "import sys\n"
        "sys.modules['click'] = None\n"
        "sys.modules['rich'] = None\n"
        "import complaintcore.cli, complaintcore.cli.report_html\n"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr
