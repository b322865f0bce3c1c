"""Phones at intake (REC-1, 12.5): mainland formats stay strict; Hong Kong, Macau,
Taiwan and other countries' numbers are accepted in international form, as the
rule pack allows, and masked like any other number (PRV-1)."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.core.errors import IncompleteRecordError, RulePackError
from complaintcore.core.models import Channel, Complainant, Intake, mask
from complaintcore.core.privacy import redact
from complaintcore.core.validity import check_record, normalise_phone
from complaintcore.core.workflow import Register, decide, new_complaint
from complaintcore.rules import load_pack
from complaintcore.rules.loader import load_pack_data
from complaintcore.serialization import to_dict
from tests.helpers import SH

GREATER_CHINA = ("CN", "HK", "MO", "TW")


def make_intake(phone: str) -> Intake:
    return Intake(
        complainant=Complainant("陈大文", phone, "3-2-1201"),
        channel=Channel.PHONE,
        received_at=datetime(2025, 11, 14, 9, 30, tzinfo=SH),
        receiver="cs-01",
        summary="楼上漏水",
    )


@pytest.mark.procedure("REC-1")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Hong Kong: 8 digits, mobiles 5/6/9…, fixed lines 2/3…
        ("+852 9123 4567", "+85291234567"),
        ("+852-2123-4567", "+85221234567"),
        ("00852 6123 4567", "+85261234567"),
        ("(+852) 5123 4567", "+85251234567"),
        ("＋８５２ ９１２３ ４５６７", "+85291234567"),
        ("+85291234567", "+85291234567"),
        # Macau: 8 digits, mobiles 6…, fixed lines 28…
        ("+853 6612 3456", "+85366123456"),
        ("00853-2833-1234", "+85328331234"),
        # Taiwan: the domestic trunk 0 is dropped; 9 digits (mobiles, Taipei) or 8
        ("+886 912 345 678", "+886912345678"),
        ("+886 0912-345-678", "+886912345678"),
        ("00886 2 2345 6789", "+886223456789"),
        ("+886 (02) 2345-6789", "+886223456789"),
        ("+886 7 123 4567", "+88671234567"),
        # the mainland, unchanged
        ("138 1234 5678", "+8613812345678"),
        ("+86 10 62345678", "+861062345678"),
        ("400-810-8888", "4008108888"),
    ],
)
def test_greater_china_numbers_normalise_to_e164(text: str, expected: str) -> None:
    assert normalise_phone(text) == expected
    assert normalise_phone(text, GREATER_CHINA) == expected
    assert check_record(make_intake(text)).ok


@pytest.mark.procedure("REC-1")
@pytest.mark.parametrize(
    "text",
    [
        "+852 1234 5678",  # Hong Kong numbers do not start with 0 or 1
        "+852 9123 456",  # seven digits
        "+852 9123 45678",  # nine digits
        "9123 4567",  # a Hong Kong number without +852 reads as a mainland one
        "+853 1234 5678",
        "+853 6612 345",
        "+886 912 345",
        "+886 0112 345 678",  # no Taiwanese number starts with 1
        "+852 9123 4567 ext 12",  # no extensions abroad
        "+1 415 555 0100",  # other countries: not allowed by default
        "+44 20 7946 0958",
        "+0 123 4567 890",
    ],
)
def test_malformed_or_foreign_numbers_are_refused_by_default(text: str) -> None:
    assert normalise_phone(text) is None
    report = check_record(make_intake(text))
    assert report.malformed == ("complainant.phone",)
    assert text not in report.problems[0].reason
    assert "+852/+853/+886" in report.problems[0].reason


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+1 (415) 555-0100", "+14155550100"),
        ("+44 20 7946 0958", "+442079460958"),
        ("0065 6123 4567", "+6561234567"),
        ("+61 2 9374 4000", "+61293744000"),
        ("+852 9123 4567", "+85291234567"),
        ("13812345678", "+8613812345678"),
    ],
)
def test_any_allows_every_country_in_international_form(text: str, expected: str) -> None:
    assert normalise_phone(text, "any") == expected


def test_the_allowed_regions_decide() -> None:
    hk, sg, uk, cn = "+852 9123 4567", "+65 6123 4567", "+44 20 7946 0958", "13812345678"
    assert normalise_phone(hk, ["CN"]) is None
    assert normalise_phone(cn, ["HK"]) is None
    assert normalise_phone(hk, ["HK"]) == "+85291234567"
    assert normalise_phone(sg, ["CN", "+65"]) == "+6561234567"
    assert normalise_phone(uk, ["CN", "+65"]) is None
    assert normalise_phone("+65 123", ["+65"]) is None  # too short for any country
    assert normalise_phone("+1 234 567 890 123 456", "any") is None  # longer than E.164


def _pack(regions: Any) -> Any:
    data = to_dict(load_pack("cn-property"))
    data["phone_regions"] = regions
    return load_pack_data(data, "test")


@pytest.mark.procedure("REC-1")
def test_the_pack_decides_at_registration() -> None:
    shipped = load_pack("cn-property")
    assert shipped.phone_regions == GREATER_CHINA
    for name in ("cn-sales-office", "cn-service-centre"):
        assert load_pack(name).phone_regions == GREATER_CHINA
    now = datetime(2025, 11, 14, 9, 30, tzinfo=SH)
    hk = new_complaint("C-1", make_intake("+852 9123 4567"))
    us = new_complaint("C-2", make_intake("+1 (415) 555-0100"))
    assert decide(hk, Register(actor="cs-01"), shipped, now)
    with pytest.raises(IncompleteRecordError) as err:
        decide(us, Register(actor="cs-01"), shipped, now)
    assert err.value.fields == ("complainant.phone",)
    assert decide(us, Register(actor="cs-01"), _pack("any"), now)
    assert decide(us, Register(actor="cs-01"), _pack(["CN", "+1"]), now)
    with pytest.raises(IncompleteRecordError):
        decide(hk, Register(actor="cs-01"), _pack(["CN"]), now)


@pytest.mark.parametrize(
    ("regions", "path"),
    [
        (["CN", "UK"], "phone_regions[1]"),
        (["+0"], "phone_regions[0]"),
        (["cn"], "phone_regions[0]"),
        ([], "phone_regions"),
        (["HK", "HK"], "phone_regions[1]"),
        ("everything", "phone_regions[0]"),
    ],
)
def test_a_bad_phone_regions_entry_names_its_path(regions: Any, path: str) -> None:
    with pytest.raises(RulePackError) as err:
        _pack(regions)
    assert path in err.value.paths


def test_any_is_kept_through_a_round_trip() -> None:
    pack = _pack("any")
    assert pack.phone_regions == ("any",)
    assert load_pack_data(to_dict(pack), "again") == pack
    assert attrs.evolve(pack, phone_regions=("CN",)).phone_regions == ("CN",)


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("text", "hidden"),
    [
        ("业主电话 +852 9123 4567，请回电", "9123"),
        ("call +85291234567 today", "912345"),
        ("00853 6612 3456", "6612"),
        ("台湾号码+886 912-345-678", "345"),
        ("US owner +1 (415) 555-0100", "415"),
        ("UK owner +44 20 7946 0958", "7946"),
        ("全角 ＋８５２ ９１２３ ４５６７", "９１２３"),
    ],
)
def test_international_numbers_are_masked_in_free_text(text: str, hidden: str) -> None:
    masked = redact(text)
    assert hidden not in masked
    assert "*" in masked


@pytest.mark.procedure("PRV-1")
def test_e164_numbers_are_masked_in_reprs() -> None:
    assert mask("+85291234567") == "**********67"
    assert "9123" not in repr(Complainant("陈大文", "+85291234567", "1201"))


_NATIONAL = {
    "852": st.tuples(st.sampled_from("235679"), st.text("0123456789", min_size=7, max_size=7)),
    "853": st.tuples(st.sampled_from("2689"), st.text("0123456789", min_size=7, max_size=7)),
    "886": st.tuples(st.sampled_from("23456789"), st.text("0123456789", min_size=7, max_size=8)),
}


@st.composite
def written_numbers(draw: st.DrawFn) -> tuple[str, str]:
    """A Hong Kong, Macau or Taiwan number as people write it, and its E.164 form."""
    code = draw(st.sampled_from(sorted(_NATIONAL)))
    first, rest = draw(_NATIONAL[code])
    national = first + rest
    written = national
    if code == "886" and draw(st.booleans()):
        written = "0" + national  # the trunk 0 of a domestic Taiwanese number
    cuts = sorted(draw(st.sets(st.integers(1, len(written) - 1), max_size=3)))
    sep = draw(st.sampled_from([" ", "-", ""]))
    parts = [written[a:b] for a, b in zip([0, *cuts], [*cuts, len(written)], strict=True)]
    prefix = draw(st.sampled_from(["+", "00", "＋", "(+"]))
    text = f"{prefix}{code}{')' if prefix == '(+' else ''} {sep.join(parts)}"
    if draw(st.booleans()):
        text = text.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    return text, f"+{code}{national}"


@given(written_numbers())
def test_every_way_of_writing_a_number_gives_its_e164_form(pair: tuple[str, str]) -> None:
    text, e164 = pair
    assert normalise_phone(text) == e164
    assert normalise_phone(e164) == e164  # canonical is a fixed point
    assert e164[3:] not in redact(f"电话 {text} 谢谢")  # masked in free text too


_REGION_CHOICES = st.sampled_from(
    [GREATER_CHINA, ("CN",), ("HK",), ("GB",), "any", ("CN", "GB", "+65")]
)


@given(
    st.sampled_from(["1", "13", "19", "0", "01", "02", "07", "86", "0086", "00", "400", "800"]),
    st.text("0123456789", max_size=44),
    _REGION_CHOICES,
)
def test_plain_digits_read_as_the_same_number_written_any_other_way(
    prefix: str, rest: str, regions: Any
) -> None:
    """Plain ASCII digits (the usual stored form) take a short path; written in
    full-width digits or with spaces around, the same number must come out."""
    digits = prefix + rest
    wide = digits.translate({ord(d): 0xFF10 + int(d) for d in "0123456789"})
    expected = normalise_phone(digits, regions)
    assert normalise_phone(wide, regions) == expected
    assert normalise_phone(f" {digits}\t", regions) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13812345678", "+8613812345678"),  # a mainland mobile
        ("8613812345678", "+8613812345678"),
        ("008613812345678", "+8613812345678"),
        ("01062345678", "+861062345678"),  # Beijing landline with its area code
        ("4001234567", "4001234567"),  # a service number stays as dialled
        ("62345678", None),  # a landline without its area code is ambiguous
        ("1" * 41, None),  # longer than any phone field
    ],
)
def test_plain_digit_numbers(text: str, expected: str | None) -> None:
    assert normalise_phone(text) == expected


def _finishes(text: str, seconds: float = 30.0) -> str | None:
    """``redact(text)`` in a child process, or None when it has not finished within
    ``seconds``: the inputs below took hours (exponential) or minutes (quadratic)
    before, and a regular expression holds the interpreter until it is done."""
    code = "import sys; from complaintcore.core.privacy import redact;"
    code += " sys.stdout.write(redact(sys.stdin.read()))"
    try:
        done = subprocess.run(
            [sys.executable, "-c", code],
            input=text,
            capture_output=True,
            encoding="utf-8",
            timeout=seconds,
            check=True,
        )
    except subprocess.TimeoutExpired:
        return None
    return done.stdout


@pytest.mark.procedure("PRV-1")
def test_masking_a_run_of_digits_glued_to_a_letter_is_one_scan() -> None:
    # "+1" and forty digits glued to a word: every split of the digits into groups
    # was tried (2^40); a mistyped number froze every masked view and the sweep
    text = "物业电话 +1" + "2" * 40 + "a 无人接，请回 +86 139 1234 5678"
    assert _finishes(text) == "物业电话 +1" + "2" * 40 + "a 无人接，请回 ************78"


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    "run",
    [
        "QUJD" * 50_000,  # a pasted base64 image
        "1." * 100_000,  # a long dotted reference
        "x" * 200_000,
    ],
)
def test_masking_a_long_run_without_an_address_is_one_scan(run: str) -> None:
    # the e-mail pattern restarted at every character of the run (n^2)
    text = f"见附件 {run} 或写信给 wang.li@example.com"
    assert _finishes(text) == f"见附件 {run} 或写信给 w******@example.com"
