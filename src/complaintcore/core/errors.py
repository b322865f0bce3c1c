"""One error family for the whole library.

Every error subclasses :class:`ComplaintCoreError` and the built-in exception of
the same meaning, so hosts can catch either.  Errors carry structured data
(``.path``, ``.state``, ``.complaint_id`` …) and never personal data (PRV-1).

Every error pickles and copies (:func:`rebuilt`): one raised in a process pool's
worker reaches the parent as itself (review s48E F01).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

__all__ = [
    "LISTED_PROBLEMS",
    "AccessDeniedError",
    "CalendarError",
    "ClosedError",
    "ComplaintCoreError",
    "ConcurrencyConflictError",
    "ConnectionLostError",
    "DamagedRecordError",
    "DuplicateIdError",
    "EscalationError",
    "FieldProblem",
    "GradeError",
    "HolidayDataWarning",
    "HookError",
    "IdempotencyConflictError",
    "IllegalTransitionError",
    "IncompleteRecordError",
    "InvalidInputError",
    "MembersLeftUnlinkedError",
    "NaiveDatetimeError",
    "NoWorkingTimeError",
    "RulePackError",
    "SchemaVersionError",
    "SerializationError",
    "StoreError",
    "TimeBarredError",
    "UnknownComplaintError",
    "UnknownTenantError",
    "list_problems",
    "rebuilt",
    "reduced",
    "shown_code",
    "shown_id",
    "shown_issue",
    "shown_value",
]

_E = TypeVar("_E", bound=BaseException)

_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")


def shown_code(value: object, known: Iterable[str] = ()) -> str:
    """A code as an error message may quote it: quoted when it looks like one (lower
    snake case, as every pack code is) and, given the codes ``known``, is close to
    one of them (a typo); withheld otherwise, since a value typed into the wrong
    field may be a name, a phone or a room (PRV-1)."""
    withheld = "(not shown: not a code)"
    if not (isinstance(value, str) and _CODE.fullmatch(value)):
        return withheld
    codes = list(known)
    if codes and not difflib.get_close_matches(value, codes, n=1, cutoff=0.75):
        return withheld
    return repr(value)


def shown_value(value: object) -> str:
    """A value an error must mention but may not quote, such as an unknown actor or
    pack name: masked (``T*******``, ``*********78``, ``王**``), since what was typed
    there may be a name, a phone or a room (PRV-1); a non-text value by its type."""
    from complaintcore.core.models import mask

    return mask(value) if isinstance(value, str) else type(value).__name__


# The ids the desk gives (``C-<received day>-<hex>``, older ones ``C-20251114-0001``):
# a date and hex digits, nothing a person is called or reached by.
_DESK_ID = re.compile(r"C-20[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])-[0-9A-Fa-f]{4,16}")


def shown_id(value: object) -> str:
    """A complaint id as an error message may show it: as given when shaped like the
    ids the desk gives (``C-20251114-2a3b1c0f3e9d8a7b``), to help spot a mistyped
    one; masked otherwise, as an unknown actor is (:func:`shown_value`).  Any other
    shape may be a person's name (``Thompson``, ``Margaret.Thompson``), a phone or
    a room typed where the id belongs (PRV-1); a host's own ids
    (``Desk(id_factory=...)``) are masked too, since they may look like anything."""
    if isinstance(value, str) and _DESK_ID.fullmatch(value):
        return value
    return shown_value(value)


def shown_issue(value: object) -> str:
    """HDL-5, PRV-1: a concentrated issue's id as a masked view or an export shows it:
    as stored when it is ``I-`` and an id of the desk's shape
    (``I-C-20251114-2a3b1c0f3e9d8a7b``), as the desk names issues; masked otherwise
    (``I*****``, ``*********78``).  An id typed by hand before it had to start with
    ``I-`` may be a phone or a name, and a host's own ids are masked as
    :func:`shown_id` masks them."""
    if isinstance(value, str) and (found := _DESK_ISSUE.fullmatch(value)):
        digits = found[1]
        if len(digits) == 10 and any(c in "abcdef" for c in digits):
            return value  # a random id of an older desk, with a letter
        if len(digits) == 16 and desk_stamp(digits):
            return value
    return shown_value(value)


_DESK_ISSUE = re.compile(
    r"I-C-20[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])-([0-9a-f]{16}|[0-9a-f]{10})"
)
"""An issue named after a complaint id the desk made (16 hex digits; 10 before
time-ordered ids)."""

_STAMP_RANDOM_BITS = 36
"""Bits of a time-ordered id after its millisecond of the day (desk/ids.py)."""


def desk_stamp(digits: str) -> bool:
    """Whether 16 hex digits can be a time-ordered id's stamp the desk makes (PRV-1):
    its millisecond of the day is one, and digits alone never pass the Luhn check a
    card number passes (the desk makes none that do; a phone is shorter).  A card
    or phone typed by hand after an issue's date is masked, never the desk's ids."""
    if int(digits, 16) >> _STAMP_RANDOM_BITS >= 86_400_000:
        return False
    return any(c in "abcdef" for c in digits) or not luhn_valid(digits)


def luhn_valid(digits: str) -> bool:
    """The Luhn check of a card number (ISO/IEC 7812) on decimal ``digits``."""
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


LISTED_PROBLEMS = 5
"""How many problems a loader's one-line message names before counting the rest.

