"""A host's type checker sees the real public names, not a catch-all ``__getattr__``.

The packages resolve their names lazily at run time (``import complaintcore``
stays fast for the command line), through a module ``__getattr__``.  Were that
function visible to mypy, every attribute of the module would be typed as its
return type, ``Any``: a misspelt import would pass ``mypy --strict`` and fail
only at run time.  So the test runs ``mypy --strict`` (as a subprocess, once)
on a host file that misspells a name of each lazily loaded package and on one
that spells them right, against the complaintcore under test.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import complaintcore

SOURCE = Path(complaintcore.__file__).resolve().parents[1]

# Each misspelling, with what it misspells: (line, package, wrong name).
MISSPELT = [
    ("from complaintcore import Deskk", "complaintcore", "Deskk"),
    ("from complaintcore.desk import Dsk", "complaintcore.desk", "Dsk"),
    ("from complaintcore.testing import StoreContrat", "complaintcore.testing", "StoreContrat"),
    ("from complaintcore.adapters.notify import LogNotifer", "complaintcore.adapters.notify",
     "LogNotifer"),
    ("from complaintcore.cli import mian", "complaintcore.cli", "mian"),
]  # fmt: skip

BAD_HOST = "\n".join(
    [
        "import complaintcore",
        *(line for line, _, _ in MISSPELT),
        "",
        'pack: int = complaintcore.load_packk("cn-property")',
        "",
    ]
)

GOOD_HOST = """\
from collections.abc import Callable

import complaintcore
from complaintcore import Desk, RulePack
from complaintcore.adapters.notify import LogNotifier
from complaintcore.cli import main
from complaintcore.desk import Desk as DeskToo
from complaintcore.testing import StoreContract

pack: RulePack = complaintcore.load_pack("cn-property")
desk_class: type[Desk] = DeskToo
channel: type[LogNotifier] = LogNotifier
contract: type[StoreContract] = StoreContract
entry: Callable[..., object] = main
"""


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    where = tmp_path_factory.mktemp("typing")
    (where / "bad_host.py").write_text(BAD_HOST, encoding="utf-8")
    (where / "good_host.py").write_text(GOOD_HOST, encoding="utf-8")
    # MYPYPATH first: the complaintcore imported here, not another installed copy
    env = {**os.environ, "MYPYPATH": str(SOURCE)}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir",
         str(where / "cache"), "bad_host.py", "good_host.py"],
        cwd=where, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.stderr == "", done.stderr
    return done.stdout.splitlines()


def test_a_misspelt_public_name_is_a_type_error(mypy_output: list[str]) -> None:
    errors = [line for line in mypy_output if line.startswith("bad_host.py")]
    for number, (_, package, name) in enumerate(MISSPELT, start=2):
        expected = f'bad_host.py:{number}: error: Module "{package}" has no attribute "{name}"'
        assert any(line.startswith(expected) for line in errors), mypy_output
    assert any(
        re.match(r'bad_host\.py:8: error: Module has no attribute "load_packk"', line)
        for line in errors
    ), mypy_output
    assert len(errors) == len(MISSPELT) + 1, mypy_output


def test_the_right_names_pass_with_their_real_types(mypy_output: list[str]) -> None:
    """The good file passes, and the library itself raises nothing on the way."""
    assert [line for line in mypy_output if not line.startswith("bad_host.py")] == []
