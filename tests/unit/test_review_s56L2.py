"""Review s56L2: the month's major issues are those raised in the month (F01); the
close refusal names the closure it looks back to (F01b).

Expected values come from /work/shared/procedures.md:
VIS-4 "A major problem found during a visit is put on the agenda of the regular
meeting"; VIS-3 "A complaint is closed only with the complainant's confirmation
(闭环), or, failing satisfaction, after escalation to the top rung decides".
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from complaintcore import translator
from complaintcore.core.errors import IllegalTransitionError
from complaintcore.core.workflow import Assess, Close, Reply, Visit
from tests.helpers import Runner, intake, pack

PROPERTY = pack("cn-property")


# --------------------------------------------------------------------------- F01b


@pytest.mark.procedure("VIS-3")
def test_the_close_refusal_names_the_confirmed_or_top_rung_closure_it_looks_back_to() -> None:
    """A request the complainant was found unsatisfied with is closed only with them;
    the refusal says since which closure: the last one they confirmed or the top rung
    decided (an answered request's own closure does not settle it), in both languages."""
    r = Runner(PROPERTY, intake())
    r.register()
    r(Assess(actor="h-1", validity="valid", kind="request"))
    r(Reply(actor="h-1", message="已安排维修", final=True))
    r(Visit(actor="v-1", satisfied=False, opinion="没人来修"), after=timedelta(days=1))
    r(Reply(actor="h-1", message="再次安排", final=True))
    with pytest.raises(IllegalTransitionError) as info:
        r(Close(actor="h-1", result="已答复"))
    assert "since the last closure they confirmed or the top rung decided" in str(info.value)
    zh = translator("zh").error(info.value, PROPERTY)
    assert "自上次经投诉人确认或最高层级决定的关闭以来投诉人不满意" in zh
    assert "closure" not in zh