A staff file or rule pack with a mistake repeated on every row would otherwise
print one enormous line; every problem stays on the error's ``.problems``.
"""


def list_problems(problems: Sequence[object], limit: int = LISTED_PROBLEMS) -> str:
    """The first ``limit`` problems joined by ``"; "``, then how many were left out."""
    shown = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        shown.append(f"… and {len(problems) - limit} more")
    return "; ".join(shown)


def rebuilt(kind: type[_E], args: tuple[Any, ...]) -> _E:
    """An error of class ``kind`` with ``args``, made as pickle and :mod:`copy` remake
    it: without calling its ``__init__``, whose parameters are not its ``args`` (a
    message made from them); its attributes are set after (``__setstate__``).

    The built-in reduction calls ``kind(*args)``, which fails for every error
    whose initializer takes other arguments (review s48E F01)."""
    error = kind.__new__(kind, *args)
    error.args = args
    return error


def reduced(error: BaseException) -> tuple[Any, ...]:
    """What ``error.__reduce__`` gives for :func:`rebuilt`: its class, its ``args`` and
    the attributes it holds, nothing more (not its ``__cause__``, whose text may
    quote a name or a phone, PRV-1)."""
    return (rebuilt, (type(error), error.args), dict(vars(error)))


class ComplaintCoreError(Exception):
    """Base of every error complaintcore raises.

    Every one pickles and copies (``copy.copy``, ``copy.deepcopy``) with its
    class, message and attributes, so one raised in a
    ``concurrent.futures.ProcessPoolExecutor`` worker reaches the parent as
    itself.  As with any exception, ``__cause__`` and the traceback stay behind.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return reduced(self)


class FieldProblem:
    """One bad field: its dotted path and why it is bad (never its value)."""

    __slots__ = ("path", "reason")

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason

    def __repr__(self) -> str:
        return f"FieldProblem({self.path!r}, {self.reason!r})"

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, FieldProblem):
            return NotImplemented
        return (self.path, self.reason) == (other.path, other.reason)

    def __hash__(self) -> int:
        return hash((self.path, self.reason))

    def __reduce__(self) -> tuple[Any, ...]:
        return (FieldProblem, (self.path, self.reason))


