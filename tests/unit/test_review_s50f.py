"""Review s50F F02: an escalation to a rung the pack does not have is refused naming
``to_rung``, the field :class:`Escalate` has, as every other command's unknown code
names its own field (docs/api/errors.md: "name the field or key path").

Expected texts are written by hand from cn-property's ladder (front_line,
complaint_handler, department_head, project_manager, senior_management) and
``shown_code``'s rule: a lower-snake-case value close to one of the pack's codes is
quoted (a typo), anything else withheld as "(not shown: not a code)".

F04, as a command line user reads it: a hook the desk could never run (a
generator function, an ``async def``) is refused in the reader's language; the
Chinese texts are the zh_CN catalog's, written out by hand.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from complaintcore import hookimpl, make_plugin_manager, translator
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.models import Trigger
from complaintcore.core.workflow import Assign, Escalate
from complaintcore.desk.plugins import PluginError
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


# --------------------------------------------------------------------------- F04 (in Chinese)


class _Yielding:
    @hookimpl
    def complaintcore_on_events(self, complaint: object, events: object) -> Iterator[None]:
        yield None


class _Async:
    @hookimpl
    async def complaintcore_on_events(self, complaint: object, events: object) -> None:
        return None


@pytest.mark.parametrize(
    ("plugin", "words"),
    [
        (
            _Yielding(),
            "插件 _Yielding：complaintcore_on_events 是生成器函数（含 yield）；complaintcore"
            " 同步调用钩子，其函数体永远不会执行（请改为普通函数：用 return 代替 yield）",
        ),
        (
            _Async(),
            "插件 _Async：complaintcore_on_events 是 async def；complaintcore 同步调用钩子，"
            "永远不会执行它（请改为普通函数：用 asyncio.run 运行异步工作，或交给您的事件循环）",
        ),
    ],
)
def test_a_hook_the_desk_could_never_run_is_refused_in_the_readers_language(
    plugin: object, words: str
) -> None:
    """docs/i18n.md: the errors a command line user sees read in Chinese; an installed
    plugin's generator or async hook is refused when the command line builds its desk."""
    with pytest.raises(PluginError) as err:
        make_plugin_manager([plugin], load_entry_points=False)
    assert translator("zh").error(err.value) == words
    assert translator("en").error(err.value) == str(err.value)
