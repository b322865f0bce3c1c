"""Staff-directory adapters: an in-memory directory and TOML/CSV staff files.

Hosts without an HR system of their own keep their staff in a small file: a
TOML file (``[[staff]]`` tables) written by hand, or a CSV file exported from
Excel.  Either is read into a :class:`StaffList`, the in-memory
:class:`~complaintcore.desk.ports.StaffDirectory` that ``complaintcore.testing``
reuses as its fake.

Loading validates every record and collects *every* problem, each with its
location (``staff[3].rung`` or ``row 5, column rung``), before raising one
:class:`~complaintcore.core.errors.SerializationError` naming the file: an office
fixing its spreadsheet should see all its mistakes at once (on ``.problems``; the
one-line message names the first few and counts the rest).  With a rule pack,
rungs are checked against the pack's ladder (ESC-1) and departments against
its departments (CLS-3).  Error texts name fields and staff ids but never quote
a cell's value, so a shifted column cannot leak a name or a phone (PRV-1).
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, time, tzinfo
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Final

from complaintcore import _toml as toml
from complaintcore.core.errors import FieldProblem, InvalidInputError, SerializationError
from complaintcore.core.limits import cell_count_reason, check_label
from complaintcore.core.models import require_aware, staff_key
from complaintcore.core.privacy import _FORMAT
from complaintcore.desk.ports import DutyWindow, StaffMember

if TYPE_CHECKING:
    from complaintcore.core.rulepack import RulePack

__all__ = [
    "CSV_COLUMNS",
    "SAMPLE_STAFF_FILE",
    "StaffList",
    "load_sample_staff",
    "load_staff_file",
    "parse_duty",
    "staff_from_csv",
    "staff_from_records",
    "staff_from_toml",
    "write_sample_staff",
]

CSV_COLUMNS: Final = (
    "staff_id",
    "name",
    "role",
    "rung",
    "department",
    "site",
    "email",
    "phone",
    "webhook",
    "duty",
    "sees_personal_data",
    "os_user",
)
"""The columns of a staff CSV file (and the keys of a ``[[staff]]`` table), in order."""

_REQUIRED: Final = ("staff_id", "name", "role", "rung", "department")

_RESERVED_KEYS: Final = frozenset({"system"})
"""Staff ids reserved for the desk itself (``access.RESERVED_ACTORS``, folded)."""

SAMPLE_STAFF_FILE: Final = "sample-staff.toml"
"""The packaged sample's file name (in ``complaintcore.data``)."""

_DATA_PACKAGE: Final = "complaintcore.data"


# --------------------------------------------------------------------------- the directory


