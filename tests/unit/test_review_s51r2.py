"""Review s51R2 (a newcomer following the documentation): the docs' lists of events.

F01: docs/rule-packs.md's table of event tags ("### Clocks": "The tags events
carry (``Event.tags()``; ``known_event_tags(pack)`` lists them)") names every tag
each shipped pack knows, each under the event that carries it: a visit that did
not reach the complainant (``visited:not_reached``), ``linked`` /
``linked:repeatedly``, ``measure_added`` and ``measure_done`` had been left out.

F02: docs/concepts.md's list of "everything that happens afterwards" (REC-5)
names every event kind, ``EVENT_TYPES`` being the code's list; eight of the 32
had been left out.

The tests read the pages as a reader does: a table cell's backticked tags, with
``a\\|b`` alternatives written out and ``<unit>``-style placeholders standing for
any value; the concepts list's comma-separated words, spaces for underscores.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given

from complaintcore import load_pack
from complaintcore.core.models import EVENT_TYPES, Event
from complaintcore.rules.loader import available_packs, known_event_tags
from tests.strategies import events

DOCS = Path(__file__).resolve().parents[2] / "docs"

# --------------------------------------------------------------------------- F01

_TAG = re.compile(r"[a-z_]+(?::[a-z_<>|]+)?")


def _tag_table() -> dict[str, frozenset[str]]:
    """The rule-packs.md table: each row's event (``others`` too) and its tags."""
    text = (DOCS / "rule-packs.md").read_text(encoding="utf-8")
    start = text.index("| event | tags |")
    rows = text[start : text.index("\n\n", start)].splitlines()[2:]
    table: dict[str, frozenset[str]] = {}
    for row in rows:
        event, cell = row.strip().strip("|").split(" | ", 1)
        tags: set[str] = set()
        for quoted in re.findall(r"`([^`]+)`", cell.replace("\\|", "|")):
            if not _TAG.fullmatch(quoted):
                continue  # a field or a value (`reasonable=False`), not a tag
            kind, _, values = quoted.partition(":")
            if values:
                tags.update(f"{kind}:{v}" for v in values.split("|"))
            else:
                tags.add(kind)
        table[event.strip()] = frozenset(tags)
    return table


def _covers(documented: frozenset[str], tag: str) -> bool:
    """``tag`` is named, or is a value of a placeholder such as ``registered:<unit>``."""
    kind, qualified, _ = tag.partition(":")
    if tag in documented:
        return True
    return bool(qualified) and any(d.startswith(f"{kind}:<") for d in documented)


def test_the_table_has_the_rows_a_reader_looks_up() -> None:
    # by hand: the review's three missing events, and the Visited row's five tags
    table = _tag_table()
    assert table["Visited"] == {
        "visited",
        "visited:satisfied",
        "visited:unsatisfied",
        "visited:not_reached",
        "visited:appointment",
    }
    assert table["Linked"] == {"linked", "linked:repeatedly"}
    assert {"measure_added", "measure_done"} <= table["others"]


@pytest.mark.parametrize("name", available_packs())
def test_the_tag_table_names_every_tag_a_shipped_pack_knows(name: str) -> None:
    documented = frozenset().union(*_tag_table().values())
    missing = sorted(
        t
        for t in known_event_tags(load_pack(name))
        if not _covers(documented, t) and not t.startswith("breached:")
    )
    assert missing == []


def test_every_tag_the_table_names_is_one_some_shipped_pack_knows() -> None:
    known = frozenset().union(*(known_event_tags(load_pack(n)) for n in available_packs()))
    named = frozenset().union(*_tag_table().values())
    stale = sorted(t for t in named if "<" not in t and t not in known)
    assert stale == []


@given(events())
def test_each_event_s_tags_are_in_its_own_row(event: Event) -> None:
    # a row named after the event's class, else the "others" row names its kind
    table = _tag_table()
    row = table.get(type(event).__name__, table["others"])
    assert [t for t in event.tags() if not _covers(row, t)] == []


# --------------------------------------------------------------------------- F02


def _concepts_event_list() -> list[str]:
    """The kinds docs/concepts.md lists after "Everything that happens afterwards"."""
    text = (DOCS / "concepts.md").read_text(encoding="utf-8")
    start = text.index("Everything that happens afterwards")
    end = re.compile(r"\.\s").search(text, text.index("(REC-5):", start))
    assert end is not None
    sentence = text[start : end.start()]
    words = re.sub(r"\s+", " ", sentence.split("(REC-5):", 1)[1])
    words = re.sub(r"\([^)]*\)", "", words)  # a word's note, not a kind
    return [w.strip().removeprefix("and ").replace(" ", "_") for w in words.split(",")]


@pytest.mark.procedure("REC-5")
def test_concepts_lists_every_event_kind_once() -> None:
    listed = _concepts_event_list()
    assert len(listed) == len(set(listed))
    assert sorted(listed) == sorted(cls.kind for cls in EVENT_TYPES)
