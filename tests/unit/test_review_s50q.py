"""Review s50Q: personal data in every output (PRV-1) and one flat, one room key (IMP-3).

F01: a room of digits of three or more is masked wherever it stands as a number
of its own, whatever word or mark follows it (``1201时常``, ``1201日夜``,
``1201/1202``, ``1201:``, ``3.2.1201``, ``rm-20251114-1201``, ``110元``); a room of
one or two digits is kept readable only inside the unmistakable shape of a date,
a time, a decimal, an IP address or an id (``2025-11-21``, ``11:00``, ``12.5``,
``C-20251112-…``), never before a word alone (``12点漏水``, ``11时``, ``12%``).

F02: a room stored as ``1201室`` or ``1201号`` is masked where a text writes the
flat ``1201``, ``1201号``, ``1201室`` or ``１２０１``.

F03: a phone in international form after ``00`` with dashes or spaces
(``0086-21-6234-5678``) is masked.

F04: a room typed below the building field's building as a unit and a room
(``3栋`` and ``2单元1201室``) or as one group (``3栋`` and ``1201室``) is keyed as
the whole address is (``3栋2单元1201室``, ``3栋1201室``).

F05: an accented name is masked whether the text or the stored name is composed
(NFC) or decomposed (NFD).

F06: a number in international form with an extension glued on with an ``x``
(``+1.415.555.0100x12``) is masked.

Expected texts are counted by hand: ``models.mask`` keeps the last two
characters of a value of five characters or more that starts with a digit (one
of four or fewer is all stars) and the first character of any other (digits of a
phone are masked without their separators, a ``+`` counted with them).  Room keys are the documented
source ``sha256("room:<site>|<building>|<room>")`` hashed by the test.
"""

from __future__ import annotations

import hashlib
import unicodedata

import pytest

from complaintcore.core.concentration import complainant_key
from complaintcore.core.models import Complainant
from complaintcore.core.privacy import redact
from complaintcore.core.repeats import room_key
from tests.unit.test_redaction import slow_runs
from tests.unit.test_review_s49q import _by_hand

# --------------------------------------------------------------------------- F01


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        # the review's rows: a word that a unit's character starts
        ("1201", "楼上1201时常漏水", "楼上****时常漏水"),
        ("1201", "我家1201日夜都有噪音", "我家****日夜都有噪音"),
        ("1201", "1201年久失修", "****年久失修"),
        ("1201", "1201分摊的费用不对", "****分摊的费用不对"),
        ("1201", "住1201月底搬走", "住****月底搬走"),
        ("12", "房间12点漏水", "房间**点漏水"),
        # a list of rooms, a colon, dots and slashes, an id's last part
        ("1201", "住1201/1202两套", "住****/1202两套"),
        ("1201", "房号1201:2单元", "房号****:2单元"),
        ("1201", "3.2.1201", "3.2.****"),
        ("1201", "3/2/1201", "3/2/****"),
        ("1201", "rm-20251114-1201", "rm-20251114-****"),
        # three digits or more before any word: an amount, a year, a share
        ("1201", "1201元", "****元"),
        ("1201", "住1201%", "住****%"),
        ("110", "费用110元", "费用***元"),
        ("2025", "2025-11-21 上门", "****-11-21 上门"),
        ("0001", "C-20251114-0001", "C-20251114-****"),
        ("0001", "file_20251114_0001", "file_20251114_****"),
        ("168", "192.168.1.12", "192.***.1.12"),
        # one or two digits before a word alone: no date's or time's whole shape
        ("11", "2025年11月，11时", "2025年11月，**时"),
        ("12", "增加12%", "增加**%"),
        ("12", "住12日", "住**日"),
        ("12", "12.5.1201", "**.5.1201"),  # no decimal: a third group
        ("1201", "end-end of 1201.", "end-end of ****."),
    ],
)
def test_a_room_of_its_own_is_masked_whatever_word_follows_it(
    room: str, text: str, expected: str
) -> None:
    assert redact(text, also=["王小明", room]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text"),
    [
        ("11", "预约 2025-11-21 11:00 上门，费用 110 元"),  # 110: glued to a digit
        ("21", "11月21日 11点30分上门"),
        ("11", "2025年11月 到场"),
        ("11", "11点半到"),
        ("30", "10分30秒"),
        ("12", "面积12.5平米"),
        ("12", "192.168.1.12"),
        ("12", "C-20251114-12"),
        ("209", "C-20251114-209d9c001ced2bbf"),  # glued to a letter: no number of its own
    ],
)
def test_a_short_room_stays_readable_only_in_a_whole_date_time_decimal_or_id(
    room: str, text: str
) -> None:
    assert redact(text, also=[room]) == text


# --------------------------------------------------------------------------- F02


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        ("1201室", "住1201漏水", "住****漏水"),
        ("1201室", "住1201号漏水", "住****号漏水"),
        ("1201室", "住１２０１漏水", "住****漏水"),
        ("1201号", "住1201室漏水", "住****室漏水"),
        ("1201 室", "住1201漏水", "住****漏水"),
        ("１２０１号", "住1201，卫生间漏水", "住****，卫生间漏水"),
        # the spelt form as before: five characters, the last two kept
        ("1201室", "住1201室漏水", "住***1室漏水"),
    ],
)
def test_a_room_stored_with_its_end_word_is_masked_in_its_other_spellings(
    room: str, text: str, expected: str
) -> None:
    assert redact(text, also=["王小明", room]) == expected


@pytest.mark.procedure("PRV-1")
def test_a_room_stored_with_its_end_word_leaves_other_numbers() -> None:
    text = "费用12010元，3-12013"
    assert redact(text, also=["1201室"]) == text


