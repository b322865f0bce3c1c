"""The escalation ladder as pure step functions (ESC-1..5).

Rungs come from the rule pack, lowest first.  A complaint's rung only moves up
and never past the top; who may handle it depends on its grade (ESC-3) and on
whom it is about (ESC-4).
"""

from __future__ import annotations

import attrs

from complaintcore.core.errors import EscalationError, InvalidInputError
from complaintcore.core.models import Complaint, Trigger, staff_key
from complaintcore.core.rulepack import RulePack

__all__ = [
    "EscalationPlan",
    "current_rung_index",
    "handling_department",
    "may_handle",
    "plan_escalation",
    "required_rung_index",
    "settling_rung_index",
    "target_rung_index",
]


@attrs.frozen
class EscalationPlan:
    """Where an escalation goes, and why."""

    from_rung: str
    to_rung: str
    trigger: Trigger


def current_rung_index(complaint: Complaint, pack: RulePack) -> int:
    """ESC-1: the complaint's rung, the front line until someone is assigned."""
    return complaint.rung_index(pack)


def required_rung_index(complaint: Complaint, pack: RulePack) -> int:
    """ESC-3, ESC-4: the lowest rung allowed to handle the complaint.

    The grade sets a floor; a complaint about a staff member is handled at the
    rung the pack's ``target_handlers`` name for that person's rung, or else one
    rung above theirs (capped at the top, where the person complained about is
    still excluded by :func:`may_handle`).  The current stage's
    ``handler_rung`` sets a floor too, so a stage meant for an investigator is
    never routed back to the front line.
    """
    floor = pack.rung_index(pack.handler_rung_for(complaint.state.grade))
    stage = pack.stage(complaint.state.stage) if pack.stages else None
    if stage is not None and stage.handler_rung:
        floor = max(floor, pack.rung_index(stage.handler_rung))
    return max(floor, target_rung_index(complaint, pack))


def settling_rung_index(complaint: Complaint, pack: RulePack) -> int:
    """ESC-3: the lowest rung allowed to settle the outcome (assess, promise, handle,
    give the final reply, close), and the lowest routing gives it to.

    A complaint with no grade needs the rung of the pack's ``[grading] default``:
    one not yet assessed will most likely get that grade, and one VAL-4 leaves
    ungraded (invalid, a request, an enquiry) is settled at the rung it was routed
    to, so whether the handler has assessed it yet does not open it to anyone.
    """
    grade = complaint.state.grade or pack.grading.default
    ungraded = pack.rung_index(pack.handler_rung_for(grade))
    return max(required_rung_index(complaint, pack), ungraded)


def target_rung_index(complaint: Complaint, pack: RulePack) -> int:
    """ESC-4: the lowest rung allowed by whom the complaint is about (0 if nobody).

    The rung the pack's ``target_handlers`` name for that person's rung, or else
    one rung above theirs, capped at the top.  Never below that: an entry naming a
    lower rung (a pack built in code, which the loader would refuse) cannot put a
    complaint about a director in an officer's hands.
    """
    target = complaint.state.target or complaint.intake.target
    if target is None or not pack.has_rung(target.rung):
        return 0
    above = min(pack.rung_index(target.rung) + 1, len(pack.ladder) - 1)
    entry = pack.target_handler_for(target.rung)
    if entry is not None:
        return max(above, pack.rung_index(entry.handler_rung))
    return above


def handling_department(complaint: Complaint, pack: RulePack) -> str:
    """ESC-4: the unit the pack names for complaints about this person, or ``""``.

    In ``cn-sales-office`` a complaint about a 售楼员 goes to 销管部 (004 篇2 §2.3).
    """
    target = complaint.state.target or complaint.intake.target
    if target is None:
        return ""
    entry = pack.target_handler_for(target.rung)
    return entry.department if entry is not None else ""


def may_handle(complaint: Complaint, staff_id: str, rung: str, pack: RulePack) -> tuple[bool, str]:
    """ESC-3, ESC-4: whether a staff member at ``rung`` may handle it, and why not."""
    target = complaint.state.target or complaint.intake.target
    if target is not None and staff_key(target.staff_id) == staff_key(staff_id):
        return False, "the complaint is about this person (ESC-4)"
    need = required_rung_index(complaint, pack)
    if pack.rung_index(rung) < need:
        return False, (
            f"rung {rung} is below {pack.ladder[need].code}, "
            "the lowest allowed for this complaint (ESC-3/ESC-4)"
        )
    return True, ""


def plan_escalation(
    complaint: Complaint,
    trigger: Trigger,
    pack: RulePack,
    *,
    to_rung: str | None = None,
    steps: int = 1,
) -> EscalationPlan:
    """ESC-2, ESC-5: the next rung for a trigger; never down, never past the top.

    A serious complaint goes straight to the pack's ``serious_rung``; an explicit
    ``to_rung`` may skip rungs but not go down.  At the top rung there is nowhere
    to go: an :class:`EscalationError` says so.

    A ``to_rung`` at or below the current rung is refused naming it (ESC-5),
    even when the grade's or the target's floor (ESC-3, ESC-4) is higher.

    A serious escalation never ends below ``serious_rung`` (ESC-2: reported at
    once to the property director and the general manager's office).  A
    ``to_rung`` below it is refused with an :class:`EscalationError` naming
    ``to_rung``, rather than quietly raised: whoever named a lower rung either
    does not think the matter serious (then another trigger says so) or
    expects it to stop where they said, and should not learn only from who
    was told that it went higher.  Leave ``to_rung`` out to reach the serious
    rung; a ``to_rung`` at or above it is taken as given.
    """
    here = current_rung_index(complaint, pack)
    top = len(pack.ladder) - 1
    if to_rung is not None:
        target = pack.rung_index(to_rung, path="to_rung")
        if (
            trigger is Trigger.SERIOUS
            and pack.serious_rung
            and target < pack.rung_index(pack.serious_rung)
        ):
            raise EscalationError(
                complaint.id,
                pack.ladder[here].code,
                "escalate",
                f"to_rung {pack.ladder[target].code} is below {pack.serious_rung}, where a "
                "serious complaint is reported at once (ESC-2); leave to_rung out or "
                "name a rung at or above it",
            )
    elif trigger is Trigger.SERIOUS and pack.serious_rung:
        target = max(pack.rung_index(pack.serious_rung), min(here + 1, top))
    else:
        if steps < 1:  # a bad argument, not a wrong moment
            raise InvalidInputError("steps", "must be at least 1")
        target = min(here + steps, top)
    if to_rung is not None and target <= here:
        # refused naming the rung asked for, before the grade's floor can lift it
        # to one nobody named (review s49C F02)
        raise _not_above(complaint, pack, here, target)
    target = max(target, required_rung_index(complaint, pack))
    if target <= here:
        raise _not_above(complaint, pack, here, target)
    return EscalationPlan(pack.ladder[here].code, pack.ladder[target].code, trigger)


def _not_above(complaint: Complaint, pack: RulePack, here: int, target: int) -> EscalationError:
    """ESC-5: the refusal of a move from rung ``here`` to rung ``target``, not above it."""
    reason = (
        "already at the top rung (ESC-5)"
        if here == len(pack.ladder) - 1
        else f"{pack.ladder[target].code} is not above {pack.ladder[here].code} (ESC-5)"
    )
    return EscalationError(complaint.id, pack.ladder[here].code, "escalate", reason)
