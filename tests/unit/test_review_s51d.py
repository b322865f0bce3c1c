"""Review s51D: what a host engineer writes from the docs (s51R9).

R9-F01: docs/storage.md's API list gave ``drop_item(item_id, at, reason)``; the
port, and ``Desk.drop_message``, pass ``actor=`` and ``os_user=``.  Each line of
the list now has the port's positional parameters and its keyword-only ones.

R9-F02: ``Notifier.name`` was declared a settable attribute, so a channel whose
``name`` is a read-only property failed ``mypy --strict`` although the desk only
reads it.  It is a read-only property of the protocol now.
"""

from __future__ import annotations

import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import complaintcore
from complaintcore.desk import ports

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(complaintcore.__file__).resolve().parents[1]

STORAGE_MD = ROOT / "docs" / "storage.md"

# --------------------------------------------------------------------------- R9-F01


def _api_lines() -> list[tuple[str, str]]:
    """``(method, parameters as written)`` of each ``store.x(...)`` of "The API"."""
    text = STORAGE_MD.read_text(encoding="utf-8")
    block = re.search(r"```pyi\n(.*?)```", text[text.index("## The API") :], re.S)
    assert block is not None
    return re.findall(r"^store\.(\w+)\((.*?)\)\s*->", block[1], re.S | re.M)


def _port_method(name: str) -> inspect.Signature:
    """The signature of ``name`` in the first port protocol declaring it."""
    for value in vars(ports).values():
        if isinstance(value, type) and callable(vars(value).get(name)):
            return inspect.signature(vars(value)[name])
    raise AssertionError(f"no port declares {name}")


def test_the_storage_api_list_has_each_methods_parameters_as_the_port() -> None:
    lines = _api_lines()
    assert len(lines) >= 30
    wrong = []
    for name, written in lines:
        params = [p for p in _port_method(name).parameters.values() if p.name != "self"]
        positional = [p.name for p in params if p.kind is p.POSITIONAL_OR_KEYWORD]
        keywords = [p.name for p in params if p.kind is p.KEYWORD_ONLY]
        args = [a.strip() for a in " ".join(written.split()).split(",") if a.strip()]
        star = args.index("*") if "*" in args else len(args)
        doc_keywords = [a.split("=")[0].strip() for a in args[star + 1 :]]
        if len(args[:star]) != len(positional) or doc_keywords != keywords:
            wrong.append((name, args, positional, keywords))
    assert wrong == []


def test_the_drop_item_line_names_who_dropped() -> None:
    [written] = [w for name, w in _api_lines() if name == "drop_item"]
    assert written == 'item_id, at, reason, *, actor="", os_user=""'


# --------------------------------------------------------------------------- R9-F02

HOST = """\
from collections.abc import Sequence

from complaintcore import Notification, Notifier, StaffMember


class Fixed:
    \"\"\"name as a read-only property.\"\"\"

    @property
    def name(self) -> str:
        return "sms"

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        return None


class ByClass:
    name = "robot"

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        return None


class ByInstance:
    def __init__(self, name: str) -> None:
        self.name = name

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        return None


def channels() -> Sequence[Notifier]:
    return [Fixed(), ByClass(), ByInstance("mail")]


def first_name() -> str:
    return channels()[0].name
"""

WRONG = """\
from complaintcore import Notification, Notifier, StaffMember


class Numbered:
    @property
    def name(self) -> int:
        return 7

    def send(self, notification: Notification, recipient: StaffMember | None) -> None:
        return None


channel: Notifier = Numbered()
"""


def _mypy_strict(where: Path, target: str) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` on ``target``, against the complaintcore under test
    (MYPYPATH first, not another installed copy), as test_public_typing does."""
    env = {**os.environ, "MYPYPATH": str(SOURCE)}
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--cache-dir", str(where / "cache"), target],
        cwd=where, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip


def test_a_notifier_with_a_read_only_name_passes_mypy_strict(tmp_path: Path) -> None:
    (tmp_path / "host_channels.py").write_text(HOST, encoding="utf-8")
    (tmp_path / "wrong_channel.py").write_text(WRONG, encoding="utf-8")
    done = _mypy_strict(tmp_path, "host_channels.py")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Success: no issues found in 1 source file" in done.stdout
    # the check has teeth: a name that is not text is still refused
    bad = _mypy_strict(tmp_path, "wrong_channel.py")
    assert bad.returncode == 1, bad.stdout
    assert 'expression has type "Numbered"' in bad.stdout