class StaffList:
    """An in-memory staff directory: the built-in adapter and the tests' fake.

    Members keep the order they were given in.  Staff ids must be unique,
    because events and notifications name people by id alone.
    """

    __slots__ = ("_by_id", "_by_key", "_members")

    def __init__(self, members: Iterable[StaffMember] = ()) -> None:
        self._members: tuple[StaffMember, ...] = tuple(members)
        by_id: dict[str, StaffMember] = {}
        by_key: dict[str, StaffMember] = {}
        first: dict[str, int] = {}
        for i, member in enumerate(self._members):
            if not isinstance(member, StaffMember):
                raise InvalidInputError(
                    f"members[{i}]", f"expected a StaffMember, got {type(member).__name__}"
                )
            key = staff_key(member.staff_id)
            if not key:
                raise InvalidInputError(f"members[{i}].staff_id", "must not be empty")
            if key in _RESERVED_KEYS:
                raise InvalidInputError(
                    f"members[{i}].staff_id", "is reserved for the desk's own acts"
                )
            if key in first:
                raise InvalidInputError(
                    f"members[{i}].staff_id",
                    f"duplicate staff id {member.staff_id!r} (first at members[{first[key]}];"
                    " ids differing only in case, width or spaces are one id)",
                )
            by_id[member.staff_id] = member
            by_key[key] = member
            first[key] = i
        self._by_id = by_id
        self._by_key = by_key

    # ---------------------------------------------------------------- the port

    def get(self, staff_id: str) -> StaffMember | None:
        """The member with this id, or ``None`` (an unknown id is not an error here).

        Ids are matched as :func:`~complaintcore.core.models.staff_key` folds
        them: ``"sr-301 "`` and ``"ＳＲ-301"`` find ``SR-301``.
        """
        if not isinstance(staff_id, str):
            return None
        return self._by_id.get(staff_id) or self._by_key.get(staff_key(staff_id))

    def members(self) -> Sequence[StaffMember]:
        """Everyone, in the order given."""
        return self._members

    # ---------------------------------------------------------------- helpers

    def by_rung(self, rung: str) -> tuple[StaffMember, ...]:
        """Members at one rung of the ladder (ESC-1), e.g. who can take an escalation."""
        return tuple(m for m in self._members if m.rung == rung)

    def at_site(self, site: str) -> tuple[StaffMember, ...]:
        """Members who work at ``site``, including head-office staff (site ``"*"``)."""
        return tuple(m for m in self._members if m.works_at(site))

    def in_department(self, department: str) -> tuple[StaffMember, ...]:
        """Members of one department (CLS-3), e.g. who owns a category's fix."""
        return tuple(m for m in self._members if m.department == department)

    def on_duty(self, at: datetime, tz: tzinfo | None = None) -> tuple[StaffMember, ...]:
        """Members on duty at an aware datetime, hours read in ``tz`` (default: ``at``'s zone).

        Members without duty hours always are.
        """
        require_aware(at, "at")
        return tuple(m for m in self._members if m.on_duty(at, tz))

    def sites(self) -> tuple[str, ...]:
        """The distinct sites named, sorted (``"*"`` included if anyone has it)."""
        return tuple(sorted({m.site for m in self._members}))

    # ---------------------------------------------------------------- container

    def __len__(self) -> int:
        return len(self._members)

    def __iter__(self) -> Iterator[StaffMember]:
        return iter(self._members)

    def __contains__(self, staff_id: object) -> bool:
        return isinstance(staff_id, str) and self.get(staff_id) is not None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, StaffList):
            return NotImplemented
        return self._members == other._members

    def __hash__(self) -> int:
        return hash(self._members)

    def __repr__(self) -> str:
        # Counts only: names and phones stay out of reprs and logs (PRV-1).
        return f"StaffList({len(self._members)} members)"


# --------------------------------------------------------------------------- duty hours

_ALL_DAYS: Final = (0, 1, 2, 3, 4, 5, 6)


def _day_names() -> dict[str, int]:
    names = {
        "mon": 0,
        "monday": 0,
        "tue": 1,
        "tues": 1,
        "tuesday": 1,
        "wed": 2,
        "wednesday": 2,
        "thu": 3,
        "thur": 3,
        "thurs": 3,
        "thursday": 3,
        "fri": 4,
        "friday": 4,
        "sat": 5,
        "saturday": 5,
        "sun": 6,
        "sunday": 6,
    }
    for prefix in ("周", "星期", "礼拜"):
        names.update({prefix + zh: i for i, zh in enumerate("一二三四五六日")})
        names[prefix + "天"] = 6
    return names


_DAY_NAMES: Final = _day_names()

_DAY_SETS: Final[dict[str, tuple[int, ...]]] = {
    "daily": _ALL_DAYS,
    "everyday": _ALL_DAYS,
    "每天": _ALL_DAYS,
    "每日": _ALL_DAYS,
    "weekdays": (0, 1, 2, 3, 4),
    "weekends": (5, 6),
    "weekend": (5, 6),
    "周末": (5, 6),
}

_DASH: Final = r"[-~–—至到]"
_RANGE: Final = re.compile(rf"(\d{{1,2}}):(\d{{2}})\s*{_DASH}\s*(\d{{1,2}}):(\d{{2}})")
_DAY_HINT: Final = "expected Mon..Sun, 周一..周日, a range such as Mon-Fri, daily or weekdays"
_MIDNIGHT: Final = time(0)


