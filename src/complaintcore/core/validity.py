"""Record completeness, the five clears, complaint-vs-request, and the validity verdict.

Rules: REC-1 (mandatory fields), REC-2 (five clears), REC-4 (reason recorded when
a complaint cannot be answered at once), VAL-1 (verification outcome), VAL-2
(reasonableness and responsible department), VAL-4 (only a valid complaint is
counted as a complaint).

Pure core: standard library and attrs only; no I/O and no clock.  Checks that
judge input return a report with every reason; operations that cannot proceed
raise.  No reason ever contains the value it judges (PRV-1).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime

import attrs

from complaintcore.core.classification import _KeywordMatcher
from complaintcore.core.errors import (
    FieldProblem,
    IncompleteRecordError,
    InvalidInputError,
    shown_code,
)
from complaintcore.core.models import (
    Assessed,
    Assigned,
    Closed,
    Complaint,
    ComplaintState,
    Escalated,
    Event,
    Fact,
    Handled,
    Intake,
    Kind,
    LabelledEnum,
    Registered,
    Reopened,
    Replied,
    Responded,
    Validity,
    Visited,
    require_aware,
)
from complaintcore.core.rulepack import (
    DEFAULT_PHONE_REGIONS,
    DEFAULT_ROOM_STYLE,
    ROOM_STYLES,
    RulePack,
)

__all__ = [
    "COMPLAINT_WORDS",
    "DEFAULT_PHONE_REGIONS",
    "MANDATORY_FIELDS",
    "NO_RECEIVER",
    "PHONE_REGIONS",
    "ROOM_STYLES",
    "Clear",
    "FiveClears",
    "RecordReport",
    "assess",
    "check_record",
    "counts_as_complaint",
    "five_clears",
    "infer_kind",
    "is_valid_room",
    "normalise_phone",
    "phone_kinds",
    "require_reason",
    "require_received",
    "require_registrable",
]


# --------------------------------------------------------------------------- phones

_PHONE_CHARS = re.compile(r"[0-9+\- ()]+")
_SEPARATORS = re.compile(r"[\- ()]+")
# An extension written out: 转 123, 分机123, ext. 123, x123, #123.
_EXTENSION_WORD = re.compile(r"\s*(?:转|分机|ext\.?|x|#)\s*([0-9]{1,6})$")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_SERVICE = re.compile(r"[48]00[0-9]{7}")
_LANDLINE = re.compile(r"0[0-9]{9,11}")
_MAX_PHONE_CHARS = 40

PHONE_REGIONS: tuple[str, ...] = ("CN", "HK", "MO", "TW", "GB")
"""Regions whose numbers are checked by their own format (mainland China, Hong
Kong, Macau, Taiwan, the United Kingdom).  A pack's ``phone_regions`` lists some
of them, ``"+<country code>"`` entries such as ``"+65"``, or is ``"any"``: the
Chinese regions and every other ``+<country code>`` number."""

_ANY = ("CN", "HK", "MO", "TW")
"""What ``"any"`` allows besides every ``+<country code>`` number: UK numbers in
their national form (``07700 900123``) would read as Chinese landlines there."""

_GB = re.compile(r"[1-9][0-9]{8,9}")
"""A UK national significant number: 9 or 10 digits after the trunk 0 (Ofcom's plan)."""

# Country code -> (region, national number pattern after any trunk 0 is dropped).
_GREATER_CHINA = {
    "852": ("HK", re.compile(r"[2-9][0-9]{7}")),  # 8 digits
    "853": ("MO", re.compile(r"[2689][0-9]{7}")),  # 8 digits: 28… fixed, 6… mobile
    "886": ("TW", re.compile(r"[2-9][0-9]{7,8}")),  # 9 (mobiles, Taipei) or 8 digits
}
_E164 = re.compile(r"[1-9][0-9]{6,14}")  # a country code and number: 7 to 15 digits


def _allowed(regions: Iterable[str] | str) -> frozenset[str]:
    """The allowed entries; ``"any"`` allows every region, the mainland's formats too."""
    if isinstance(regions, str):
        regions = (regions,)
    if not isinstance(regions, Iterable):
        raise InvalidInputError("phone_regions", "expected a region code or a list of them")
    found = frozenset(regions)
    if not all(isinstance(r, str) for r in found):
        raise InvalidInputError("phone_regions", "expected region codes (text)")
    return found | set(_ANY) if "any" in found else found


def _international_allowed(digits: str, region: str, allowed: frozenset[str]) -> bool:
    """``digits`` is the number after ``+``; ``region`` its region code or ``""``."""
    if "any" in allowed or (region and region in allowed):
        return True
    return any(a.startswith("+") and digits.startswith(a[1:]) for a in allowed)


def normalise_phone(text: str, regions: Iterable[str] | str = DEFAULT_PHONE_REGIONS) -> str | None:
    """A phone number in one canonical form, or None if it is not one ``regions`` allow.

    Spaces, dashes and brackets are separators; full-width digits and ``＋`` are
    read as ASCII; ``00`` is the international prefix, like ``+``.

    Mainland China (``"CN"``), strict as before:

    * mobile: 11 digits ``1[3-9]…``, optionally after ``+86``, ``0086`` or ``86``
      → ``+8613812345678``;
    * landline: area code (0 + 2–3 digits) then 7–8 digits, optionally after
      ``+86``/``0086`` (the area code's leading 0 dropped or not), with an optional extension
      (``-123``, ``转123``, ``ext 123``, ``x123``, ``#123``)
      → ``+861012345678`` or ``+861012345678;ext=123`` (RFC 3966 style);
    * service numbers ``400``/``800`` + 7 digits → ``4001234567``.

    A landline without its area code is refused: it is ambiguous across cities.

    Elsewhere, only in international form (``+`` or ``00``), as E.164
    (``+`` and digits): Hong Kong ``"HK"`` (+852, 8 digits), Macau ``"MO"``
    (+853, 8 digits), Taiwan ``"TW"`` (+886, 8 or 9 digits after a trunk 0 is
    dropped: ``+886 0912 345 678`` → ``+886912345678``), and with ``"any"`` or a
    ``"+<country code>"`` entry, any other country's number of 7 to 15 digits.
    """
    if not isinstance(text, str):
        return None
    allowed = _allowed(regions)
    if text.isascii() and text.isdigit():
        # Plain digits, as most stored numbers are: no width, separators or
        # extension to undo, so the steps below would leave them as they are.
        return _canonical(text, "", allowed) if len(text) <= _MAX_PHONE_CHARS else None
    s = unicodedata.normalize("NFKC", text).strip().lower()
    if not s or len(s) > _MAX_PHONE_CHARS:
        return None
    ext = ""
    m = _EXTENSION_WORD.search(s)
    if m is not None:
        ext = m.group(1)
        s = s[: m.start()].strip()
    if not _PHONE_CHARS.fullmatch(s) or "+" in s.lstrip("(")[1:]:  # "(+852) …" is fine
        return None
    groups = [g for g in _SEPARATORS.split(s) if g]
    if not groups:
        return None
    candidates = [("".join(groups), ext)]
    if not ext and len(groups) >= 2 and len(groups[-1]) <= 6:
        # "010-62345678-123": the last short group may be an extension.
        candidates.append(("".join(groups[:-1]), groups[-1]))
    for digits, extension in candidates:
        found = _canonical(digits, extension, allowed)
        if found is not None:
            return found
    return None


def _canonical(digits: str, ext: str, allowed: frozenset[str]) -> str | None:
    international = False
    if digits.startswith("+"):
        digits, international = digits[1:], True
    elif digits.startswith("00"):
        digits, international = digits[2:], True
    if not digits.isascii() or not digits.isdigit():
        return None
    if international and not digits.startswith("86"):
        return None if ext else _abroad(digits, allowed)
    if international:
        digits = digits[2:]
    if "CN" not in allowed:
        return _british(digits, ext, allowed)
    if digits.startswith("86") and len(digits) == 13 and not international:
        digits, international = digits[2:], True
    if _MOBILE.fullmatch(digits):
        return None if ext else "+86" + digits
    if _SERVICE.fullmatch(digits):
        return None if ext or international else digits
    if international and not digits.startswith("0"):
        digits = "0" + digits  # +86 10 …: the trunk 0 is dropped (+86 010 … is tolerated)
    found = _landline(digits)
    if found is None:
        return None
    return f"{found};ext={ext}" if ext else found


def _british(digits: str, ext: str, allowed: frozenset[str]) -> str | None:
    """A UK number in its national form (``0`` and 9 or 10 digits) as ``+44…``."""
    if "GB" not in allowed or not digits.startswith("0") or not _GB.fullmatch(digits[1:]):
        return None
    return f"+44{digits[1:]};ext={ext}" if ext else f"+44{digits[1:]}"


def _abroad(digits: str, allowed: frozenset[str]) -> str | None:
    """A number outside the mainland, after ``+``: E.164 if its region is allowed."""
    if digits.startswith("44") and "GB" in allowed:
        rest = digits[2:].removeprefix("0")  # +44 (0)20 …: the trunk 0 is dropped
        if not _GB.fullmatch(rest):
            return None
        return f"+44{rest}" if _international_allowed(digits, "GB", allowed) else None
    for code, (region, national) in _GREATER_CHINA.items():
        if digits.startswith(code):
            rest = digits[len(code) :]
            if region == "TW" and rest.startswith("0"):
                rest = rest[1:]  # +886 0912 …: the domestic trunk 0 is dropped
            if not national.fullmatch(rest):
                return None
            return f"+{code}{rest}" if _international_allowed(digits, region, allowed) else None
    if not _E164.fullmatch(digits):
        return None
    return "+" + digits if _international_allowed(digits, "", allowed) else None


def phone_kinds(regions: Iterable[str] | str = DEFAULT_PHONE_REGIONS) -> str:
    """The numbers ``regions`` allow, in words, for error messages."""
    allowed = _allowed(regions)
    words = []
    if "CN" in allowed:
        words.append("mainland mobile, landline with area code, or 400/800 number")
    if "GB" in allowed:
        words.append("a UK number (07700 900123, 020 7946 0000 or +44 …)")
    codes = [f"+{c}" for c, (r, _) in _GREATER_CHINA.items() if r in allowed]
    codes += sorted(a for a in allowed if a.startswith("+"))
    if "any" in allowed:
        words.append("an international number in +<country code> form")
    elif codes:
        words.append(f"{'/'.join(codes)} in international form")
    return "; or ".join(words) or "no numbers are allowed by the rule pack"


def _landline(digits: str) -> str | None:
    """``0`` + area code + local number as ``+86…``; None if it is not one.

    Area codes are 0 + 2 digits when the next digit is 1 or 2 (010 Beijing,
    02x), otherwise 0 + 3 digits (0755); local numbers have 7 or 8 digits and do
    not start with 0 or 1.
    """
    if not _LANDLINE.fullmatch(digits):
        return None
    area = 3 if digits[1] in "12" else 4
    local = digits[area:]
    if not 7 <= len(local) <= 8 or local[0] in "01":
        return None
    return "+86" + digits[1:]


# --------------------------------------------------------------------------- rooms

_ROOM_MAX = 32
_ROOM_CHARS = re.compile(r"[0-9A-Za-z\u3400-\u4dbf\u4e00-\u9fff\-#/ ]+")
# room_style "address" (review s54R12 F01): an address's flat or unit, as the UK
# writes it ("Flat 3, 12 High Street", "Apt. 5", "12 St. John's Road", "Flat 2/1"):
# letters of any script, ASCII digits and these marks.
_ADDRESS_MARKS = frozenset("-#/ ,.'’()")


def _room_label(style: str) -> str:
    """The room field as a reason names it: a Chinese house number, or (``address``)
    a flat or unit, in English alone (review s54R12 F01)."""
    return _ADDRESS_LABEL if style == "address" else _LABELS["complainant.room"]


def _room_problem(text: str, style: str = DEFAULT_ROOM_STYLE) -> str | None:
    """Why a room/unit number is malformed, or None if it is acceptable.

    ``style`` is the pack's ``room_style`` (:data:`ROOM_STYLES`).  Worded as
    :func:`check_record` reports it: the field and the rule (REC-1), never the
    value (PRV-1).
    """
    label = _room_label(style)
    s = unicodedata.normalize("NFKC", text).strip()
    if len(s) > _ROOM_MAX:
        return _too_long(label, _ROOM_MAX)
    if style == "address":
        if not all(ch.isalpha() or "0" <= ch <= "9" or ch in _ADDRESS_MARKS for ch in s):
            return f"{label} may contain only letters, digits, spaces and - # / , . ' ’ ( ) (REC-1)"
    elif not _ROOM_CHARS.fullmatch(s):
        return (
            f"{label} may contain only letters, digits, Chinese characters, "
            "'-', '#', '/' and spaces (REC-1)"
        )
    if not any(ch.isdigit() for ch in s):
        return f"{label} must contain a digit (REC-1)"
    return None


def is_valid_room(text: str, style: str = DEFAULT_ROOM_STYLE) -> bool:
    """REC-1: a house number like ``1201``, ``3-2-1201``, ``A栋1201``, ``5#1102``; with
    ``style="address"`` (the UK packs' ``room_style``) a flat or unit as an address
    writes it too: ``Flat 3, 12 High Street``, ``Apt. 5``, ``Flat 2/1``."""
    return isinstance(text, str) and bool(text.strip()) and _room_problem(text, style) is None


# --------------------------------------------------------------------------- REC-1

MANDATORY_FIELDS: tuple[str, ...] = (
    "complainant.room",
    "complainant.name",
    "complainant.phone",
    "received_at",
    "summary",
)
"""REC-1: the fields every registered complaint records, in report order."""

_LABELS = {
    "complainant.room": "room number (房号)",
    "complainant.name": "complainant name (姓名)",
    "complainant.phone": "contact phone (联系电话)",
    "received_at": "date and time received (受理时间)",
    "summary": "summary of the complaint (诉求内容摘要)",
    "channel": "channel (渠道)",  # IN-1: not a REC-1 field, but never defaulted either
}
_ADDRESS_LABEL = "flat or unit"
"""The room field of a pack whose ``room_style`` is ``address`` (review s54R12 F01)."""
_NAME_MAX = 64
_SUMMARY_MAX = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # the one rule of core.limits


@attrs.frozen
class RecordReport:
    """REC-1: every missing or malformed mandatory field, each with a reason.

    ``missing`` lists paths that are empty or blank; ``malformed`` lists paths
    whose value is present but unacceptable.  Reasons never quote the value.
    """

    problems: tuple[FieldProblem, ...] = ()
    missing: tuple[str, ...] = ()
    malformed: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def _text_problem(
    path: str,
    value: object,
    regions: Iterable[str] | str = DEFAULT_PHONE_REGIONS,
    room_style: str = DEFAULT_ROOM_STYLE,
) -> tuple[bool, str] | None:
    """(is_missing, reason) for a text field, or None when it is fine."""
    label = _room_label(room_style) if path == "complainant.room" else _LABELS[path]
    if not isinstance(value, str):
        return False, f"{label} must be text (REC-1)"
    if not value.strip():
        return True, _missing_reason(path, room_style)
    if _CONTROL.search(value):
        return False, f"{label} contains control characters (REC-1)"
    if path == "complainant.name":
        if len(value.strip()) > _NAME_MAX:
            return False, _too_long(label, _NAME_MAX)
        if not any(ch.isalpha() for ch in value):
            return False, f"{label} must contain a letter or Chinese character (REC-1)"
    elif path == "complainant.phone":
        if normalise_phone(value, regions) is None:
            return False, f"{label} is not a recognised number ({phone_kinds(regions)}) (REC-1)"
    elif path == "complainant.room":
        reason = _room_problem(value, room_style)
        if reason is not None:
            return False, reason
    elif path == "summary" and len(value) > _SUMMARY_MAX:
        return False, _too_long(label, _SUMMARY_MAX)
    return None


def _too_long(label: str, limit: int) -> str:
    return f"{label} is too long (at most {limit} characters) (REC-1)"


def check_record(
    intake: Intake,
    phone_regions: Iterable[str] | str = DEFAULT_PHONE_REGIONS,
    room_style: str = DEFAULT_ROOM_STYLE,
) -> RecordReport:
    """REC-1: report every mandatory field that is missing or malformed.

    Blank or white-space-only text counts as missing.  The phone must be a
    number of one of ``phone_regions`` (the pack's ``phone_regions``; by
    default a mainland mobile, landline with area code or 400/800 number, or a
    Hong Kong, Macau or Taiwan number in international form: see
    :func:`normalise_phone`); the room must look like a house number, or, with
    ``room_style="address"`` (the pack's ``room_style``), a flat or unit as an
    address writes it (:func:`is_valid_room`); ``received_at`` must be a
    time-zone-aware datetime.
    """
    if not isinstance(intake, Intake):
        raise InvalidInputError("intake", f"expected an Intake, got {type(intake).__name__}")
    if room_style not in ROOM_STYLES:
        raise InvalidInputError("room_style", f"expected one of {', '.join(ROOM_STYLES)}")
    c = intake.complainant
    values: dict[str, object] = {
        "complainant.room": getattr(c, "room", None),
        "complainant.name": getattr(c, "name", None),
        "complainant.phone": getattr(c, "phone", None),
        "summary": intake.summary,
    }
    problems: list[FieldProblem] = []
    missing: list[str] = []
    malformed: list[str] = []
    for path in MANDATORY_FIELDS:
        found: tuple[bool, str] | None
        if path == "received_at":
            found = _received_problem(intake.received_at)
        else:
            found = _text_problem(path, values[path], phone_regions, room_style)
        if found is None:
            continue
        is_missing, reason = found
        problems.append(FieldProblem(path, reason))
        (missing if is_missing else malformed).append(path)
    return RecordReport(tuple(problems), tuple(missing), tuple(malformed))


def _missing_reason(path: str, room_style: str = DEFAULT_ROOM_STYLE) -> str:
    """Why ``path`` (a REC-1 field, or IN-1's ``channel``) is refused when it is missing.

    One wording wherever a missing field is found: here, and where a file's row
    lacks a cell an intake cannot be built without (``desk.importer``).  The room
    is named as the pack's ``room_style`` names it.
    """
    if path == "channel":
        return f"{_LABELS[path]} is missing (IN-1)"
    if path == "complainant.room":
        return f"{_room_label(room_style)} is missing (REC-1)"
    return f"{_LABELS[path]} is missing (REC-1)"


def _received_problem(value: object) -> tuple[bool, str] | None:
    label = _LABELS["received_at"]
    if value is None:
        return True, _missing_reason("received_at")
    if not isinstance(value, datetime):
        return False, f"{label} must be a datetime (REC-1)"
    if value.tzinfo is None or value.utcoffset() is None:
        return False, f"{label} must be timezone-aware (REC-1)"
    return None


def require_registrable(
    intake: Intake,
    phone_regions: Iterable[str] | str = DEFAULT_PHONE_REGIONS,
    room_style: str = DEFAULT_ROOM_STYLE,
) -> None:
    """REC-1: raise :class:`IncompleteRecordError` listing every problem, if any."""
    report = check_record(intake, phone_regions, room_style)
    if not report.ok:
        raise IncompleteRecordError(report.problems)


NO_RECEIVER = "the staff id of whoever took the complaint is missing (REC-5)"
"""Why a receipt without its receiver is refused: named as the field the clerk fills
(``Intake.receiver``, ``receive --receiver``, a file's ``receiver`` column), not as
the command's ``actor`` (reviews s52R6 F03, s52R12 F01)."""


def require_received(
    intake: Intake,
    phone_regions: Iterable[str] | str = DEFAULT_PHONE_REGIONS,
    room_style: str = DEFAULT_ROOM_STYLE,
) -> None:
    """IN-2, REC-5: a receipt names whoever took it, the recorded receiver.

    An intake whose ``receiver`` is blank is refused with
    :class:`IncompleteRecordError` naming ``receiver``, after every REC-1 problem
    it has besides (as a file's row is, ``desk.importer``), whoever is acting.
    """
    receiver = intake.receiver
    if isinstance(receiver, str) and receiver.strip():
        return
    problems = check_record(intake, phone_regions, room_style).problems
    raise IncompleteRecordError((*problems, FieldProblem("receiver", NO_RECEIVER)))


# --------------------------------------------------------------------------- REC-4


def require_reason(reason: str, path: str = "unanswerable_reason") -> str:
    """REC-4: the stated reason a complaint cannot be answered at once, stripped.

    Raises :class:`InvalidInputError` naming ``path`` when it is not text or blank.
    """
    if not isinstance(reason, str):
        raise InvalidInputError(path, f"expected text, got {type(reason).__name__}")
    stripped = reason.strip()
    if not stripped:
        raise InvalidInputError(path, "a reason is required (REC-4)")
    return stripped


# --------------------------------------------------------------------------- REC-2


class Clear(LabelledEnum):
    """REC-2: the five clears (五清楚)."""

    ASKED = "asked", "问清楚", "what, when, where and how it happened"
    HEARD = "heard", "听清楚", "the complainant's own account"
    FOLLOWED = "followed", "跟清楚", "the follow-up history"
    REPLIED = "replied", "复清楚", "the replies given"
    RECORDED = "recorded", "记清楚", "the final result"


_FOLLOW_UP = (Assigned, Escalated, Visited, Handled)
_ROUTING = (Assigned, Escalated)  # at the registration's instant: the receipt's own


@attrs.frozen
class FiveClears:
    """REC-2: which of the five clears the record captures."""

    asked: bool
    heard: bool
    followed: bool
    replied: bool
    recorded: bool

    def items(self) -> tuple[tuple[Clear, bool], ...]:
        """Each clear with whether it is captured, in the order of REC-2."""
        return (
            (Clear.ASKED, self.asked),
            (Clear.HEARD, self.heard),
            (Clear.FOLLOWED, self.followed),
            (Clear.REPLIED, self.replied),
            (Clear.RECORDED, self.recorded),
        )

    def missing(self) -> tuple[Clear, ...]:
        """The clears not yet captured (labels via ``Clear.label(lang)``)."""
        return tuple(c for c, ok in self.items() if not ok)

    @property
    def complete(self) -> bool:
        return not self.missing()


def five_clears(intake: Intake, events: Iterable[Event] = ()) -> FiveClears:
    """REC-2: what the intake record and the event history capture.

    * 问清楚 — summary, description, ``occurred_at`` and location all recorded;
    * 听清楚 — the complainant's own account (``intake.account``);
    * 跟清楚 — any visited or handled event, or an assignment or escalation after
      the receipt (the routing that registered it follows nothing up yet: 002 §5
      "一跟到底", review s57R4 F05; nor does a group incident's or an urgent
      category's HDL-6 report recorded at registration, re-review s57R8 F04).
      The receipt's routing is told by its instant, the registration's: an
      assignment a script records later with the same time is not counted either.
    * 复清楚 — any reply, or a stage's response under a staged pack;
    * 记清楚 — a closure with a result, or a final reply, after the last reopening.
    """
    history = tuple(events)
    asked = (
        bool(intake.summary.strip())
        and bool(intake.description.strip())
        and intake.occurred_at is not None
        and bool(intake.location.strip())
    )
    heard = bool(intake.account.strip())
    registered = next((e.at for e in history if isinstance(e, Registered)), None)
    followed = any(
        isinstance(e, _FOLLOW_UP)
        and not (isinstance(e, _ROUTING) and registered is not None and e.at == registered)
        for e in history
    )
    # a staged pack answers with a stage's written response (HOC 6.3, 6.14; the SPSO's
    # stage responses), not with ``reply`` (review s58R3 F01)
    replied = any(isinstance(e, (Replied, Responded)) for e in history)
    recorded = False
    for e in history:
        if isinstance(e, Reopened):
            recorded = False
        elif (isinstance(e, Closed) and e.result.strip()) or (isinstance(e, Replied) and e.final):
            recorded = True
    return FiveClears(asked, heard, followed, replied, recorded)


# --------------------------------------------------------------------------- VAL-4

COMPLAINT_WORDS: tuple[str, ...] = (
    "投诉",
    "不满",
    "不满意",
    "举报",
    "索赔",
    "赔偿",
    "太差",
    "差劲",
    "恶劣",
    "态度差",
    "complain",
    "complaint",
    "unacceptable",
    "dissatisfied",
    "unhappy",
    "compensation",
)
"""VAL-4: words that make a message a complaint whatever else it asks for."""


@functools.lru_cache(maxsize=32)
def _kind_matcher(
    complaint: tuple[str, ...], request: tuple[str, ...], enquiry: tuple[str, ...]
) -> _KeywordMatcher:
    return _KeywordMatcher.build([complaint, request, enquiry])


def infer_kind(
    text: str, pack: RulePack, *, complaint_words: Sequence[str] = COMPLAINT_WORDS
) -> Kind:
    """VAL-4: complaint, service request or enquiry, from the pack's kind keywords.

    Matching follows classification (NFKC, case folding, CJK substrings, word
    boundaries and simple inflections for other words).  Precedence: any
    complaint word → complaint; else any request keyword → request (a request
    phrased as a question is still a request); else any enquiry keyword →
    enquiry; else complaint (it came in as one).
    """
    if not isinstance(text, str):
        raise InvalidInputError("text", f"expected text, got {type(text).__name__}")
    rules = pack.kind_rules
    matcher = _kind_matcher(tuple(complaint_words), tuple(rules.request), tuple(rules.enquiry))
    seen: set[int] = set()
    for k in matcher.scan(text):
        seen.update(matcher.groups_of[k])
    if 0 in seen:
        return Kind.COMPLAINT
    if 1 in seen:
        return Kind.REQUEST
    if 2 in seen:
        return Kind.ENQUIRY
    return Kind.COMPLAINT


def suggested_kind(complaint: Complaint, pack: RulePack) -> Kind | None:
    """VAL-4: the kind the pack's ``[kind_rules]`` words suggest for a complaint
    not assessed yet (:func:`infer_kind` of its summary and description), when
    it is not a complaint: an enquiry or a service request, for the handler to
    decide (``assess`` with its ``kind``); ``None`` once a handler assessed it
    (the kind is decided) or when the words call it a complaint (review s57R4
    F04).  A pack's ``valid_at_intake`` registration records an assessment no
    handler made: that one decides nothing."""
    events = complaint.events
    for i, e in enumerate(events):
        automatic = pack.valid_at_intake and i > 0 and isinstance(events[i - 1], Registered)
        if isinstance(e, Assessed) and not automatic:
            return None
    kind = infer_kind(complaint.intake.text, pack)
    return None if kind is Kind.COMPLAINT else kind


def counts_as_complaint(subject: Complaint | ComplaintState) -> bool:
    """VAL-4: only a *valid* complaint of kind *complaint* is graded, sanctioned and counted."""
    state = subject.state if isinstance(subject, Complaint) else subject
    if not isinstance(state, ComplaintState):
        raise InvalidInputError(
            "complaint", f"expected a Complaint or ComplaintState, got {type(subject).__name__}"
        )
    return state.validity is Validity.VALID and state.complaint_kind is Kind.COMPLAINT


# --------------------------------------------------------------------------- VAL-1, VAL-2


def assess(
    pack: RulePack,
    *,
    at: datetime,
    actor: str,
    validity: Validity | str,
    kind: Kind | str = Kind.COMPLAINT,
    reasonable: bool | None = None,
    department: str = "",
    facts: Iterable[Fact | str] = (),
    note: str = "",
) -> Assessed:
    """VAL-1, VAL-2, VAL-4: the ``Assessed`` event for a handler's verdict.

    ``validity`` and ``kind`` accept members, values or labels; ``department``
    (the department responsible, VAL-2) may be empty but otherwise must be one of
    the pack's departments.  Every bad argument raises :class:`InvalidInputError`
    naming it.
    """
    require_aware(at, "at")
    if not isinstance(actor, str) or not actor.strip():
        raise InvalidInputError("actor", "an actor is required")
    verdict = Validity.parse(validity, "validity")
    complaint_kind = Kind.parse(kind, "complaint_kind")
    if reasonable is not None and not isinstance(reasonable, bool):
        raise InvalidInputError(
            "reasonable", f"expected true, false or none, got {type(reasonable).__name__}"
        )
    if not isinstance(department, str):
        raise InvalidInputError("department", f"expected text, got {type(department).__name__}")
    department = department.strip()
    if department and not pack.has_department(department):
        shown = shown_code(department, pack.codes_of("department"))
        raise InvalidInputError("department", f"unknown department {shown} in pack {pack.name}")
    if isinstance(facts, str):
        facts = (facts,)
    found = frozenset(Fact.parse(f, "facts") for f in facts)
    if not isinstance(note, str):
        raise InvalidInputError("note", f"expected text, got {type(note).__name__}")
    return Assessed(
        at=at,
        actor=actor,
        validity=verdict,
        complaint_kind=complaint_kind,
        reasonable=reasonable,
        department=department,
        facts=found,
        note=note,
    )
