"""Review s54R4: personal data in English, as the UK and Scottish packs' texts write
it (PRV-1, ``redact``).

F05: a UK number with its area code in brackets (``(01632) 960001``) is masked whole.

Expected texts counted by hand from docs/notifications.md (PRV-1): a masked number
is its digits (separators and brackets left out) as stars, the last two shown.
"""

from __future__ import annotations

import pytest

from complaintcore.core.privacy import redact


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 01632 960001: 11 digits -> 9 stars + 01
        ("(01632) 960001", "*********01"),
        ("Tel: (01632)960001.", "Tel: *********01."),
        # 07700 900123: 11 digits -> 9 stars + 23
        ("my mobile (07700) 900 123, evenings", "my mobile *********23, evenings"),
        # 020 7946 0018: 11 digits -> 9 stars + 18
        ("(020) 7946 0018", "*********18"),
        # 016977 2345: 10 digits -> 8 stars + 45
        ("call (016977) 2345 after six", "call ********45 after six"),
        # 0131 496 0000 x12: the extension kept, as for any phone
        ("(0131) 496 0000x12", "*********00x12"),
    ],
)
def test_f05_a_bracketed_area_code_is_masked_with_its_number(text: str, expected: str) -> None:
    assert redact(text) == expected
    # the complainant's phone as stored (no brackets) changes nothing
    assert redact(text, also=["01632 960001"]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("text", ["(2025) 12", "page (12) 3456", "(1) 234 5"])
def test_f05_a_bracketed_number_of_fewer_than_seven_digits_stays(text: str) -> None:
    assert redact(text) == text


# F01: a name is the same name with any apostrophe for its apostrophe; each masked
# letter and mark is one star (notifications.md: "with any apostrophe ...").
@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("stored", ["Siobhan O'Neill", "Siobhan O\u2019Neill"])
@pytest.mark.parametrize("apostrophe", ["'", "\u2019", "\u2018", "\u02bc", "\u00b4", "`", "\u2032"])
def test_f01_a_name_is_masked_with_any_apostrophe(stored: str, apostrophe: str) -> None:
    text = f"Boiler broken; Siobhan O{apostrophe}Neill has no heating"
    assert redact(text, also=[stored]) == "Boiler broken; S************** has no heating"
    upper = f"SIOBHAN O{apostrophe}NEILL rang"
    assert redact(upper, also=[stored]) == "S************** rang"


@pytest.mark.procedure("PRV-1")
def test_f01_a_full_width_apostrophe_and_a_possessive() -> None:
    assert redact("D\uff07Arcy rang", also=["D'Arcy"]) == "D***** rang"
    assert redact("Siobhan O\u2019Neill\u2019s boiler", also=["Siobhan O'Neill"]) == (
        "S**************\u2019s boiler"
    )


# F04: the local part of an address is masked whole, its first character shown,
# whatever RFC 5322 atext (or a Latin letter beyond ASCII) it holds.
@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reply to siobhan.o'neill@example.ie", "Reply to s**************@example.ie"),
        ("Reply to siobhan.o\u2019neill@example.ie", "Reply to s**************@example.ie"),
        ("d'arcy@example.com", "d*****@example.com"),
        ("tom&jo@example.com", "t*****@example.com"),
        ("margaret#1@example.com", "m*********@example.com"),
        ("m=thompson@example.com", "m*********@example.com"),
        ("margaret!@example.com", "m********@example.com"),
        ("margaret/t@example.com", "m*********@example.com"),
        ("margaret~t@example.com", "m*********@example.com"),
        ("margar\u00e9t@example.com", "m*******@example.com"),
        ("<margaret@example.com>", "<m*******@example.com>"),
    ],
)
def test_f04_every_local_part_is_masked_whole(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.procedure("PRV-1")
def test_f04_a_name_masked_inside_an_address_leaves_no_part_of_it() -> None:
    # the name's stars are the local part's too: no "margaret." left before them
    masked = redact("margaret.thompson@example.com", also=["Thompson"])
    assert masked == "m****************@example.com"


# F06: the forms English correspondence writes a stored name in are the name
# (notifications.md "Personal data (PRV-1)"): masked as the name is, first
# character shown.
@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "stored", "expected"),
    [
        ("Thompson, Margaret called", "Margaret Thompson", "T***************** called"),
        ("THOMPSON Margaret (tenant)", "Margaret Thompson", "T**************** (tenant)"),
        ("Dear Mrs Thompson,", "Margaret Thompson", "Dear M***********,"),
        ("Dear Mrs. Thompson,", "Margaret Thompson", "Dear M************,"),
        ("spoke to Mr MacLeod today", "Iain MacLeod", "spoke to M********* today"),
        ("M. Thompson rang", "Margaret Thompson", "M********** rang"),
        ("M Thompson rang", "Margaret Thompson", "M********* rang"),
        ("Aisha Khan rang", "Dr Aisha Khan", "A********* rang"),
        ("Dr Khan rang", "Dr Aisha Khan", "D****** rang"),
        ("O\u2019Neill, Siobhan", "Siobhan O'Neill", "O***************"),
        ("Ms Smith-Jones", "Mary-Jane Smith-Jones", "M*************"),
    ],
)
def test_f06_a_name_in_its_english_forms_is_masked(text: str, stored: str, expected: str) -> None:
    assert redact(text, also=[stored]) == expected


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "stored"),
    [
        # the surname or the given name alone is no form of the name (documented)
        ("Thompson rang", "Margaret Thompson"),
        ("Margaret rang", "Margaret Thompson"),
        # a title before a surname of two letters is no form (too many words)
        ("Mr Fo rang", "Jo Fo"),
        # a Chinese name has no English forms (its surname and a Chinese title is
        # one since review s55R2 F04: 王先生 is masked for 王小明)
        ("Mr Wang rang", "王小明"),
    ],
)
def test_f06_what_stays_readable(text: str, stored: str) -> None:
    assert redact(text, also=[stored]) == text