class _DutyError(Exception):
    """A duty string problem, without the offending text (it may be anything)."""


def parse_duty(text: str, path: str = "duty") -> tuple[DutyWindow, ...]:
    """Read duty hours such as ``"Mon-Fri 09:00-18:00; Sat 09:00-12:00"``.

    The form an office writes in a spreadsheet cell:

    * weekdays ``Mon``..``Sun`` (or full names), ``周一``..``周日`` / ``星期一``,
      ranges ``Mon-Fri`` / ``周一至周五`` (wrapping: ``Fri-Mon``), ``daily`` /
      ``每天``, ``weekdays``, ``weekends`` / ``周末``; several separated by spaces;
    * then one or more ``HH:MM-HH:MM`` ranges; ``24:00`` ends at midnight;
    * several windows separated by ``;`` or ``,``.  Hours without weekdays reuse
      the previous window's weekdays (every day if first); weekdays without
      hours join the next window's (``"Mon, Wed 09:00-12:00"``).

    A night shift crosses midnight (``20:00-08:00``).  Its weekdays are the days
    the shift *starts*: ``"Fri 20:00-08:00"`` is on duty late Friday and early
    Saturday, not early Friday, so it becomes two windows.  An empty string
    means no duty hours: always reachable (:meth:`StaffMember.on_duty`).

    :raises InvalidInputError: the text is malformed; ``.path`` is ``path`` and
        the reason says which part, never quoting the text.
    """
    if not isinstance(text, str):
        raise InvalidInputError(path, "expected a string such as 'Mon-Fri 09:00-18:00'")
    try:
        return _parse_duty(text)
    except _DutyError as exc:
        raise InvalidInputError(path, str(exc)) from None


def _parse_duty(text: str) -> tuple[DutyWindow, ...]:
    norm = unicodedata.normalize("NFKC", text).replace("、", ",").lower()
    pieces = [p.strip() for p in re.split(r"[;,]", norm)]
    numbered = [(i, p) for i, p in enumerate((p for p in pieces if p), 1)]
    several = len(numbered) > 1
    windows: list[DutyWindow] = []
    pending: list[int] = []
    current: tuple[int, ...] | None = None
    for n, piece in numbered:
        where = f"part {n}: " if several else ""
        try:
            ranges = list(_RANGE.finditer(piece))
            if not ranges:
                if not re.search(r"\d", piece):
                    pending.extend(_parse_days(piece))
                    continue
                raise _DutyError("expected hours such as 09:00-18:00")
            for before, after in itertools.pairwise(ranges):
                if piece[before.end() : after.start()].strip():
                    raise _DutyError("unexpected text between hour ranges")
            if piece[ranges[-1].end() :].strip():
                raise _DutyError("unexpected text after the hours")
            head = piece[: ranges[0].start()].strip()
            if head:
                days = _sorted_days([*pending, *_parse_days(head)])
            elif pending:
                days = _sorted_days(pending)
            else:
                days = current if current is not None else _ALL_DAYS
            pending = []
            current = days
            for m in ranges:
                windows.extend(_windows(days, m))
        except _DutyError as exc:
            raise _DutyError(f"{where}{exc}") from None
    if pending:
        raise _DutyError("weekdays at the end have no hours (expected e.g. 'Sat 09:00-12:00')")
    return tuple(windows)


def _sorted_days(days: Iterable[int]) -> tuple[int, ...]:
    return tuple(sorted(set(days)))


def _parse_days(text: str) -> tuple[int, ...]:
    text = re.sub(r"every\s+day", "everyday", text)
    text = re.sub(rf"\s*({_DASH})\s*", r"\1", text)
    days: list[int] = []
    for item in text.split():
        if item in _DAY_SETS:
            days.extend(_DAY_SETS[item])
            continue
        if item in _DAY_NAMES:
            days.append(_DAY_NAMES[item])
            continue
        m = re.fullmatch(rf"(.+?){_DASH}(.+)", item)
        if m is None or m.group(1) not in _DAY_NAMES or m.group(2) not in _DAY_NAMES:
            raise _DutyError(f"unknown weekday; {_DAY_HINT}")
        first, last = _DAY_NAMES[m.group(1)], _DAY_NAMES[m.group(2)]
        days.extend((first + k) % 7 for k in range((last - first) % 7 + 1))
    if not days:
        raise _DutyError(f"no weekdays; {_DAY_HINT}")
    return _sorted_days(days)


