"""Review s51R18: masking personal data (PRV-1) read as it is drawn.

F01: a one-character stored room after a room word is found with an invisible
character beside or inside the word (``房号\\u200b7-1``), and one inside a longer
word (``配电\\u200b房7月3日``) does not make ``房`` a room word.

F02: a phone, name or room partly under a directional override is masked whole:
the phones and literals are read before the run is masked, and a literal a
right-to-left run completes as drawn (``王小\\u202e明\\u202c``) is found.

F03: a keycap digit with any default-ignorable character before U+20E3 (the
text-style keycap ``1\\ufe0e\\u20e3``) is read as its digit.

F04: a local landline glued by a dash after a stored room is masked with its
groups spaced (``3-2-1201-6234 5678``).

Expected texts are counted by hand: ``models.mask`` keeps the last two
characters of a value of five characters or more that starts with a digit and
the first character of any other; a phone's digits are masked without their
separators, the format characters inside a masked span go with it, those after
its last character stay.
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import Literals, literals_in, redact
from tests.unit.test_redaction import slow_runs

RLO, PDF, ZWSP, CGJ, KEYCAP = "\u202e", "\u202c", "\u200b", "\u034f", "\u20e3"

# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"房号{ZWSP}7-1", f"房号{ZWSP}*-1"),
        (f"房{ZWSP}号7-1", f"房{ZWSP}号*-1"),
        (f"Flat{ZWSP} 7/3", f"Flat{ZWSP} */3"),
        (f"Flat {CGJ}7/3", f"Flat {CGJ}*/3"),
        ("room: \u00ad7", "room: \u00ad*"),
        (f"room {ZWSP}7 leaks", f"room {ZWSP}* leaks"),
    ],
)
def test_a_one_character_room_after_a_room_word_with_an_invisible_character_is_masked(
    text: str, expected: str
) -> None:
    assert redact(text, also=["7"]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text", [f"配电{ZWSP}房7月3日停电", f"配电{CGJ}房7月3日停电", "办公\ufe0f室7月3日开会"]
)
def test_an_invisible_character_inside_a_longer_word_makes_no_room_word(text: str) -> None:
    assert redact(text, also=["7"]) == text


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 13843215678 as stored: 11 digits, 9 stars and "78"
        (f"电话138{RLO}4321{PDF}5678", "电话*********78"),
        # 138142345678: 12 digits, 10 stars and "78"
        (f"电话1381{RLO}4{PDF}2345678", "电话**********78"),
        # "+8613843215678": 14 characters, 12 stars and "78"
        (f"Tel +86 138 {RLO}4321{PDF} 5678", "Tel ************78"),
    ],
)
def test_a_phone_partly_under_an_override_shows_no_more_than_two_digits(
    text: str, expected: str
) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
def test_a_literal_a_reversed_run_completes_is_masked_inside_and_outside_the_run() -> None:
    also = ["王小明", "3-2-1201", "Margaret Thompson"]
    # drawn 我是王小明，住3-2-1201: every letter and digit of both masked
    text = f"我是王小{RLO}明{PDF}，住3-2-12{RLO}10{PDF}"
    assert redact(text, also=also) == f"我是**{RLO}*{PDF}，住*-*-**{RLO}**{PDF}"
    # "nosp" drawn reversed: Margaret Thompson
    assert redact(f"Margaret Thom{RLO}nosp{PDF}", also=also) == f"******** ****{RLO}****{PDF}"
    # "nospm" drawn reversed is "mpson": Margaret Thommpson, not the name; the run
    # is masked as every overridden run is (the review's example)
    assert redact(f"Margaret Thom{RLO}nospm{PDF}", also=also) == f"Margaret Thom{RLO}*****{PDF}"


@pytest.mark.procedure("PRV-1")
def test_a_literal_a_reversed_run_completes_is_found_for_an_issues_texts() -> None:
    """An issue's other complainants' literals are chosen per text by
    ``literals_in`` and ``Literals``: the room 3-2-1201 that a run completes as
    drawn is chosen too, so their masking matches ``redact`` with all of them."""
    text = f"住3-2-12{RLO}10{PDF}"  # stored order 3-2-1210: no 1201 in it
    also = ["王小明", "3-2-1201"]
    assert literals_in(text, also) == ["3-2-1201"]
    assert Literals(also).found_in(text) == ["3-2-1201"]
    assert redact(text, also=literals_in(text, also)) == f"住*-*-**{RLO}**{PDF}"


@pytest.mark.procedure("PRV-1")
def test_a_literal_away_from_the_reversed_run_is_read_as_before() -> None:
    # the room 11 inside a date stays readable: the override elsewhere adds nothing
    text = f"{RLO}abc{PDF} 2025-11-21"
    assert redact(text, also=["11"]) == f"{RLO}***{PDF} 2025-11-21"


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("before", ["\ufe0e", CGJ, "\ufe0f\ufe0f", ZWSP])
def test_a_keycap_digit_with_another_invisible_before_the_keycap_is_its_digit(
    before: str,
) -> None:
    keycaps = "".join(f"{d}{before}{KEYCAP}" for d in "13812345678")
    # the last digit keeps what follows it
    assert redact(f"请回电 {keycaps}") == f"请回电 *********78{before}{KEYCAP}"


@pytest.mark.procedure("PRV-1")
def test_a_room_in_text_style_keycaps_is_masked() -> None:
    text = "住" + "".join(f"{d}\ufe0e{KEYCAP}" for d in "1202") + "室"
    # 1202: four characters, all masked
    assert redact(text, also=["1202"]) == f"住****\ufe0e{KEYCAP}室"


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the room: 6 stars and "01"; "6234 5678" (9 characters): 7 stars and "78"
        ("住3-2-1201-6234 5678", "住******01-*******78"),
        ("住3-2-1201-6234\u30005678", "住******01-*******78"),
        # "6234 - 5678" (11 characters): 9 stars and "78"
        ("住3-2-1201-6234 - 5678", "住******01-*********78"),
    ],
)
def test_a_glued_landline_with_spaced_groups_is_masked(text: str, expected: str) -> None:
    assert redact(text, also=["3-2-1201"]) == expected


@pytest.mark.procedure("PRV-1")
def test_a_date_after_a_glued_group_is_no_landline() -> None:
    text = "住3-2-1201-6234 2025-11-14"
    assert redact(text, also=["3-2-1201"]) == "住******01-6234 2025-11-14"


@pytest.mark.procedure("PRV-1")
def test_masking_overrides_keycaps_single_rooms_and_spaced_landlines_is_linear() -> None:
    assert not slow_runs(
        [f"王小{RLO}明{PDF}", f"{RLO}1", f"1\ufe0e{KEYCAP}", f"房{ZWSP}7 ", "3-2-1201-6234 "],
        ["王小明", "3-2-1201", "7"],
        timeout=300,
    )
