"""A complaint's events as people read them: each field named and shown in their language.

``show`` prints the timeline from the serialised record (so personal data is
already masked).  Enum values become their labels, pack codes (category,
department, rung, clock) the pack's labels, flags yes or no, and lists and
nested records plain text: no Python reprs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from complaintcore.core import notes
from complaintcore.core.models import (
    Cause,
    Fact,
    Grade,
    Kind,
    LabelledEnum,
    MeasureKind,
    Outcome,
    Trigger,
    Validity,
)
from complaintcore.core.rulepack import Measure

if TYPE_CHECKING:
    from complaintcore.core.rulepack import RulePack
    from complaintcore.i18n import Translator

__all__ = ["event_detail", "event_time"]

_COLUMNS = {"type", "at", "actor"}
"""Shown in columns of their own."""

_ENUMS: dict[str, type[LabelledEnum]] = {
    "cause": Cause,
    "validity": Validity,
    "complaint_kind": Kind,
    "grade": Grade,
    "trigger": Trigger,
    "facts": Fact,
    "measures": Measure,
    "measure_kind": MeasureKind,
    "outcome": Outcome,
}
_DEPARTMENTS = {"department", "previous_department", "to_unit", "unit", "helpers", "departments"}
_RUNGS = {"rung", "from_rung", "to_rung"}
_TIMES = {"due", "reply_due"}
_STAGES = {"stage", "from_stage"}
_FREE_CAUSE = {"cause_analysed"}
"""Events whose ``cause`` is free text (the analysis), not the CLS-2 cause."""

_CJK = re.compile(r"[\u3400-\u9fff]")


def event_time(value: str, zone: ZoneInfo | None = None) -> str:
    """An ISO time as the timeline shows it: to the minute, as a clock in ``zone`` reads.

    Events keep the offset of the ``now`` they were written with (UTC from cron,
    the pack's zone from staff); cutting the stored text would mix zones in one
    timeline unmarked, so every time is put in the desk's zone, which the
    timeline's title names.  In the hour a zone repeats when its clocks go back,
    the offset is added: the wall time alone names two instants (review s41D F03).
    """
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return value[:16]
    if zone is not None and at.tzinfo is not None:
        at = at.astimezone(zone)
        if at.replace(fold=1 - at.fold).utcoffset() != at.utcoffset():
            return at.isoformat(timespec="minutes")
    return at.strftime("%Y-%m-%dT%H:%M")


def event_detail(
    event: Mapping[str, Any],
    t: Translator,
    pack: RulePack | None,
    *,
    skip: set[str] | None = None,
    zone: ZoneInfo | None = None,
) -> str:
    """Every field of a serialised event but kind, time and actor, in ``t``'s language.

    Times (a promised ``due``) are shown in ``zone``, the desk's.
    """
    kind = str(event.get("type", ""))
    parts = []
    for name, value in event.items():
        if name in _COLUMNS or (skip and name in skip) or value in ("", [], None, {}):
            continue
        shown = _value(kind, name, value, t, pack, zone)
        parts.append(t("{field}: {value}", field=t.field(name), value=shown))
    return t("; ").join(parts)


def _value(
    kind: str,
    name: str,
    value: object,
    t: Translator,
    pack: RulePack | None,
    zone: ZoneInfo | None = None,
) -> str:
    if isinstance(value, list):
        if name == "explanation" and len(value) == 2:  # (zh, en): Classified explanations
            return t.pick(_chinese_only(str(value[0])), _english_only(str(value[1])), "explanation")
        return t(", ").join(_value(kind, name, v, t, pack, zone) for v in value)
    if isinstance(value, bool):
        return t.yes_no(value)
    if isinstance(value, dict):
        return _record(value, t, pack)
    text = str(value)
    enum = _ENUMS.get(name)
    if enum is not None and not (name == "cause" and kind in _FREE_CAUSE):
        member = next((m for m in enum if m.value == text), None)
        if member is not None:
            return t.label(member)
    if name == "category":
        return t.category(text, pack)
    if name in _DEPARTMENTS:
        return t.department(text, pack)
    if name in _RUNGS:
        return t.rung(text, pack)
    if name in _STAGES:
        return t.stage(text, pack)
    if name == "by" and kind == "extended":
        return _length(text, t)
    if name == "clock":
        return t(", ").join(t.clock(c, pack) for c in text.split(",") if c)
    if name in _TIMES:
        return event_time(text, zone)
    if name == "reasons":
        return _bilingual(text, t)
    if name in _NOTES:
        return _desk_note(text, t, pack)
    return text


def _length(text: str, t: Translator) -> str:
    from complaintcore.core.errors import InvalidInputError
    from complaintcore.core.rulepack import Duration

    try:
        return t.length(Duration.parse(text))
    except InvalidInputError:
        return text


def _record(value: Mapping[str, Any], t: Translator, pack: RulePack | None) -> str:
    """A nested record (the staff member a complaint is about): its id and rung."""
    staff = str(value.get("staff_id", ""))
    rung = str(value.get("rung", ""))
    if staff:
        return t("{staff} ({rung})", staff=staff, rung=t.rung(rung, pack)) if rung else staff
    return t("; ").join(
        t("{field}: {value}", field=t.field(k), value=str(v)) for k, v in value.items() if v
    )


_CJK_ASIDE = re.compile(r" \([^()]*[\u3400-\u9fff][^()]*\)")
"""A Chinese label in brackets, as earlier releases wrote it in a classification's
English text ("→ repairs (维修)"), which stays stored."""


def _english_only(text: str) -> str:
    """A stored English explanation without a Chinese label in brackets."""
    return _CJK_ASIDE.sub("", text)


_LATIN_ASIDE = re.compile(r"(→ [^；()]*?) \([^()\u3400-\u9fff]+\)")
"""The category's English label in brackets after its Chinese one, as the core writes
a classification's Chinese text ("→ 维修 (repairs and maintenance)")."""


def _chinese_only(text: str) -> str:
    """A stored Chinese explanation without the category's English label: a Chinese
    reader of ``show`` reads every word in Chinese (docs/cli.md)."""
    return _LATIN_ASIDE.sub(r"\1", text, count=1)


_NOTES = {"note", "reason"}
"""Free-text fields the library and the desk also fill with notes of their own."""


def _desk_note(text: str, t: Translator, pack: RulePack | None) -> str:
    """A note the library wrote (:func:`complaintcore.core.notes.halves`): the
    reader's half; any other note, typed ones too, whole as stored."""
    found = notes.halves(text, pack)
    return text if found is None else t.pick(*found, "note")


def _bilingual(text: str, t: Translator) -> str:
    """A grade reason the core wrote as ``中文 / English``: the reader's half."""
    zh, sep, en = text.partition(" / ")
    if sep and _CJK.search(zh) and not _CJK.search(en):
        return t.pick(zh, en, "reason")
    return text