# --------------------------------------------------------------------------- F03, F06


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 0086-21-6234-5678: 14 digits, the last two kept
        ("0086-21-6234-5678", "************78"),
        ("0086-10-62345678", "************78"),
        ("0044-20-7946-0958", "************58"),
        ("0061-2-9876-5432", "***********32"),  # 13 digits
        ("0086 21 6234 5678", "************78"),
        ("电话0086-21-6234-5678。", "电话************78。"),
    ],
)
def test_a_phone_after_00_with_dashes_or_spaces_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # +1.415.555.0100: "+" and 11 digits, the last two kept; the extension stays
        ("Call +1.415.555.0100x12 now", "Call **********00x12 now"),
        ("+1 415 555 0100x12", "**********00x12"),
        ("Tel +852.9123.4567x", "Tel **********67x"),  # "+" and 11 digits
        ("+44 20 7946 0958X3", "***********58X3"),  # "+" and 12 digits
    ],
)
def test_an_international_number_with_an_x_extension_is_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("text", ["1920x1080", "C-20251114-0001", "00123"])
def test_an_x_after_other_numbers_is_no_extension(text: str) -> None:
    assert redact(text) == text


@pytest.mark.procedure("PRV-1")
def test_an_x_word_after_a_dotted_international_number_is_no_extension() -> None:
    # "xyz" is no extension: a phone in groups with a Latin letter glued after is
    # masked whole, as "+1 415 555 0100xyz" is (review s53R12 F03, s53R14 F03; it
    # was kept whole before the dotted form was read): "+" and 11 digits -> 10
    # stars + 00, the letters kept
    assert redact("+1.415.555.0100xyz") == "**********00xyz"


# --------------------------------------------------------------------------- F04


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("building", "room", "written"),
    [
        ("3栋", "2单元1201室", "3-2-1201"),
        ("3", "2单元1201", "3-2-1201"),
        ("3号楼", "2门1201", "3-2-1201"),
        ("3栋", "3栋2单元1201室", "3-2-1201"),
        ("3栋", "1201室", "3-1201"),
        ("3", "1201", "3-1201"),
        ("A座", "1201", "a-1201"),
        ("3栋", "3栋1201室", "3-1201"),
        # a dashed room may name a building or a unit: kept as typed (concepts.md)
        ("3栋", "2-1201", "2-1201"),
        # a building field that is no one group: the room as before
        ("华府一期", "2单元1201", "2单元1201"),
    ],
)
def test_a_room_below_the_building_field_is_keyed_as_the_whole_address(
    building: str, room: str, written: str
) -> None:
    place = {"3栋": "3", "3号楼": "3", "A座": "a", "华府一期": "华府一期"}.get(building, building)
    assert room_key("sunrise", building, room) == _by_hand("sunrise", place, written)


@pytest.mark.procedure("IMP-3")
def test_the_split_entry_and_the_whole_address_are_one_room() -> None:
    whole = room_key("sunrise", "", "3栋2单元1201室")
    assert room_key("sunrise", "3栋", "2单元1201室") == whole
    assert room_key("sunrise", "5栋", "2单元1201室") != whole  # another building


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("building", "room", "written"),
    [("3栋", "2单元1201室", "3-2-1201"), ("3栋", "1201室", "3-1201"), ("", "3栋1201室", "3-1201")],
)
def test_a_phoneless_complainant_is_keyed_by_the_whole_address_too(
    building: str, room: str, written: str
) -> None:
    """The key of a complainant without a phone holds the room as the room key does
    (concepts.md: "derived from the phone number (or the room and name without
    one)"): the household typed as split entry or as the whole address is one."""
    who = Complainant("王小明", "", room, building, "sunrise")
    source = f"room:sunrise|3|{written}|王小明"  # the documented source, by hand
    assert complainant_key(who) == hashlib.sha256(source.encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- F05


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("name", "text_form", "stored_form", "expected"),
    [
        # Lê: composed 2 characters (L*), decomposed 3 (L**); the text keeps its form
        ("Lê", "NFD", "NFC", "L** called"),
        ("Lê", "NFC", "NFD", "L* called"),
        ("Müller", "NFD", "NFC", "M****** called"),
        ("Müller", "NFC", "NFD", "M***** called"),
        ("José", "NFD", "NFC", "J**** called"),
        ("Nguyễn", "NFD", "NFC", "N******* called"),  # ễ: e and two marks
    ],
)
def test_an_accented_name_is_masked_in_either_normal_form(
    name: str, text_form: str, stored_form: str, expected: str
) -> None:
    text = unicodedata.normalize(text_form, f"{name} called")  # type: ignore[arg-type]
    stored = unicodedata.normalize(stored_form, name)  # type: ignore[arg-type]
    assert text != unicodedata.normalize(stored_form, text)  # two spellings indeed
    assert redact(text, also=[stored]) == expected


# --------------------------------------------------------------------------- cost

_KNOWN = ["11", "1201", "1201室", "Lê"]
_HOSTILE = [
    "11点", "11:1", "2025-11-", "11/1", "1.1", "192.168.", "2025年11月", "0086-",
    "00 86 ", "+1.415.555.0100x", "1x", "C-20251114-", "1201室", "1201号", "Le\u0302 ",
]  # fmt: skip


@pytest.mark.procedure("PRV-1")
def test_masking_short_rooms_phones_and_names_in_hostile_runs_is_linear() -> None:
    """The shapes a short room is kept in, phones after 00 and with an extension,
    a room's bare group and a decomposed name are found in time in proportion to
    the text, in a child process."""
    assert not slow_runs(_HOSTILE, _KNOWN, timeout=300)