class InvalidInputError(ComplaintCoreError, ValueError):
    """An argument or field is malformed; ``.path`` names it."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IdempotencyConflictError(InvalidInputError):
    """An idempotency key already names a complaint with different content.

    A retried submission carries the same content and gets the stored complaint
    back; a key reused for something else is a mistake of the sender, refused
    so that a complaint is never silently dropped.  ``.complaint_id`` is the
    complaint the key belongs to.
    """

    def __init__(self, complaint_id: str) -> None:
        super().__init__(
            "idempotency_key",
            f"already used for complaint {complaint_id}, whose content differs",
        )
        self.complaint_id = complaint_id


class DuplicateIdError(InvalidInputError):
    """A complaint with this id is stored already.

    ``.path`` names where the id came from: ``complaint.id`` as a store refuses
    it, ``complaint_id`` for the id a host handed ``Desk.receive``, ``id_factory``
    for the desk's ``id_factory`` when every id it gave was taken.  An id the desk
    drew itself (or from ``id_factory``) and found taken is drawn again instead
    of refusing the intake (review s48D F03).
    """

    def __init__(self, path: str = "complaint.id") -> None:
        super().__init__(path, "a complaint with this id already exists")


class ClosedError(InvalidInputError):
    """The desk (``.path`` ``desk``) or its store (``store``) was closed by
    ``close()``: every later call is refused with it, whichever thread makes it.
    Nothing can succeed on it any more; a sweep it stops part-way raises a
    ``SweepClosed`` carrying what it had committed (review s48D F01)."""

    def __init__(self, path: str = "store") -> None:
        super().__init__(path, "is closed")


class NaiveDatetimeError(InvalidInputError):
    """A datetime without a time zone was given where an aware one is required."""

    def __init__(self, path: str) -> None:
        super().__init__(path, "datetime must be timezone-aware (tzinfo is missing)")


class IncompleteRecordError(ComplaintCoreError, ValueError):
    """A complaint record cannot be registered: REC-1 fields are missing or malformed.

    A file's row without its channel (IN-1) is refused with it too: like its
    time of receipt, the channel is never defaulted.
    """

    def __init__(self, problems: Sequence[FieldProblem]) -> None:
        self.problems = tuple(problems)
        listed = "; ".join(str(p) for p in self.problems)
        super().__init__(f"record is not registrable: {listed}")

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(p.path for p in self.problems)


class IllegalTransitionError(ComplaintCoreError, RuntimeError):
    """A command is not allowed in the complaint's current state.

    A complaint refused at intake was never stored: then ``.complaint_id`` is
    empty, ``.path`` names the field the refusal is about (``occurred_at`` for a
    time-barred complaint) and the message is ``path: reason``, no id a clerk
    would look for in vain.  A refusal that any state would give (a sanction
    already recorded for the grade) has ``of_state`` false: its message leaves
    the state out, so it does not read as the cause; ``.state`` still has it.
    """

    def __init__(
        self,
        complaint_id: str,
        state: str,
        command: str,
        reason: str,
        *,
        path: str = "",
        of_state: bool = True,
    ) -> None:
        if not complaint_id and path:
            super().__init__(f"{path}: {reason}")
        elif not of_state:
            super().__init__(f"complaint {complaint_id}: cannot {command}: {reason}")
        else:
            super().__init__(f"complaint {complaint_id}: cannot {command} while {state}: {reason}")
        self.complaint_id = complaint_id
        self.state = state
        self.command = command
        self.reason = reason
        self.path: str | None = path or None
        self.of_state = of_state


class EscalationError(IllegalTransitionError):
    """An escalation would move down the ladder or past its top (ESC-5)."""


class GradeError(IllegalTransitionError):
    """A grade change the rules do not allow (GRD-6: grades never go down)."""


class TimeBarredError(IllegalTransitionError):
    """A complaint, or a request to escalate one, came later than the pack's time limit
    allows and the pack refuses it (``refuse``; a pack that says ``flag`` accepts and
    marks it instead)."""


class AccessDeniedError(ComplaintCoreError, PermissionError):
    """The actor may not run this command on this complaint (ESC-3, ESC-4).

    A complaint refused at intake was never stored: then ``.complaint_id`` is
    empty and ``.path`` names the field that gave the actor (``receiver``).
    """

    def __init__(
        self, complaint_id: str, actor: str, command: str, reason: str, *, path: str = ""
    ) -> None:
        where = path if not complaint_id and path else f"complaint {complaint_id}"
        super().__init__(f"{where}: {actor} may not {command}: {reason}")
        self.complaint_id = complaint_id
        self.actor = actor
        self.command = command
        self.reason = reason
        self.path: str | None = path or None


class ConcurrencyConflictError(ComplaintCoreError, RuntimeError):
    """Someone else appended events first; reload and decide again."""

    def __init__(self, complaint_id: str, expected: int, actual: int) -> None:
        super().__init__(
            f"complaint {complaint_id}: expected version {expected}, store has {actual}"
        )
        self.complaint_id = complaint_id
        self.expected = expected
        self.actual = actual


class HookError(ComplaintCoreError, RuntimeError):
    """A host's hook raised (its staff directory down, say); ``.path`` names the hook
    and the method, ``__cause__`` is the host's own exception.  Its message names the
    exception's type only: the host's text may quote a name or a phone (PRV-1).
    In a bulk intake it is the one intake's refusal, and the others go on."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class UnknownComplaintError(ComplaintCoreError, LookupError):
    """No complaint with this id.

    The message shows the id only when it is shaped like the desk's own
    (:func:`shown_id`): a phone, a name or a room typed where an id belongs is
    masked.  ``.complaint_id`` is the value as given.
    """

    def __init__(self, complaint_id: str) -> None:
        super().__init__(f"no complaint with id {shown_id(complaint_id)!r}")
        self.complaint_id = complaint_id