def _clock(hour: str, minute: str, *, end: bool) -> time | None:
    """A wall-clock time; ``None`` for an end of ``24:00``."""
    h, m = int(hour), int(minute)
    if end and h == 24 and m == 0:
        return None
    if h > 23 or m > 59:
        raise _DutyError("time out of range (00:00 to 23:59, or 24:00 as an end)")
    return time(h, m)


def _windows(days: tuple[int, ...], m: re.Match[str]) -> list[DutyWindow]:
    start = _clock(m.group(1), m.group(2), end=False)
    end = _clock(m.group(3), m.group(4), end=True)
    assert start is not None
    if end is None:
        # 24:00: to the end of the day.  An evening window "start-00:00" is exact
        # (DutyWindow reads end < start as crossing midnight); a whole day is not
        # representable exactly and stops one microsecond short.
        return [DutyWindow(days, start, time.max if start == _MIDNIGHT else _MIDNIGHT)]
    if start == end:
        raise _DutyError("start and end are equal (for the whole day write 00:00-24:00)")
    if start < end or end == _MIDNIGHT or days == _ALL_DAYS:
        return [DutyWindow(days, start, end)]
    # A night shift on some days only: the evening on the days it starts, the
    # morning on the following days.
    following = _sorted_days((d + 1) % 7 for d in days)
    return [DutyWindow(days, start, _MIDNIGHT), DutyWindow(following, _MIDNIGHT, end)]


# --------------------------------------------------------------------------- records

_PLAIN_ID: Final = re.compile(r"[A-Za-z0-9._:/#-]{1,40}")
_EMAIL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_PHONE: Final = re.compile(r"\+?[0-9][0-9 ()\-]{4,}")
_WEBHOOK: Final = re.compile(r"https?://\S+")
_OS_USER: Final = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._@\\-]{0,63}")
_TRUE: Final = frozenset({"true", "yes", "y", "1", "是", "对", "√"})
_FALSE: Final = frozenset({"false", "no", "n", "0", "否", "不", "×", ""})

_Where = Callable[[str], str]


def _in_table(label: str) -> _Where:
    return lambda field: f"{label}.{field}"


def _in_row(row_no: int) -> _Where:
    return lambda field: f"row {row_no}, column {field}"


