"""Review s51R13: masking personal data (PRV-1) after review s51A.

F01: a long run of combining marks ("Zalgo" text) is masked in time in
proportion to its length (NFC reorders a run's marks in time growing with the
square of its length: a run is cut after 30 marks, as Unicode's Stream-Safe Text
Format cuts one).

F02: 室 and 房 at the end of a longer Chinese word (办公室, 配电房) are no room word:
the month or hour after them stays readable.

F03: a phone typed with the ideographic full stop (``138。1234。5678``) is masked.

F04: a line or paragraph separator (U+2028, U+2029) between a name's, a mobile's
or a room's parts is a line break, as ``\\n`` is.

F05: a local landline (seven or eight digits) glued after a stored room by a dash
(``3-2-1201-62345678``) is masked.

F06: the dot of a transliterated name (``阿卜杜拉·买买提``) is any name dot or
spaces.

Expected texts are counted by hand: ``models.mask`` keeps the last two
characters of a value of five characters or more that starts with a digit and
the first character of any other (digits of a phone are masked without their
separators; a literal's line breaks are kept where they stand).
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import literals_in, redact
from tests.unit.test_redaction import slow_runs

_MARKS = "\u0301\u0316" * 100  # an acute (above) and a grave below, alternating

# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("PRV-1")
def test_masking_a_long_run_of_combining_marks_is_linear() -> None:
    """Ten times the run, about ten times the processor time (it was about a hundred:
    0.3 s for 10,000 characters, 11.5 s for 50,000), in a child process."""
    known = ["Ann Lee", "张伟", "3-2-1201"]  # a caseless name: the text is read composed
    assert not slow_runs(["\u0301\u0316", "e\u0301\u0316\u0301"], known, timeout=300)


@pytest.mark.procedure("PRV-1")
def test_a_name_beside_a_long_run_of_marks_is_masked_and_the_marks_kept() -> None:
    # "Zoë Lee" composed: 7 characters, Z and 6 stars
    assert redact(f"Zoë Lee e{_MARKS}", also=["Zoë Lee"]) == f"Z****** e{_MARKS}"
    # typed decomposed (Zoe + U+0308): masked as written, 8 characters
    text = f"{_MARKS} Zoe\u0308 Lee {_MARKS}"
    assert redact(text, also=["Zoë Lee"]) == f"{_MARKS} Z******* {_MARKS}"


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("7", "配电房7月3日停电检修"),
        ("8", "水泵房 8:30-17:30 检修"),
        ("12", "物业办公室12月3日起搬到新址"),
        ("12", "会议室12:30开会"),
        ("12", "请到办公室 12/3 领取"),
        ("12", "卧室12/3"),
    ],
)
def test_a_date_after_a_word_ending_in_a_room_character_stays_readable(
    room: str, text: str
) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        ("12", "她的房间12/3", "她的房间**/3"),  # 房间 and 房号 are room words anywhere
        ("12", "业主房号 12/3", "业主房号 **/3"),
        ("12", "室 12/3", "室 **/3"),  # 室 as a word of its own
        ("7", "房号7-1", "房号*-1"),
    ],
)
def test_a_room_word_before_a_short_room_still_masks_it(
    room: str, text: str, expected: str
) -> None:
    assert redact(text, also=[room]) == expected


# --------------------------------------------------------------------------- F03


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # eleven digits each: nine stars and the last two
        ("电话138。1234。5678", "电话*********78"),
        ("电话021。6234。5678", "电话*********78"),
        ("电话021 6234。5678", "电话*********78"),
        ("电话138｡1234｡5678", "电话*********78"),  # the half-width form
        ("电话138 。 1234 。 5678", "电话*********78"),
        # a sentence's full stop after a phone stays, and so does what follows
        ("请回电13812345678。9点前有人", "请回电*********78。9点前有人"),
    ],
)
def test_a_phone_typed_with_the_ideographic_full_stop_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("text", ["共3。1234", "金额1200。1300。1400元", "2025。11。14"])
def test_full_stops_outside_a_phone_shape_stay_readable(text: str) -> None:
    assert redact(text) == text


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("brk", ["\u2028", "\u2029", "\x0b", "\x0c", "\x85"])
@pytest.mark.parametrize(
    ("value", "text", "expected"),
    [
        ("Ann Lee", "Ann{b}Lee", "A**{b}***"),
        ("Ann Lee", "Ann{b}{b}Lee", "A**{b}{b}***"),  # a blank line
        ("王小明", "王小{b}明", "王*{b}*"),
        # the room written "3栋2单元1201室" (10 characters): 8 stars and "1室"
        ("3-2-1201", "3栋2单元{b}1201室", "*****{b}***1室"),
        ("", "138{b}1234{b}5678", "*********78"),  # a mobile: the line breaks go with it
    ],
)
def test_a_unicode_line_break_is_a_line_break(
    brk: str, value: str, text: str, expected: str
) -> None:
    also = [value] if value else []
    assert redact(text.format(b=brk), also=also) == expected.format(b=brk)


@pytest.mark.procedure("PRV-1")
def test_three_unicode_line_breaks_are_too_far_apart_as_three_newlines_are() -> None:
    assert redact("Ann\u2029\u2029\u2029Lee", also=["Ann Lee"]) == "Ann\u2029\u2029\u2029Lee"
    assert redact("Ann\n\n\nLee", also=["Ann Lee"]) == "Ann\n\n\nLee"


# --------------------------------------------------------------------------- F05


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the room "3-2-1201" (8 characters): 6 stars and "01"; the phone
        # "62345678": 6 stars and "78"
        ("住3-2-1201-62345678", "住******01-******78"),
        ("住3-2-1201—62345678", "住******01—******78"),
        ("住3-2-1201——62345678", "住******01——******78"),
        # "6234-5678" masked as written with the room (9 characters)
        ("住3-2-1201-6234-5678", "住******01-*******78"),
        ("住3-2-1201-6234567", "住******01-*****67"),  # seven digits
        ("住3-2-1201-62345678x12", "住******01-******78x12"),  # an extension kept
    ],
)
def test_a_local_landline_glued_after_a_room_is_masked(text: str, expected: str) -> None:
    assert redact(text, also=["3-2-1201"]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        "C-20251114-0001",
        "住3-2-1201-1234",  # four digits: no phone
        "3-2-1201-0001",
    ],
)
def test_short_numbers_and_ids_after_a_dash_stay_as_before(text: str) -> None:
    masked = redact(text, also=["3-2-1201"])
    assert masked == text.replace("3-2-1201", "******01")


# --------------------------------------------------------------------------- F06


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "dot", ["\u00b7", "\u30fb", "\uff65", "\u2022", "\u2027", "\u22c5", "\uff0e", ".", " ", " · "]
)
def test_a_transliterated_name_with_another_dot_is_masked(dot: str) -> None:
    text = f"业主阿卜杜拉{dot}买买提来电"
    # 阿 kept; 卜杜拉 (3), the dot as written and 买买提 (3) each a star
    expected = f"业主阿{'*' * (3 + len(dot) + 3)}来电"
    assert redact(text, also=["阿卜杜拉·买买提"]) == expected


@pytest.mark.procedure("PRV-1")
def test_a_latin_name_with_a_middle_dot_is_found_with_another_dot() -> None:
    assert redact("John・Smith called", also=["John·Smith"]) == "J********* called"
    assert literals_in("约翰•史密斯来电", ["约翰·史密斯"]) == ["约翰·史密斯"]


@pytest.mark.procedure("PRV-1")
def test_a_name_without_its_dot_is_not_the_name() -> None:
    """The dot left out is another spelling not taken (documented)."""
    assert redact("阿卜杜拉买买提", also=["阿卜杜拉·买买提"]) == "阿卜杜拉买买提"


@pytest.mark.procedure("PRV-1")
def test_masking_full_stops_line_separators_glued_landlines_and_name_dots_is_linear() -> None:
    assert not slow_runs(
        ["138。", "138。1234。", "Ann\u2028", "\u2029", "3-2-1201-6234", "阿卜杜拉・", "・"],
        ["阿卜杜拉·买买提", "3-2-1201", "Ann Lee", "12"],
        timeout=300,
    )