class RulePackError(ComplaintCoreError, ValueError):
    """A rule pack is invalid; every problem names its key path and the file.

    The message names the first :data:`LISTED_PROBLEMS` and counts the rest;
    ``.problems`` has them all.
    """

    def __init__(self, source: str, problems: Sequence[FieldProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        listed = list_problems(self.problems)
        super().__init__(f"invalid rule pack {source}: {listed}")

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(p.path for p in self.problems)


class SerializationError(ComplaintCoreError, ValueError):
    """Data could not be turned into complaintcore objects; ``.problems`` lists each bad path.

    The message names the first :data:`LISTED_PROBLEMS` and counts the rest, so
    a staff file wrong on every row still prints one readable line.
    """

    def __init__(self, what: str, problems: Sequence[FieldProblem]) -> None:
        self.what = what
        self.problems = tuple(problems)
        listed = list_problems(self.problems)
        super().__init__(f"cannot load {what}: {listed}")

    @property
    def paths(self) -> tuple[str, ...]:
        return tuple(p.path for p in self.problems)


class StoreError(ComplaintCoreError, OSError):
    """The storage itself failed: locked, corrupt, not a database, read-only, disk full.

    One line naming the database (``.database``) and what went wrong
    (``.reason``), never a stored value (PRV-1).  Nothing was written by the
    operation that raised it; the desk's state is what it was before.

    ``.transient`` is true for a failure that can pass by itself (a lock held
    past the timeout, an input/output error, a full disk, a lost connection):
    the same operation may succeed later, and a service such as ``deliver
    --loop`` tries again at its next pass (review s47F F05).  False for one
    that will not (a missing, corrupt or newer database, a refused change).
    """

    def __init__(self, database: str, reason: str, *, transient: bool = False) -> None:
        super().__init__(f"complaint database {database}: {reason}")
        self.database = database
        self.reason = reason
        self.transient = transient


class ConnectionLostError(StoreError):
    """A connection to the database that was open failed during the operation (a
    server restart, a failover, its session ended by an operator).

    What the operation was writing was rolled back unless it had committed, and
    the store takes a new connection for the next call: running it again is safe,
    and is what the desk does once where it writes one complaint at a time.
    Always ``transient``.
    """

    def __init__(self, database: str, reason: str) -> None:
        super().__init__(database, reason, transient=True)


class MembersLeftUnlinkedError(StoreError):
    """HDL-5, HDL-6: the store failed while the stored members of a concentrated issue
    were linked to it (or flagged a group incident), after the complaint that decided
    it was stored.

    ``.issue`` names the issue and ``.members`` the complaints left out (ids);
    ``.unread`` is true when the issue's members could not be read (to flag a
    group incident's open members, HDL-6, or to see which a retried submission
    named are linked), so some may be left out unnamed.
    ``.database`` and ``.reason`` are the first failure's.  Unlike other store
    errors, the work around it was done: the complaint that decided the issue is
    stored and the other members are linked.  The decision is recorded on that
    complaint (its ``Grouped`` event names every member), so receiving the same
    submission again (its idempotency key; an import file run again) links the
    members left out, once.
    """

    def __init__(
        self, issue: str, members: Sequence[str], failure: StoreError, *, unread: bool = False
    ) -> None:
        super().__init__(failure.database, failure.reason, transient=failure.transient)
        self.issue = issue
        self.members = tuple(members)
        self.unread = unread
        listed = [shown_id(m) for m in self.members]
        if unread:
            listed.append("its members (not read)")
        left = ", ".join(listed)
        self.args = (f"{self.args[0]}; issue {shown_issue(issue)}: left unlinked: {left}",)


class DamagedRecordError(StoreError):
    """A stored complaint cannot be read back: its text was damaged outside the library.

    Names the complaint (``.complaint_id``) and the part that failed, never a
    stored value; ``verify`` lists every such problem.
    """

    def __init__(self, complaint_id: str, what: str, database: str = "") -> None:
        reason = f"complaint {complaint_id}: stored record cannot be read ({what}); run verify"
        super().__init__(database or "(store)", reason)
        self.complaint_id = complaint_id
        self.what = what


class UnknownTenantError(StoreError, LookupError):
    """The database keeps no desk for this tenant: most likely another company's database.

    Opening it would start an empty desk beside someone else's, so the store
    refuses; ``.tenant`` is the tenant asked for.  Register a new tenant on
    purpose (``create_tenant=True``, ``complaintcore init --tenant``).
    """

    def __init__(self, database: str, tenant: str) -> None:
        super().__init__(
            database,
            f"keeps no desk for tenant {tenant!r} (another tenant's database?); "
            "register it on purpose with complaintcore init --tenant",
        )
        self.tenant = tenant


class SchemaVersionError(StoreError, RuntimeError):
    """The database was written by a newer complaintcore; upgrade before opening it.

    Opening it anyway could write rows an old schema does not know how to keep
    consistent, so the store refuses.  On PostgreSQL the schema may instead be
    older than this complaintcore needs while the role that opened it may not
    migrate it (``found < supported``; ``reason`` says how its owner does).
    ``.found`` and ``.supported`` are the schema versions.  Both shipped stores
    raise this class, importable from ``complaintcore`` (review s48E F02).
    """

    def __init__(
        self, found: int, supported: int, database: str = "", *, reason: str | None = None
    ) -> None:
        super().__init__(
            database or "(file)",
            reason
            or (
                f"has schema version {found}, but this complaintcore supports up to "
                f"{supported}; upgrade complaintcore to open it"
            ),
        )
        self.found = found
        self.supported = supported


class HolidayDataWarning(UserWarning):
    """A calendar covers years whose make-up days (调休) the holiday source lacks.

    Deadlines in those years are computed (or refused, as the rule pack says)
    without the official arrangement; the message names the years.
    """


class CalendarError(ComplaintCoreError, ValueError):
    """A working calendar is malformed or asked something it cannot answer."""


class NoWorkingTimeError(CalendarError):
    """No working time within reach of the calendar's table; never returns the start."""

    def __init__(self, message: str, *, extra: Any = None) -> None:
        super().__init__(message)
        self.extra = extra