class _Collector:
    """Builds members from raw records, collecting every problem with its location."""

    def __init__(self, pack: RulePack | None, *, from_text: bool) -> None:
        self.pack = pack
        self.from_text = from_text  # CSV: every cell is text, booleans are words
        self.problems: list[FieldProblem] = []
        self.members: list[StaffMember] = []
        self._seen: dict[str, str] = {}
        self._os_users: dict[str, str] = {}

    def add(self, record: Mapping[str, object], where: _Where, label: str) -> None:
        before = len(self.problems)
        text = {
            f: self._text(record, f, where)
            for f in CSV_COLUMNS
            if f not in ("duty", "sees_personal_data")
        }
        for f in _REQUIRED:
            if text.get(f) == "" and not self._has_problem(where(f), before):
                self.problem(where(f), "required; missing or empty")
        staff_id = text["staff_id"]
        key = staff_key(staff_id)
        if staff_id and _SPACE_IN_ID.search(staff_id):
            self.problem(where("staff_id"), "must not contain spaces")
        elif staff_id and (hidden := _INVISIBLE.search(staff_id)):
            # the code point, never the id (PRV-1: a shifted column may put a name here)
            code = f"U+{ord(hidden[0]):04X}"
            self.problem(where("staff_id"), f"must not contain an invisible character ({code})")
        elif key in _RESERVED_KEYS:
            self.problem(where("staff_id"), "is reserved for the desk's own acts (sweeps)")
        elif staff_id:
            if key in self._seen:
                # Quote the id only when it looks like one: a shifted column may
                # have put a name here (PRV-1).
                shown = f" {staff_id!r}" if _PLAIN_ID.fullmatch(staff_id) else ""
                self.problem(
                    where("staff_id"),
                    f"duplicate staff id{shown} (first at {self._seen[key]})",
                )
            else:
                self._seen[key] = label
        self._check_format(text, "email", _EMAIL, "not an email address", where)
        self._check_format(
            text, "phone", _PHONE, "not a phone number (digits, optional +, spaces, dashes)", where
        )
        self._check_format(text, "webhook", _WEBHOOK, "not an http(s) URL", where)
        self._check_format(text, "os_user", _OS_USER, "not an operating-system user name", where)
        if text["os_user"]:
            if text["os_user"] in self._os_users:
                self.problem(
                    where("os_user"),
                    f"already the account of {self._os_users[text['os_user']]}",
                )
            else:
                self._os_users[text["os_user"]] = label
        if self.pack is not None:
            self._check_pack(self.pack, text, where)
        duty = self._duty(record.get("duty"), where("duty"))
        sees = self._bool(record.get("sees_personal_data"), where("sees_personal_data"))
        if len(self.problems) > before or duty is None or sees is None:
            return
        self.members.append(
            StaffMember(
                staff_id=staff_id,
                name=text["name"],
                role=text["role"],
                rung=text["rung"],
                department=text["department"],
                site=text["site"] or "*",
                email=text["email"],
                phone=text["phone"],
                webhook=text["webhook"],
                duty=duty,
                sees_personal_data=sees,
                os_user=text["os_user"],
            )
        )

    def problem(self, path: str, reason: str) -> None:
        self.problems.append(FieldProblem(path, reason))

    def _has_problem(self, path: str, since: int) -> bool:
        return any(p.path == path for p in self.problems[since:])

    def _text(self, record: Mapping[str, object], field: str, where: _Where) -> str:
        value = record.get(field)
        if value is None:
            return ""
        if not isinstance(value, str):
            number = isinstance(value, int | float)  # whole reasons: each one translated
            reason = (
                "expected a string (quote phone numbers and ids)" if number else "expected a string"
            )
            self.problem(where(field), reason)
            return ""
        stripped = value.strip()
        try:
            # HR exports are input from outside: a NUL, an escape sequence or a
            # bidi override in an id would reach terminals and logs (review s52R2 F01);
            # the position counts the spaces stripped before it (review s52R8 F04)
            lead = len(value) - len(value.lstrip())
            return check_label(stripped, where(field), start=lead)
        except InvalidInputError as exc:
            self.problem(exc.path, exc.reason)
            return ""

    def _check_format(
        self,
        text: Mapping[str, str],
        field: str,
        pattern: re.Pattern[str],
        reason: str,
        where: _Where,
    ) -> None:
        if text[field] and pattern.fullmatch(text[field]) is None:
            self.problem(where(field), reason)

    def _check_pack(self, pack: RulePack, text: Mapping[str, str], where: _Where) -> None:
        # ESC-1: a member's rung is one of the pack's ladder; CLS-3: departments too.
        if text["rung"] and not pack.has_rung(text["rung"]):
            codes = ", ".join(r.code for r in pack.ladder)
            self.problem(
                where("rung"), f"not a rung of the {pack.name} ladder (expected one of: {codes})"
            )
        if text["department"] and not pack.has_department(text["department"]):
            codes = ", ".join(d.code for d in pack.departments)
            self.problem(
                where("department"), f"not a department of {pack.name} (expected one of: {codes})"
            )

    def _duty(self, value: object, path: str) -> tuple[DutyWindow, ...] | None:
        if value is None:
            return ()
        if (
            not self.from_text
            and isinstance(value, list)
            and all(isinstance(v, str) for v in value)
        ):
            value = "; ".join(value)
        if not isinstance(value, str):
            self.problem(path, "expected a string such as 'Mon-Fri 09:00-18:00' or a list of them")
            return None
        try:
            return _parse_duty(value)
        except _DutyError as exc:
            self.problem(path, str(exc))
            return None

    def _bool(self, value: object, path: str) -> bool | None:
        if value is None:
            return False
        if isinstance(value, bool):
            return value
        if self.from_text and isinstance(value, str):
            word = value.strip().lower()
            if word in _TRUE:
                return True
            if word in _FALSE:
                return False
            self.problem(path, "expected true or false (also yes/no, 1/0, 是/否)")
            return None
        self.problem(path, "expected true or false")
        return None

    def result(self, source: str) -> StaffList:
        if self.problems:
            raise SerializationError(source, self.problems)
        return StaffList(self.members)