# F02: a Scottish flat stored as "1/2" is masked where it stands as a number of its
# own, not inside a date or another number (notifications.md: no digit glued before
# or after a room's groups; dates with their year stay readable).
@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        "Operative visited on 14/11/2025",
        "booked again for 1/2/2026",
        "on 01/02/2025",
        "see page 1/20",
        "11/2 and 1/25",
    ],
)
def test_f02_a_slashed_flat_is_not_masked_inside_dates_and_numbers(text: str) -> None:
    assert redact(text, also=["1/2"]) == text


@pytest.mark.procedure("PRV-1")
def test_f02_a_slashed_flat_of_its_own_is_masked() -> None:
    assert redact("Water into flat 1/2, and 1/2 again", also=["1/2"]) == (
        "Water into flat ***, and *** again"
    )


# F03: a flat of two digits stays readable inside the English shapes of a date, a
# time, an amount, a statute reference or a period, as inside the Chinese ones
# (notifications.md); right after a room word it is the flat.
@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        "booked again for 14 Nov between 10am and 2pm",
        "on 14 November 2025",
        "on Nov 14",
        "on the 14th of November",
        "on 14/11/25",
        "at 11am",
        "at 11.30 pm",
        "at 11 o'clock",
        "£14 refunded",
        "under Section 14(2)",
        "under s.14",
        "within 14 working days",
        "within 14 days",
    ],
)
def test_f03_english_dates_times_amounts_and_references_stay(text: str) -> None:
    for room in ("Flat 14", "Flat 11", "14", "11"):
        assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
def test_f03_the_flat_itself_is_masked() -> None:
    assert redact("Water into Flat 14 and flat 14 on 14 Nov", also=["Flat 14"]) == (
        "Water into F****** and f****** on 14 Nov"
    )
    assert redact("the tenant of 14 rang", also=["14"]) == "the tenant of ** rang"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "text",
    [
        # the surname as the text is read: capitals, full width, an invisible
        # character or a soft hyphen inside, the long s IGNORECASE pairs with s
        "Mrs THOMPSON rang",
        "Mrs \uff34\uff28\uff2f\uff2d\uff30\uff33\uff2f\uff2e rang",
        "Mrs Thom\u200bpson rang",
        "Mrs Thomp\u017fon rang",
        "\u4e1a\u4e3bThompson, Margaret\u6765\u7535",
    ],
)
def test_cost_a_name_form_is_looked_for_wherever_its_surname_may_stand(text: str) -> None:
    # the forms of a stored name are looked for only in a text that may hold its
    # surname (review s54R4, the cost): every text that does is masked as before
    masked = redact(text, also=["Margaret Thompson"])
    assert "Thompson" not in masked
    assert "THOMPSON" not in masked
    assert masked != text


