"""The ledger's pure part: entry hashes, outbox digests, heads, and the verifier."""

from __future__ import annotations

import pytest

from complaintcore import InvalidInputError
from complaintcore.adapters.ledger import (
    LedgerEntry,
    LedgerVerifier,
    OutboxRecord,
    entry_hash,
    format_head,
    ledger_genesis,
    outbox_digest,
    parse_head,
)

H1, H2, H3 = "a" * 64, "b" * 64, "c" * 64
GENESIS_C1 = "0" * 64


def _ledger(tenant: str = "default") -> list[LedgerEntry]:
    """C-1 created (two events, one message), then appended (a third event)."""
    box = [OutboxRecord(1, "email", "k1", "C-1", '{"key":"k1"}', "2025-11-14T01:30", 1)]
    prev = ledger_genesis(tenant)
    out = []
    for seq, (version, head, digest, key, created) in enumerate(
        [(2, H2, outbox_digest(box), "wx-1", "2025-11-14T01:30"), (3, H3, "", "", "")], start=1
    ):
        digest_of = entry_hash(prev, "C-1", version, head, digest, key, created)
        out.append(LedgerEntry(seq, "C-1", version, head, digest, key, created, prev, digest_of))
        prev = digest_of
    return out


BOX = [OutboxRecord(1, "email", "k1", "C-1", '{"key":"k1"}', "2025-11-14T01:30", 1)]
HEADS = {0: GENESIS_C1, 1: H1, 2: H2, 3: H3}


def _verify(
    entries: list[LedgerEntry],
    box: list[OutboxRecord] = BOX,
    heads: dict[int, str] = HEADS,
    key: str = "wx-1",
    created: str = "2025-11-14T01:30",
    expect: tuple[int, str] | None = None,
) -> list[str]:
    v = LedgerVerifier("default", expect=expect)
    v.entries(entries)
    v.outbox(box)
    v.complaint("C-1", key, created, heads)
    return v.finish()


def test_a_consistent_ledger_has_no_problems_and_a_head() -> None:
    entries = _ledger()
    v = LedgerVerifier("default")
    v.entries(entries)
    assert v.head == format_head(2, entries[-1].hash)
    assert _verify(entries) == []
    assert _verify(entries, expect=parse_head(format_head(2, entries[-1].hash))) == []


def test_each_kind_of_rewrite_is_named() -> None:
    entries = _ledger()
    edited = [entries[0]._replace(head=H1), entries[1]]
    assert _verify(edited)[0] == "ledger entry 1: hash does not match its content (edited)"
    assert "ledger entry 2: expected entry 1 (entries missing or reordered)" in _verify(entries[1:])
    assert _verify(entries, heads={**HEADS, 3: "d" * 64}) == [
        "complaint C-1: event 3 differs from what the ledger recorded (history rewritten)"
    ]
    assert _verify(entries, heads={**HEADS, 4: "e" * 64}) == [
        "complaint C-1: the ledger's last commit has version 3 but 4 events are stored"
        " (events added or deleted)"
    ]
    assert _verify(entries, key="wx-2") == [
        "complaint C-1: idempotency key differs from the ledger's"
    ]
    assert _verify(entries, created="2025-01-01T00:00") == [
        "complaint C-1: creation time differs from the ledger's"
    ]
    assert _verify(entries, box=[BOX[0]._replace(body_json='{"key":"k2"}')]) == [
        "ledger entry 1: its outbox items (1) differ from what the commit queued"
        " (edited, added or deleted)"
    ]
    assert _verify(entries, box=[]) == [
        "ledger entry 1: the outbox items it queued are gone (deleted)"
    ]
    assert _verify(entries, box=[*BOX, BOX[0]._replace(id=7, ledger_seq=None)]) == [
        "outbox item 7: queued by no commit of the ledger (added outside the library)"
    ]


def test_complaints_added_or_deleted_whole_are_named() -> None:
    v = LedgerVerifier("default")
    v.entries(_ledger())
    v.outbox(BOX)
    v.complaint("C-9", "", "2025-11-14T01:30", {0: GENESIS_C1, 1: H1})
    assert v.finish() == [
        "complaint C-9: not in the ledger (added outside the library)",
        "complaint C-1: in the ledger but not stored (deleted)",
    ]


def test_a_ledger_rewritten_consistently_is_caught_only_by_a_kept_head() -> None:
    original = _ledger()
    kept = parse_head(format_head(2, original[-1].hash))
    # event 3 rewritten, and entry 2 recomputed to match: every check inside the store passes
    first, second = original
    forged_head = "d" * 64
    forged = [
        first,
        second._replace(
            head=forged_head,
            hash=entry_hash(second.prev, "C-1", 3, forged_head, "", "", ""),
        ),
    ]
    heads = {**HEADS, 3: forged_head}
    assert _verify(forged, heads=heads) == []
    assert _verify(forged, heads=heads, expect=kept) == [
        "ledger entry 2: differs from the kept head (the ledger was rewritten)"
    ]
    assert _verify(original[:1], heads={0: GENESIS_C1, 1: H1, 2: H2}, expect=kept) == [
        "ledger entry 2: the kept head is beyond the ledger's end (entries deleted)"
    ]


@pytest.mark.parametrize(
    "text",
    ["", "12", "12:xyz", "x:" + "a" * 64, "1:" + "a" * 63, f"{2**63}:" + "a" * 64],
)
def test_a_malformed_head_is_refused(text: str) -> None:
    with pytest.raises(InvalidInputError) as err:
        parse_head(text)
    assert err.value.path == "expect"


def test_heads_round_trip_and_differ_per_tenant() -> None:
    assert parse_head(format_head(12, H1)) == (12, H1)
    assert parse_head(" 12:" + H1.upper() + " ") == (12, H1)
    assert parse_head("0:") == (0, "")
    assert ledger_genesis("acme") != ledger_genesis("default")
    assert outbox_digest([]) == ""
