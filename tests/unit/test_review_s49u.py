"""Review s49U: a mobile after +86 written with dots or slashes is masked, a list of
numbers written with " / " is not a phone (PRV-1), and building S typed in
English is building S (HDL-5, IMP-2).

Expected texts are counted by hand: ``models.mask`` keeps the last two characters
of a value that starts with a digit or "+" and stars the rest; what is masked is
the number's digits and its "+" (spaces, dots, slashes, dashes and brackets go
with it): ``+86 138.1234.5678`` holds ``+8613812345678``, fourteen characters,
so twelve stars and ``78``.
"""

from __future__ import annotations

import pytest

from complaintcore.core.concentration import building_key
from complaintcore.core.privacy import redact
from tests.unit.test_redaction import slow_runs

# --------------------------------------------------------------------------- F01

PLUS_86_MASKED = "************78"  # +8613812345678 / +8601062345678: 12 stars, "78"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+86 138 / 1234 / 5678", PLUS_86_MASKED),
        ("+86 138/1234/5678", PLUS_86_MASKED),
        ("+86 138.1234.5678", PLUS_86_MASKED),
        ("+86.138.1234.5678", PLUS_86_MASKED),
        ("+86 138 . 1234 . 5678", PLUS_86_MASKED),
        ("+86-138/1234/5678", PLUS_86_MASKED),
        ("电话+86 138 / 1234 / 5678", "电话" + PLUS_86_MASKED),
        ("业主电话：(+86) 138.1234.5678。", "业主电话：" + PLUS_86_MASKED + "。"),
        ("(+86)138/1234/5678", PLUS_86_MASKED),
        # a landline with its area code, after +86
        ("+86 010.6234.5678", PLUS_86_MASKED),
        # 0086 for +86: 008613812345678, fifteen digits: 13 stars and "78"
        ("0086 138.1234.5678", "*************78"),
        # full-width, as a Chinese IME types it: the digits are shown folded
        ("＋８６ １３８．１２３４．５６７８", PLUS_86_MASKED),
    ],
)
def test_a_mobile_after_plus_86_with_dots_or_slashes_is_masked(text: str, expected: str) -> None:
    """docs/security.md: groups split by dots or slashes, with spaces round them or
    not, are masked, a mainland mobile "perhaps after +86"; "+86 138" was read as a
    number too short to mask and the rest of the mobile was never tried."""
    assert redact(text) == expected


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        # the review's lists: work orders, rooms, invoices, amounts, areas, meter
        # readings, a receipt number's parts
        "工单 1201 / 1202 / 1203 都没处理",
        "rooms 1201 / 1202 / 1203 flooded",
        "Invoices 2041 / 2042 / 2043 all unpaid",
        "物业费、停车费、水电费分别是 1200 / 300 / 450 元",
        "面积 120 / 3000 / 450 平方米",
        "电表读数 1234 . 5678 . 9012",
        "收据号 2025 / 1114 / 0930",
        # numbered with leading zeros: no area code (0 then 1-9) and a number
        # starting 2-9
        "单号 0001 / 0002 / 0003",
        "单号 0120 / 0130 / 0140",
        # a mobile's first group but not its 3-4-4 shape
        "138 / 1234 / 56789",
        "1380 / 1234 / 5678",
    ],
)
def test_a_spaced_list_of_numbers_is_no_phone(text: str) -> None:
    assert redact(text) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # one phone, spaced: a mobile in 3-4-4 groups (11 digits: 9 stars, "78")
        ("业主电话 138 / 1234 / 5678", "业主电话 *********78"),
        ("电话：139 . 1234 . 5678", "电话：*********78"),
        # a landline: area code 010 and eight digits (11: 9 stars, "78"), 0755
        # and eight (12: 10 stars, "66"), 021 and seven (10: 8 stars, "67")
        ("Tel 010 / 6234 / 5678", "Tel *********78"),
        ("Tel 0755 . 8888 . 6666", "Tel **********66"),
        ("Tel 021 / 623 / 4567", "Tel ********67"),
        # unspaced, the rule is as before: three groups, one of four digits
        # (1200300450: ten digits, 8 stars and "50")
        ("费用 1200/300/450 元", "费用 ********50 元"),
    ],
)
def test_one_phone_with_spaced_dots_or_slashes_is_still_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
def test_phone_shaped_dots_and_slashes_cost_linear_time() -> None:
    """The phone-shaped branch and its +86 prefix are bounded: ten times the text,
    about ten times the processor time."""
    assert not slow_runs(["+86 138 / ", "(+86) 010 . 6234 ", "0086.", "+86 1 / "])


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("HDL-5")
@pytest.mark.procedure("IMP-2")
@pytest.mark.parametrize(
    "typed",
    [
        *("S座", "S栋", "s", "Block S", "Bldg. S", "Blk S", "Building S"),
        *("BLOCK s", "Bldg.S", "Block Ｓ"),
    ],
)
def test_building_s_typed_in_english_is_building_s(typed: str) -> None:
    """docs/concepts.md: ``A座``, ``Block A`` and ``Bldg. A`` are building a; by the
    same rule ``Block S`` and ``Bldg. S`` are building s."""
    assert building_key(typed) == "s"


@pytest.mark.procedure("HDL-5")
@pytest.mark.parametrize(
    ("typed", "spelling"),
    [("Blocks", "blocks"), ("BUILDINGS", "buildings"), ("bldgs", "bldgs"), ("Blks", "blks")],
)
def test_an_english_plural_is_no_building_s(typed: str, spelling: str) -> None:
    """An S typed right after the word, with no space or dot, is the plural."""
    assert building_key(typed) == spelling


@pytest.mark.procedure("HDL-5")
@pytest.mark.parametrize("typed", ["Block S", "Bldg. S", "Blocks", "blo ck s"])
def test_a_key_of_building_s_is_its_own_key(typed: str) -> None:
    assert building_key(building_key(typed)) == building_key(typed)
