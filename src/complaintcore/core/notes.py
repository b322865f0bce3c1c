"""The notes the library writes into a complaint's history, in both languages.

They are stored as ``中文 / English`` and ``show`` gives the reader's half.  A
note someone typed may look the same ("等业主回电 / booked for Monday (DL-8)"),
so :func:`halves` splits only a text that is exactly one of these notes: each
is rebuilt by the function that wrote it and compared whole, so no reader loses
words the other half holds (review s35A F03).  Plain string operations only: a
hostile note of any length is read in time proportional to it (review s35A F01).
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from complaintcore.core.rulepack import RulePack

__all__ = [
    "AGREED_WHEN_UNANSWERABLE",
    "ESCALATED_UNSATISFIED",
    "REACHED_CUSTOMER_SERVICE",
    "REOPENED_UNSATISFIED",
    "REQUIRED_RUNG",
    "group_incident",
    "halves",
    "passed_rungs",
    "serious",
]

_SEP: Final = " / "


def _both(zh: str, en: str) -> str:
    return f"{zh}{_SEP}{en}"


_REOPENED: Final = (
    "投诉人回访时不满意（VIS-1）",
    "complainant not satisfied at return visit (VIS-1)",
)
_ESCALATED: Final = ("回访不满意（VIS-1）", "not satisfied at return visit (VIS-1)")
_REQUIRED: Final = (
    "按等级或投诉对象须由此层级处理（ESC-3/ESC-4）",
    "required by grade or target (ESC-3/ESC-4)",
)
_AGREED: Final = (
    "不能马上解决，与客户再议解决时间（DL-3）",
    "cannot be solved at once: a new date agreed with the complainant (DL-3)",
)
_REACHED: Final = ("转交客服部（超时，IN-5）", "reached customer service, late (IN-5)")

REOPENED_UNSATISFIED: Final = _both(*_REOPENED)
"""VIS-1: why an unsatisfied visit reopens a complaint."""
ESCALATED_UNSATISFIED: Final = _both(*_ESCALATED)
"""VIS-1: why an unsatisfied visit takes a complaint one rung up."""
REQUIRED_RUNG: Final = _both(*_REQUIRED)
"""ESC-3, ESC-4: why an assignment first moves a complaint up the ladder."""
AGREED_WHEN_UNANSWERABLE: Final = _both(*_AGREED)
"""DL-3: the promise a reply that cannot solve the complaint at once records."""
REACHED_CUSTOMER_SERVICE: Final = f"{_REACHED[0]}/ {_REACHED[1]}"  # no space before "/", as stored
"""IN-5: the sweep's forward of a complaint another unit never passed on."""

_FIXED: Final = {
    REOPENED_UNSATISFIED: _REOPENED,
    ESCALATED_UNSATISFIED: _ESCALATED,
    REQUIRED_RUNG: _REQUIRED,
    REACHED_CUSTOMER_SERVICE: _REACHED,
    AGREED_WHEN_UNANSWERABLE: _AGREED,
}


def _serious(zh: str, en: str) -> tuple[str, str]:
    return f"{zh}：立即上报（HDL-6）", f"{en}: reported at once (HDL-6)"


def serious(zh: str, en: str) -> str:
    """HDL-6: an urgent category's report at once (trigger incident), named by its labels."""
    return _both(*_serious(zh, en))


def _group(issue: str, count: str) -> tuple[str, str]:
    return (
        f"集体事件 {issue}：{count} 名投诉人（HDL-6）",
        f"group incident {issue}: {count} complainants (HDL-6)",
    )


def group_incident(issue: str, complainants: int) -> str:
    """HDL-6: a group incident's report at once (``act group --incident``)."""
    return _both(*_group(issue, str(complainants)))


def _passed(pack: RulePack, vacant: Sequence[str]) -> tuple[str, str]:
    # the Chinese half names each rung as the tables do (review s34D), with its code
    named = "、".join(
        f"{r.zh}（{r.code}）" if r.zh else r.code for r in pack.ladder if r.code in vacant
    )
    return f"本项目无人担任 {named}", f"nobody at the site holds {', '.join(vacant)} (ESC-2)"


def passed_rungs(pack: RulePack, vacant: Sequence[str]) -> str:
    """ESC-2: the rungs nobody at the site holds, passed on the way up."""
    return _both(*_passed(pack, vacant))


def halves(text: str, pack: RulePack | None = None) -> tuple[str, str] | None:
    """``(中文, English)`` of a note the library wrote; ``None`` for any other text,
    which is shown as stored.  A part taken from the pack (a category's or a
    rung's label) must be the pack's own, so without a pack only the notes
    without one are split."""
    fixed = _FIXED.get(text)
    if fixed is not None:
        return fixed
    found = _group_halves(text)
    if found is None and pack is not None:
        found = _serious_halves(text, pack) or _passed_halves(text, pack)
    return found


def _group_halves(text: str) -> tuple[str, str] | None:
    tail = " complainants (HDL-6)"
    if not text.endswith(tail):
        return None
    head = text[: -len(tail)]
    count = head[len(head.rstrip("0123456789")) :]
    if not count:
        return None
    # the issue id stands twice in the note: its length follows from the note's
    issue_len, odd = divmod(len(text) - len(_both(*_group("", count))), 2)
    if odd or issue_len <= 0:
        return None
    start = len("集体事件 ")
    found = _group(text[start : start + issue_len], count)
    return found if _both(*found) == text else None


def _serious_halves(text: str, pack: RulePack) -> tuple[str, str] | None:
    if not text.endswith(": reported at once (HDL-6)"):
        return None
    for category in pack.categories:
        found = _serious(category.zh, category.en)
        if _both(*found) == text:
            return found
    return None


def _passed_halves(text: str, pack: RulePack) -> tuple[str, str] | None:
    lead, tail = "nobody at the site holds ", " (ESC-2)"
    at = text.rfind(f"{_SEP}{lead}")
    if at < 0 or not text.endswith(tail):
        return None
    listed = text[at + len(_SEP) + len(lead) : -len(tail)]
    vacant = listed.split(", ")
    if [r.code for r in pack.ladder if r.code in vacant] != vacant:
        return None  # the desk lists rungs of the pack, lowest first, each once
    zh, en = _passed(pack, vacant)
    if _both(zh, en) == text:
        return zh, en
    # before review s34D the Chinese half named the rungs by their codes
    earlier = f"本项目无人担任 {listed}"
    return (earlier, en) if _both(earlier, en) == text else None
