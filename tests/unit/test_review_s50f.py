"""Review s50F F02: an escalation to a rung the pack does not have is refused naming
``to_rung``, the field :class:`Escalate` has, as every other command's unknown code
names its own field (docs/api/errors.md: "name the field or key path").

Expected texts are written by hand from cn-property's ladder (front_line,
complaint_handler, department_head, project_manager, senior_management) and
``shown_code``'s rule: a lower-snake-case value close to one of the pack's codes is
quoted (a typo), anything else withheld as "(not shown: not a code)".
"""

from __future__ import annotations

import pytest

from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Trigger
from complaintcore.core.workflow import Assign, Escalate
from tests.helpers import Runner, pack


@pytest.mark.procedure("ESC-1")
@pytest.mark.parametrize(
    ("asked", "shown"),
    [
        ("<unknown>", "(not shown: not a code)"),
        ("王小明", "(not shown: not a code)"),
        ("project_manger", "'project_manger'"),  # a typo of project_manager: quoted
    ],
)
def test_an_escalation_to_an_unknown_rung_names_to_rung(asked: str, shown: str) -> None:
    r = Runner(pack("cn-property"))
    r.register()
    with pytest.raises(InvalidInputError) as err:
        r(Escalate(actor="h", trigger=Trigger.CANNOT_HANDLE, to_rung=asked))
    assert err.value.path == "to_rung"
    assert str(err.value) == f"to_rung: unknown rung {shown} in pack cn-property"


@pytest.mark.procedure("ESC-1")
def test_an_assignment_at_an_unknown_rung_still_names_rung() -> None:
    """Assign's field is ``rung``: its refusal is unchanged."""
    r = Runner(pack("cn-property"))
    r.register()
    with pytest.raises(InvalidInputError) as err:
        r(Assign(actor="h", handler="SR-201", rung="<unknown>"))
    assert (err.value.path, str(err.value)) == (
        "rung",
        "rung: unknown rung (not shown: not a code) in pack cn-property",
    )
