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


# Review s54R9 F01: the enum and table fields of commands, ``Intake`` and
# ``DeskConfig`` are typed as what their converters accept (``Channel | str``
# and so on), so a host's wrong-typed value is a type error, not only an
# ``InvalidInputError`` at run time.  Each wrong call, with the error mypy gives.
# (A member of another enum is a ``str`` -- the enums are ``StrEnum``s, and a
# code or label as text stays allowed -- so ``channel=Status.CLOSED`` is refused
# at run time only.)
WRONG_FIELDS = [
    ("Intake(complainant=who, channel=42, received_at=now, receiver='SR-103', summary='s')",
     'Argument "channel" to "Intake" has incompatible type "int"; expected "Channel | str"'),
    ("Assess(actor='SR-201', validity=True)",
     'Argument "validity" to "Assess" has incompatible type "bool"; expected "Validity | str"'),
    ("Assess(actor='SR-201', validity='valid', kind=3)",
     'Argument "kind" to "Assess" has incompatible type "int"; expected "Kind | str | None"'),
    ("Assess(actor='SR-201', validity='valid', facts=[1])",
     'List item 0 has incompatible type "int"; expected "str"'),
    ("Escalate(actor='SR-201', trigger=None)",
     'Argument "trigger" to "Escalate" has incompatible type "None"; expected "Trigger | str"'),
    ("Regrade(actor='SR-201', grade=2.5)",
     'Argument "grade" to "Regrade" has incompatible type "float"; expected "Grade | str | None"'),
    ("AddMeasure(actor='SR-201', kind=1, action='a', owner='SR-301', due=now)",
     'Argument "kind" to "AddMeasure" has incompatible type "int"; '
     'expected "MeasureKind | str"'),
    ("Respond(actor='SR-201', outcome=1, message='m')",
     'Argument "outcome" to "Respond" has incompatible type "int"; expected "Outcome | str"'),
    ("Respond(actor='SR-201', outcome='upheld', message='m', remedies=5)",
     'Argument "remedies" to "Respond" has incompatible type "int"; '
     'expected "str | list[str] | tuple[str, ...]"'),
    ("DeskConfig(notifiers=5)",
     'Argument "notifiers" to "DeskConfig" has incompatible type "int"; '
     'expected "Mapping[str, object]"'),
    ("DeskConfig(plugins=5)",
     'Argument "plugins" to "DeskConfig" has incompatible type "int"; '
     'expected "Mapping[str, object]"'),
    ("DeskConfig(pack_parameters={'respond': 15})",
     'Dict entry 0 has incompatible type "str": "int"; expected "str": "str"'),
]  # fmt: skip

FIELDS_PREAMBLE = """\
from datetime import datetime, timezone

from complaintcore import (
    AddMeasure, Assess, Channel, Complainant, DeskConfig, Escalate, Fact, Grade, Intake,
    Kind, MeasureKind, Outcome, Regrade, Respond, Trigger, Validity,
)

now = datetime(2025, 11, 14, 9, 30, tzinfo=timezone.utc)
who = Complainant("n", "p", "r", site="sunrise")
"""

BAD_FIELDS = FIELDS_PREAMBLE + "".join(f"{call}\n" for call, _ in WRONG_FIELDS)

GOOD_FIELDS = (
    FIELDS_PREAMBLE
    + """\
Intake(complainant=who, channel=Channel.PHONE, received_at=now, receiver="R", summary="s")
Intake(complainant=who, channel="电话", received_at=now, receiver="R", summary="s")
Assess(actor="A", validity=Validity.VALID, kind=Kind.COMPLAINT, facts=[Fact.GROUP, "serious"])
Assess(actor="A", validity="有效", kind=None, facts=frozenset({Fact.GROUP}))
Assess(actor="A", validity="valid", kind="complaint", facts="group")
Escalate(actor="A", trigger=Trigger.CANNOT_HANDLE)
Escalate(actor="A", trigger="dissatisfied")
Regrade(actor="A", grade=Grade.MAJOR)
Regrade(actor="A", grade="minor")
Regrade(actor="A", grade=None)
AddMeasure(actor="A", kind=MeasureKind.CORRECTIVE, action="a", owner="O", due=now)
AddMeasure(actor="A", kind="preventive", action="a", owner="O", due=now)
Respond(actor="A", outcome=Outcome.UPHELD, message="m", remedies=["r"])
Respond(actor="A", outcome="not_upheld", message="m", remedies=("r", "s"))
Respond(actor="A", outcome="upheld", message="m", remedies="r")
DeskConfig(notifiers={"log": {}}, plugins={"billing": {"rate": 3}}, pack_parameters={"a": "1d"})
"""
)


@pytest.fixture(scope="module")
def mypy_output(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    where = tmp_path_factory.mktemp("typing")
    (where / "bad_host.py").write_text(BAD_HOST, encoding="utf-8")
    (where / "good_host.py").write_text(GOOD_HOST, encoding="utf-8")
    (where / "bad_fields.py").write_text(BAD_FIELDS, encoding="utf-8")
    (where / "good_fields.py").write_text(GOOD_FIELDS, encoding="utf-8")
    # MYPYPATH first: the complaintcore imported here, not another installed copy
    env = {**os.environ, "MYPYPATH": str(SOURCE)}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--cache-dir",
         str(where / "cache"), "bad_host.py", "good_host.py", "bad_fields.py", "good_fields.py"],
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
    """The good files pass, and the library itself raises nothing on the way."""
    bad = ("bad_host.py", "bad_fields.py")
    assert [line for line in mypy_output if not line.startswith(bad)] == []


def test_a_wrong_typed_enum_or_table_field_is_a_type_error(mypy_output: list[str]) -> None:
    """Review s54R9 F01: each wrong call is reported on its line, and nothing else."""
    first = FIELDS_PREAMBLE.count("\n") + 1
    errors = [line for line in mypy_output if line.startswith("bad_fields.py")]
    for number, (_, expected) in enumerate(WRONG_FIELDS, start=first):
        assert any(
            line.startswith(f"bad_fields.py:{number}: error: {expected}") for line in errors
        ), (number, expected, mypy_output)
    assert len(errors) == len(WRONG_FIELDS), mypy_output


def test_the_good_fields_host_runs() -> None:
    """The calls the type checker accepts are accepted at run time too."""
    exec(compile(GOOD_FIELDS, "good_fields.py", "exec"), {})