def staff_from_records(
    records: Iterable[Mapping[str, object]],
    *,
    source: str = "staff records",
    pack: RulePack | None = None,
) -> StaffList:
    """Validate plain mappings (as parsed from TOML or JSON) into a :class:`StaffList`.

    For hosts whose staff come from their own store.  Keys are those of
    :data:`CSV_COLUMNS`; ``duty`` is a duty string or a list of them.  Problems
    are reported as ``staff[3].rung``.

    :raises SerializationError: every problem, naming ``source``.
    """
    if isinstance(records, str | bytes | Mapping) or not isinstance(records, Iterable):
        raise SerializationError(source, [FieldProblem("staff", "expected a list of tables")])
    collector = _Collector(pack, from_text=False)
    count = 0
    for i, record in enumerate(records):
        count += 1
        label = f"staff[{i}]"
        if not isinstance(record, Mapping):
            collector.problem(label, "expected a table of staff fields")
            continue
        for key in record:
            if key not in CSV_COLUMNS:
                collector.problem(f"{label}.{key}", "unknown key")
        collector.add(record, _in_table(label), label)
    if count == 0:
        collector.problem("staff", "no staff members")
    return collector.result(source)


def staff_from_toml(
    text: str, *, source: str = "<toml>", pack: RulePack | None = None
) -> StaffList:
    """Read a TOML document of ``[[staff]]`` tables.

    :raises SerializationError: a TOML syntax error, or every invalid field.
    """
    try:
        data = toml.loads(text.removeprefix("\ufeff"))
    except toml.TomlError as exc:
        raise SerializationError(source, [FieldProblem("file", f"not valid TOML: {exc}")]) from None
    problems = [
        FieldProblem(k, "unknown key (expected only [[staff]] tables)")
        for k in data
        if k != "staff"
    ]
    staff = data.get("staff")
    if staff is None:
        problems.append(FieldProblem("staff", "missing; expected [[staff]] tables"))
    elif not isinstance(staff, list):
        problems.append(FieldProblem("staff", "expected an array of tables ([[staff]])"))
    if problems:
        raise SerializationError(source, problems)
    assert isinstance(staff, list)
    return staff_from_records(staff, source=source, pack=pack)


_COLUMN_ALIASES: Final[dict[str, str]] = {
    "工号": "staff_id",
    "员工编号": "staff_id",
    "id": "staff_id",
    "姓名": "name",
    "岗位": "role",
    "职务": "role",
    "角色": "role",
    "层级": "rung",
    "级别": "rung",
    "部门": "department",
    "项目": "site",
    "小区": "site",
    "site_code": "site",
    "邮箱": "email",
    "电子邮箱": "email",
    "电话": "phone",
    "手机": "phone",
    "手机号": "phone",
    "联系电话": "phone",
    "值班时间": "duty",
    "值班": "duty",
    "on_duty_hours": "duty",
    "可见个人信息": "sees_personal_data",
    "系统账号": "os_user",
    "登录账号": "os_user",
}


_SPACE_IN_ID: Final = re.compile("[\\s\u200b-\u200d\u2060\ufeff\u2800]")
"""A space in a staff id, the zero-width ones and the blank braille cell U+2800
(drawn as a space, though no space to Unicode) too: two ids printing alike
(``SR-401`` and ``SR-401\\u200b``) would name two people (review s53R4 F05,
s53R11 F02)."""