@pytest.mark.procedure("PRV-1")
def test_cost_a_text_without_the_surname_is_unchanged_by_its_forms() -> None:
    also = ["\u5f20\u4f1f", "13812345678", "Margaret Thompson", "Flat 14"]
    assert redact("Mrs Jones rang about M. Smith", also=also) == "Mrs Jones rang about M. Smith"
    assert redact("\u5f20\u4f1f\u6765\u7535", also=also) == "\u5f20*\u6765\u7535"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("room", "text", "expected"),
    [
        (
            "Flat 3 12 High Street",
            "Water into Flat 3 since Monday",
            "Water into F***** since Monday",
        ),
        ("Flat 3 12 High Street", "flat 3 rang", "f***** rang"),
        ("Flat 3, 12 High Street", "at Flat 3 12 High Street", "at F***** 12 High Street"),
        ("Flat 3, 12 High Street", "Flat 3, 12 High St", "F*****, 12 High St"),
        ("3/2 42 Leith Walk", "the tenant of flat 3/2 rang", "the tenant of flat *** rang"),
        ("3/2, 42 Leith Walk", "3/2 at 42 Leith Walk", "*** at 42 Leith Walk"),
        ("Flat 2F1 10 Easter Road", "Water into 2F1", "Water into ***"),
        ("Unit 5 Block C", "Unit 5, Block C", "U*****, Block C"),
    ],
)
def test_f07_the_flat_of_an_address_stored_as_the_room_is_masked(
    room: str, text: str, expected: str
) -> None:
    assert redact(text, also=[room]) == expected


@pytest.mark.procedure("PRV-1")
def test_f07_the_address_as_spelt_and_dates_round_the_flat() -> None:
    # a Scottish flat is bounded as digits: a date round it stays whole
    assert redact("booked for 3/2/2026", also=["3/2 42 Leith Walk"]) == "booked for 3/2/2026"
    # no flat in a value without a room word or a slashed flat first
    assert redact("12 High Street", also=["12 High Street"]) == "************et"
    assert redact("at 12 rang", also=["12 High Street"]) == "at 12 rang"


# The leftover of F03/F07: a flat of one character stored after an English room word
# (Flat 3, Flat 3, 12 High Street) is masked where it stands as the flat, one star
# for it (notifications.md PRV-1), never as a lone digit or letter elsewhere.
ONE_DIGIT_ROOMS = ["Flat 3, 12 High Street", "Flat 3 12 High Street", "Flat 3"]


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("room", ONE_DIGIT_ROOMS)
@pytest.mark.parametrize(
    "text",
    [
        "Operative visited on 3 Nov and again on 3/11/2025",
        "He called 3 times; 3 days later paid \u00a33",
        "booked for 3 o'clock, within 3 working days",
        "see item 3 and point 3.",
    ],
)
def test_a_one_digit_flat_leaves_a_lone_digit_elsewhere_readable(room: str, text: str) -> None:
    assert redact(text, also=[room]) == text


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("room", ONE_DIGIT_ROOMS)
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Flat 3 rang", "F***** rang"),
        ("flat 3 rang", "f***** rang"),
        ("FLAT 3 rang", "F***** rang"),
        ("Water into 3, 12 High Street", "Water into *, 12 High Street"),
        ("Apt 3 and Apartment 3", "Apt * and Apartment *"),
        ("Unit 3, No. 3, #3", "Unit *, No. *, #*"),
        ("room: 3 on 3 Nov", "room: * on 3 Nov"),
    ],
)
def test_a_one_digit_flat_is_masked_where_it_stands_as_the_flat(
    room: str, text: str, expected: str
) -> None:
    assert redact(text, also=[room]) == expected


@pytest.mark.procedure("PRV-1")
def test_a_one_letter_flat_leaves_the_article_readable() -> None:
    assert redact("I saw a man at Flat A", also=["Flat A"]) == "I saw a man at F*****"
    assert redact("flat a leaks", also=["Flat A"]) == "f***** leaks"


@pytest.mark.procedure("PRV-1")
def test_a_flat_stored_alone_is_still_masked_where_it_stands_alone() -> None:
    # a value of one character is no English flat: masked as a word of its own
    assert redact("room: 7 on 7 Nov", also=["7"]) == "room: * on * Nov"
    # the same digit stored alone besides Flat 7: the lone reading is kept
    assert redact("on 7 Nov", also=["Flat 7", "7"]) == "on * Nov"
