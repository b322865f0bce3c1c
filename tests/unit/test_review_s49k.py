"""Review s49K: phones with spaces round a dot or slash, and one boundary rule for
known values (PRV-1: phone numbers, names and rooms never shown to people who
need not see them).

Expected texts are counted by hand: ``models.mask`` keeps the last two characters
of a value that starts with a digit (``13812345678`` -> nine stars and ``78``)
and the first character of any other (``B-0`` -> ``B`` and two stars,
``A座1201`` -> ``A`` and five stars).
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import redact
from tests.unit.test_redaction import slow_runs

# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # docs/security.md: groups split by "dots or slashes"; spaces round a
        # dash were taken, round a dot or a slash they were not.  The eleven
        # digits: nine stars and "78", the spaces and separators go with them
        ("业主电话 138 / 1234 / 5678", "业主电话 *********78"),
        ("业主电话 138. 1234. 5678", "业主电话 *********78"),
        ("业主电话 138 . 1234 . 5678。", "业主电话 *********78。"),
        ("电话：138 /1234/ 5678", "电话：*********78"),
        # ideographic and no-break spaces are spaces too
        ("电话 138\u3000/\u30001234\u3000/\u30005678", "电话 *********78"),
        ("Tel 010\u00a0/\u00a06234\u00a0/\u00a05678", "Tel *********78"),
        # as before, without spaces
        ("业主电话 138/1234/5678", "业主电话 *********78"),
        ("业主电话 138.1234.5678", "业主电话 *********78"),
    ],
)
def test_a_phone_split_by_a_dot_or_slash_with_spaces_round_it_is_masked(
    text: str, expected: str
) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        # an IP address, spaced: no group of four digits or more
        "服务器 192 . 168 . 100 . 200 无响应",
        "服务器 192. 168. 100. 200 无响应",
        # a date: groups shorter than three digits
        "2025 / 11 / 14 到场",
        "2025. 11. 14 到场",
        # two groups only: a decimal or a ratio, not a phone
        "1280. 5000 元",
        "1280 / 5000",
        # a line break round the separator joins no groups
        "138 /\n1234 / 5678",
    ],
)
def test_dates_ip_addresses_and_two_groups_with_spaced_dots_or_slashes_stay(text: str) -> None:
    assert redact(text) == text


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "also", "expected"),
    [
        # the review's cases: a full-width Ａ before the room, with and without a
        # second known value that holds an "A" (which made the text read folded)
        # (1A starts with a digit and is too short to keep a tail: "**")
        ("ＡB-0 1A", ["B-0", "1A"], "ＡB** **"),
        ("ＡB-0B-0", ["B-0", "1A"], "ＡB**B**"),
        ("ＡB-0B-0", ["B-0"], "ＡB**B**"),
        ("ＡB-0", ["B-0"], "ＡB**"),
        # an ASCII letter glued before it: masked as well (docs: no digit may be
        # glued to the room's digits; letters glued on do not make another room)
        ("AB-0", ["B-0"], "AB**"),
        ("AB-0", ["B-0", "1A"], "AB**"),
        # a room written twice in a row: both masked
        ("B-0B-0", ["B-0"], "B**B**"),
        ("住A座1201A座1201。", ["A座1201"], "住A*****A*****。"),
        # a letter glued before a group that starts with a letter, and a digit
        ("住BA座1201，漏水", ["A座1201"], "住BA*****，漏水"),
        ("住5A-1201，漏水", ["A-1201"], "住5A*****，漏水"),
        ("住ＢA座1201，漏水", ["A座1201", "Bob"], "住ＢA*****，漏水"),
        # a letter glued after a last group that ends with a letter
        # (12-1201B is 8 characters: 6 masked, "1B" kept)
        ("住12-1201BC，漏水", ["12-1201B"], "住******1BC，漏水"),
        # a known value overlapping itself: "abab" twice in "ababab" (6 characters,
        # "a" kept); "a***ab" showed the second one's "ab" (a name of three letters
        # or fewer is masked as a word of its own: review s50D F03)
        ("x ababab y", ["abab"], "x a***** y"),
        # two known values sharing a character: masked as one run of four (王 kept)
        ("住王小明华", ["王小明", "明华"], "住王***"),
        # one known value lying inside another, starting after it and ending before
        # it: the longer one masked to its end (王 kept, 小明华 three stars; review
        # s57R2 F04: the run ended where the shorter did, 住王**华)
        ("住王小明华", ["王小明华", "小明"], "住王***"),
        ("xx王小明华yy", ["小明", "王小明华"], "xx王***yy"),
        # the result does not depend on which other values are given
        ("住王小明华", ["明华"], "住王小明*"),
    ],
)
def test_every_occurrence_of_a_known_value_is_masked_whatever_else_is_known(
    text: str, also: list[str], expected: str
) -> None:
    """A known room next to letters, written twice in a row, or a known value
    overlapping itself or another: each place it occurs is masked, and what is
    masked does not depend on the other values given."""
    assert redact(text, also=also) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        "住13-2-1201，楼上漏水",  # a digit glued before the first group's digit
        "住3-2-12015，楼上漏水",  # a digit glued after the last group's digit
        "住3-2-1201５",  # a full-width digit glued after
    ],
)
def test_digits_glued_to_a_rooms_digits_still_make_another_number(text: str) -> None:
    assert redact(text, also=["3-2-1201"]) == text


# --------------------------------------------------------------------------- cost

_HOSTILE_SPACED_DOTS = [
    "123 . ", "1234 / ", "123 .", "12 / ", "123  /  ", "1234\u3000.\u3000", "123 . 4", "1 / ",
]  # fmt: skip
_SELF_OVERLAPPING = ["aaaa", "abab", "王小王小", "3-3-3"]
_HOSTILE_TO_SELF_OVERLAPPING = ["a", "ab", "王小", "3-", "B-0", "aB-0"]


@pytest.mark.procedure("PRV-1")
def test_spaced_dots_and_slashes_and_overlapping_values_cost_linear_time() -> None:
    """Spaces round a dot or slash are read once (bounded, possessive); a known
    value found from every place it starts (``aaaa`` in a run of ``a``) tries each
    place once: ten times the text, about ten times the processor time."""
    assert not slow_runs(_HOSTILE_SPACED_DOTS)
    assert not slow_runs(_HOSTILE_TO_SELF_OVERLAPPING, [*_SELF_OVERLAPPING, "B-0"])