_INVISIBLE: Final = _FORMAT
"""Every other character a staff id may not hold: the default-ignorable ones
(the soft hyphen U+00AD, U+2061-U+2064, the Hangul fillers, the variation
selectors ...), which :func:`~complaintcore.core.models.staff_key` drops, as
the masking code reads text without them: ``SR-401`` and ``SR-401\\u00ad``
would print alike (review s53R11 F02)."""


def _column(cell: str) -> str | None:
    key = unicodedata.normalize("NFKC", cell).strip().lower()
    key = re.sub(r"[\s\-]+", "_", key)
    if key in CSV_COLUMNS:
        return key
    return _COLUMN_ALIASES.get(key)


def staff_from_csv(text: str, *, source: str = "<csv>", pack: RulePack | None = None) -> StaffList:
    """Read CSV text whose first row is a header naming :data:`CSV_COLUMNS`.

    Columns may come in any order; optional columns may be left out; Chinese
    headers (工号, 姓名, 岗位, 层级, 部门, 项目, 邮箱, 电话, 值班时间,
    可见个人信息) are accepted.  Rows are numbered as a spreadsheet shows them
    (the header is row 1); blank rows are skipped.

    :raises SerializationError: header problems, or every invalid cell, as
        ``row 5, column rung``.
    """
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    collector = _Collector(pack, from_text=True)
    header: list[str | None] | None = None
    header_row = named = row_no = count = 0
    unnamed_told: set[int] = set()  # header cells of no name already reported
    try:
        for row_no, cells in enumerate(rows, 1):
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = _read_header(row_no, cells, source)
                header_row = row_no
                named = _named_columns(header)
                continue
            count += 1
            extra = cells[len(header) :]
            if len(cells) < named or any(c.strip() for c in extra):
                # a missing cell is never taken as an empty one: a short row's
                # site would make its member head office (review s53R4 F01)
                reason = cell_count_reason(len(cells), named, len(header))
                collector.problem(f"row {row_no}", reason)
                continue
            # a value under a header cell of no name would be dropped without a
            # word: the file is refused, naming the place (review s53R4 F04)
            unnamed = [
                j
                for j, (col, cell) in enumerate(zip(header, cells, strict=False), 1)
                if col is None and cell.strip()
            ]
            for j in unnamed:
                if j not in unnamed_told:
                    unnamed_told.add(j)
                    collector.problem(
                        f"row {header_row}, column {j}",
                        f"has no name, and row {row_no} has a value in it",
                    )
            if unnamed:
                continue
            record = {
                col: cell for col, cell in zip(header, cells, strict=False) if col is not None
            }
            collector.add(record, _in_row(row_no), f"row {row_no}")
    except csv.Error as exc:
        collector.problem(f"row {row_no + 1}", f"malformed CSV: {exc}")
    if header is None:
        collector.problem("file", "empty; expected a header row naming the columns")
    elif count == 0 and not collector.problems:
        collector.problem("file", "no staff rows below the header")
    return collector.result(source)


def _named_columns(header: Sequence[str | None]) -> int:
    """The count of a header's cells up to its last named one: a row has at least
    these; empty header cells after them (Excel writes them) a row may leave out."""
    named = len(header)
    while named and header[named - 1] is None:
        named -= 1
    return named


def _read_header(row_no: int, cells: Sequence[str], source: str) -> list[str | None]:
    problems: list[FieldProblem] = []
    header: list[str | None] = []
    for j, cell in enumerate(cells, 1):
        col = _column(cell)
        if col is None and cell.strip():
            # The position only: a file without a header would put a name here.
            problems.append(
                FieldProblem(
                    f"row {row_no}, column {j}",
                    "unknown column; expected " + ", ".join(CSV_COLUMNS),
                )
            )
        elif col is not None and col in header:
            problems.append(FieldProblem(f"row {row_no}, column {j}", f"repeats column {col}"))
        header.append(col)
    missing = [c for c in _REQUIRED if c not in header]
    if len(missing) == len(_REQUIRED):
        # Probably no header at all: one problem, and no cell of the row quoted.
        problems = [
            FieldProblem(
                f"row {row_no}",
                "not a header row; the first row must name the columns: " + ", ".join(CSV_COLUMNS),
            )
        ]
    elif missing:
        problems.append(
            FieldProblem(f"row {row_no}", "header lacks required column(s) " + ", ".join(missing))
        )
    if problems:
        raise SerializationError(source, problems)
    return header


