"""Seals on what changes after a commit: outbox settlements and access records.

The ledger (:mod:`complaintcore.adapters.ledger`) fixes what a commit wrote; an
outbox row's delivery or drop, and every access-log record, are written later,
outside any commit it chains.  Each such row carries a **seal**, the SHA-256 of
the canonical JSON of what it records:

    settlement = [notifier, dedupe_key, complaint_id, delivered_at, dropped_at,
                  drop_reason, dropped_by, dropped_os_user]
    access     = [at, actor, complaint_id, purpose, via, os_user]

(times as fixed-width UTC text, ``""`` when unset).  ``verify`` recomputes every
seal: a message marked delivered or dropped, or an access record inserted or
edited, by anything but the library (an ``UPDATE`` or ``INSERT`` by hand) has
no seal or a wrong one and is reported.  The seal has no secret: someone who
computes it as the library does goes unnoticed (the threat table in
``docs/security.md`` says so).  Everything here is pure; the stores read and
write the rows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from complaintcore.adapters.chain import canonical_json, stored_time, to_utc_text, unreadable
from complaintcore.core.errors import InvalidInputError

__all__ = [
    "AccessRow",
    "SettlementRow",
    "access_problems",
    "access_seal",
    "settlement_problems",
    "settlement_seal",
]


def _text(value: datetime | None, path: str) -> str:
    return "" if value is None else to_utc_text(value, path)


def _digest(values: list[str]) -> str:
    return hashlib.sha256(canonical_json(values).encode("utf-8")).hexdigest()


def settlement_seal(
    notifier: str,
    dedupe_key: str,
    complaint_id: str,
    delivered_at: datetime | None,
    dropped_at: datetime | None,
    drop_reason: str = "",
    dropped_by: str = "",
    dropped_os_user: str = "",
) -> str:
    """The seal of an outbox row's delivery and drop (``""`` while it has neither)."""
    if delivered_at is None and dropped_at is None:
        return ""
    return _digest(
        [
            notifier,
            dedupe_key,
            complaint_id,
            _text(delivered_at, "delivered_at"),
            _text(dropped_at, "dropped_at"),
            drop_reason,
            dropped_by,
            dropped_os_user,
        ]
    )


def access_seal(
    at: datetime, actor: str, complaint_id: str, purpose: str, via: str, os_user: str
) -> str:
    """The seal of one access-log record."""
    return _digest([to_utc_text(at, "at"), actor, complaint_id, purpose, via, os_user])


class SettlementRow(NamedTuple):
    """An outbox row's settlement as stored, with its seal."""

    id: int
    notifier: str
    dedupe_key: str
    complaint_id: str
    delivered_at: datetime | None
    dropped_at: datetime | None
    drop_reason: str
    dropped_by: str
    dropped_os_user: str
    seal: str


class AccessRow(NamedTuple):
    """An access-log record as stored, with its seal."""

    id: int
    at: datetime
    actor: str
    complaint_id: str
    purpose: str
    via: str
    os_user: str
    seal: str


_SETTLEMENT_TIMES = {4: "delivered_at", 5: "dropped_at"}
_ACCESS_TIMES = {1: "at"}


def _readable(
    row: Sequence[Any], fields: tuple[str, ...], times: dict[int, str], table: str, where: str
) -> tuple[list[Any], list[str]]:
    """``row``'s cells, times read with :func:`stored_time`, and one problem per cell
    not of its type (an integer id, texts): SQLite keeps any value in any column,
    and PostgreSQL a year the library never writes."""
    cells: list[Any] = list(row)
    bad: list[str] = []
    for i, name in enumerate(fields):
        value = cells[i]
        if i in times:
            try:
                cells[i] = stored_time(value, name)
            except InvalidInputError:
                bad.append(unreadable(where, f"{table}.{name}"))
        elif type(value) is not (int if i == 0 else str):
            bad.append(unreadable(where, f"{table}.{name}"))
    return cells, bad


def settlement_problems(rows: Iterable[Sequence[Any]]) -> list[str]:
    """One line per outbox row whose delivery or drop the library did not record.

    ``rows`` are :class:`SettlementRow` tuples, or the stored cells in that order (times
    as text or datetimes): a cell that cannot be read is named, not raised.
    """
    problems: list[str] = []
    for row in rows:
        cells, bad = _readable(
            row, SettlementRow._fields, _SETTLEMENT_TIMES, "outbox", f"outbox item {row[0]}"
        )
        if bad:
            problems.extend(bad)
            continue
        r = SettlementRow(*cells)
        if r.seal == settlement_seal(*r[1:9]):
            continue
        if r.delivered_at is None and r.dropped_at is None:
            problems.append(f"outbox item {r.id}: its delivery or drop was erased")
        elif r.dropped_at is not None and r.delivered_at is None:
            problems.append(f"outbox item {r.id}: marked dropped, but not by the library")
        else:
            problems.append(f"outbox item {r.id}: marked delivered, but not by the library")
    return problems


def access_problems(rows: Iterable[Sequence[Any]]) -> list[str]:
    """One line per access-log record the library did not write as it stands.

    ``rows`` are :class:`AccessRow` tuples or the stored cells in that order, as for
    :func:`settlement_problems`.
    """
    problems: list[str] = []
    for row in rows:
        where = f"access record {row[0]}"
        cells, bad = _readable(row, AccessRow._fields, _ACCESS_TIMES, "access_log", where)
        if bad:
            problems.extend(bad)
        elif cells[7] != access_seal(*cells[1:7]):
            problems.append(f"{where}: inserted or edited, not by the library")
    return problems
