"""The public API: every exported name resolves; import stays light."""

from __future__ import annotations

import subprocess
import sys

import complaintcore


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert complaintcore.__all__ == sorted(complaintcore.__all__)
    for name in complaintcore.__all__:
        assert getattr(complaintcore, name) is not None


def test_import_loads_no_adapter_cattrs_or_holidays() -> None:
    code = (
        "import sys, complaintcore\n"
        "heavy = [m for m in ('cattrs', 'holidays', 'pluggy', 'sqlite3', 'click', 'rich',"
        " 'complaintcore.desk', 'complaintcore.adapters') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_core_modules_import_only_stdlib_and_attrs() -> None:
    code = (
        "import sys\n"
        "before = set(sys.modules)\n"
        "import complaintcore.workflow, complaintcore.deadlines, complaintcore.calendar,"
        " complaintcore.grading, complaintcore.escalation, complaintcore.classification,"
        " complaintcore.validity, complaintcore.accountability\n"
        "new = {m.split('.')[0] for m in set(sys.modules) - before}\n"
        "print(','.join(sorted(new)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    names = {n for n in out.stdout.strip().split(",") if n and not n.startswith("_")}
    third_party = names - set(sys.stdlib_module_names)
    assert third_party <= {"attrs", "attr", "complaintcore"}