# --------------------------------------------------------------------------- files


def load_staff_file(path: str | os.PathLike[str], *, pack: RulePack | None = None) -> StaffList:
    """Load a ``.toml`` or ``.csv`` staff file (UTF-8; a BOM is fine, as Excel writes one).

    :param pack: when given, rungs must be on its ladder (ESC-1) and
        departments among its departments.
    :raises SerializationError: the file is not UTF-8, or lists every problem
        in it; ``.what`` is the file's path.
    :raises InvalidInputError: the extension is neither ``.toml`` nor ``.csv``.
    :raises SerializationError: also when the file cannot be read (missing, a
        folder, no permission): a library error, as for a rule pack's file.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix not in (".toml", ".csv"):
        raise InvalidInputError("path", "expected a .toml or .csv staff file")
    source = os.fspath(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise SerializationError(
            source, [FieldProblem("file", f"cannot read the file: {reason}")]
        ) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SerializationError(source, [FieldProblem("file", _not_utf8(exc, suffix))]) from None
    if suffix == ".toml":
        return staff_from_toml(text, source=source, pack=pack)
    return staff_from_csv(text, source=source, pack=pack)


def _not_utf8(exc: UnicodeDecodeError, suffix: str) -> str:
    """Where a staff file stops being UTF-8 (bytes from 1, as the importer counts),
    with Excel's way out for a CSV; whole reasons, so each one is translated."""
    byte = exc.start + 1
    if suffix == ".csv":
        return f"not UTF-8 text (byte {byte}); in Excel use Save As 'CSV UTF-8'"
    return f"not UTF-8 text (byte {byte})"


def _sample_file(pack_name: str | None) -> str:
    """The sample written for a shipped pack (``sample-staff-<pack>.toml``), else the default."""
    if pack_name:
        own = f"sample-staff-{pack_name}.toml"
        if resources.files(_DATA_PACKAGE).joinpath(own).is_file():
            return own
    return SAMPLE_STAFF_FILE


def _sample_bytes(name: str = SAMPLE_STAFF_FILE) -> bytes:
    return resources.files(_DATA_PACKAGE).joinpath(name).read_bytes()


def load_sample_staff(*, pack: RulePack | None = None) -> StaffList:
    """The packaged sample staff: for ``cn-property`` two sites and head office with
    every rung; every other shipped pack has a sample of its own, staffing its
    ladder and departments (``sample-staff-<pack>.toml``).

    For demos, tutorials and tests; a real office writes its own file
    (:func:`write_sample_staff` gives a starting point).
    """
    name = _sample_file(pack.name if pack is not None else None)
    return staff_from_toml(
        _sample_bytes(name).decode("utf-8"), source=f"{_DATA_PACKAGE}/{name}", pack=pack
    )


def write_sample_staff(
    path: str | os.PathLike[str], *, overwrite: bool = False, pack: str | None = None
) -> Path:
    """Copy the packaged sample to ``path`` for an office to edit (the CLI ``init``).

    ``pack`` names a shipped pack whose own sample to copy, when it has one.
    Never replaces an existing file unless ``overwrite`` is true.  A new file is
    readable by its owner alone (0600; 0660 in a set-group-ID folder): it lists
    the staff's phones and e-mail addresses (review s50P F05).

    :raises FileExistsError: the file exists and ``overwrite`` is false.
    """
    from complaintcore.adapters.private_files import open_private

    p = Path(path)
    with os.fdopen(open_private(p, overwrite=overwrite), "wb") as fh:
        fh.write(_sample_bytes(_sample_file(pack)))
    return p
