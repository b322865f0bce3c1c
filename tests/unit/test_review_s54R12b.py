"""Review s54R12 F01: the UK and Scottish packs take a flat or unit as an address
writes it.

REC-1 (procedures.md) asks for the "room/unit number (房号)" and says a record
missing a mandatory field is not registrable, naming the field; IN-2 says no unit
may refuse a complaint.  A UK flat is written with a comma, a full stop or an
apostrophe ("Flat 3, 12 High Street", "Apt. 5", "12 St. John's Road"; Glasgow's
"Flat 2/1, 14 Byres Road"), which the Chinese house-number check refused.  The
expected values below are the review's addresses and the wording of
docs/classification-and-validity.md ("Room numbers"), written out by hand.

Stored keys: a room accepted before keeps its room key, its phoneless
complainant key and its matched form.  ``KEYS_BEFORE`` was computed with the
library before this change (commit 9af2d0cb) for 50 rooms the house-number check
accepted, Chinese and UK spellings, with and without a building.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from complaintcore.core.concentration import complainant_key, room_match
from complaintcore.core.errors import IncompleteRecordError, RulePackError
from complaintcore.core.models import Channel, Complainant, Intake
from complaintcore.core.privacy import redact
from complaintcore.core.repeats import room_key
from complaintcore.core.validity import check_record, is_valid_room
from complaintcore.core.workflow import Register, decide, new_complaint
from complaintcore.desk.importer import intake_from_row
from complaintcore.i18n import translator
from complaintcore.rules import load_pack
from complaintcore.rules.loader import load_pack_data
from complaintcore.serialization import to_dict

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2025, 11, 14, 10, 0, tzinfo=LONDON)
UK_PACKS = ("uk-housing-ombudsman-2024", "scotland-spso")
CN_PACKS = ("cn-property", "cn-sales-office", "cn-service-centre")
UK_ROOMS = ("Flat 3, 12 High Street", "Apt. 5", "12 St. John's Road", "Flat 2/1, 14 Byres Road")


def _intake(room: str, phone: str = "07700 900123") -> Intake:
    return Intake(
        complainant=Complainant("Siobhan O'Neill", phone, room),
        channel=Channel.PHONE,
        received_at=NOW,
        receiver="CO-101",
        summary="Black mould in the bedroom",
    )


@pytest.mark.procedure("REC-1")
@pytest.mark.parametrize("name", UK_PACKS)
@pytest.mark.parametrize("room", [*UK_ROOMS, "Flat 3B", "Flat 12 (rear)", "Tŷ 4, Heol y Dŵr"])
def test_a_uk_pack_registers_a_flat_as_an_address_writes_it(name: str, room: str) -> None:
    pack = load_pack(name)
    assert pack.room_style == "address"
    assert check_record(_intake(room), pack.phone_regions, pack.room_style).ok
    assert decide(new_complaint("C-1", _intake(room)), Register(actor="CO-101"), pack, NOW)


@pytest.mark.procedure("REC-1")
@pytest.mark.parametrize("name", CN_PACKS)
def test_the_chinese_packs_keep_the_house_number(name: str) -> None:
    pack = load_pack(name)
    assert pack.room_style == "house_number"
    intake = _intake("Flat 3, 12 High Street", phone="13812345678")
    with pytest.raises(IncompleteRecordError) as err:
        decide(new_complaint("C-1", intake), Register(actor="cs-01"), pack, NOW)
    assert [(p.path, p.reason) for p in err.value.problems] == [
        (
            "complainant.room",
            "room number (房号) may contain only letters, digits, Chinese characters, "
            "'-', '#', '/' and spaces (REC-1)",
        )
    ]
    for room in UK_ROOMS:
        assert not is_valid_room(room)
        assert is_valid_room(room, "address")


@pytest.mark.procedure("REC-1")
def test_a_refused_flat_is_named_as_a_flat_or_unit_in_both_languages() -> None:
    pack = load_pack("uk-housing-ombudsman-2024")
    en, zh = translator("en"), translator("zh")
    cases = [
        (
            "Flat 3; 12 High St",
            "flat or unit may contain only letters, digits, spaces and - # / , . ' ’ ( ) (REC-1)",
            "房号或单元只能包含字母、数字、空格和 - # / , . ' ’ ( )（REC-1）",
        ),
        (
            "Rose Cottage",
            "flat or unit must contain a digit (REC-1)",
            "房号或单元必须包含数字（REC-1）",
        ),
        (" ", "flat or unit is missing (REC-1)", "缺少房号或单元（REC-1）"),
        (
            "Flat 3, " + "1" * 30,
            "flat or unit is too long (at most 32 characters) (REC-1)",
            "房号或单元过长（最多 32 个字符）（REC-1）",
        ),
    ]
    for room, english, chinese in cases:
        report = check_record(_intake(room), pack.phone_regions, pack.room_style)
        assert [p.path for p in report.problems] == ["complainant.room"]
        (reason,) = [p.reason for p in report.problems]
        assert reason == english
        assert "房号" not in reason
        assert en.reason(reason, pack) == english
        assert zh.reason(reason, pack) == chinese
        if room.strip():
            assert room not in reason  # PRV-1


@pytest.mark.procedure("REC-1")
def test_a_file_row_without_its_flat_names_it_as_the_pack_does() -> None:
    row: dict[str, Any] = {"name": "Alex Smith", "phone": "07700 900123", "summary": "Damp"}
    with pytest.raises(IncompleteRecordError) as err:
        intake_from_row(row, zone=LONDON, room_style="address")
    reasons = {p.path: p.reason for p in err.value.problems}
    assert reasons["complainant.room"] == "flat or unit is missing (REC-1)"
    with pytest.raises(IncompleteRecordError) as err:
        intake_from_row(row, zone=LONDON)
    reasons = {p.path: p.reason for p in err.value.problems}
    assert reasons["complainant.room"] == "room number (房号) is missing (REC-1)"


@pytest.mark.procedure("REC-1")
@pytest.mark.parametrize("style", ["Address", "uk", ""])
def test_an_unknown_room_style_is_refused_by_its_path(style: str) -> None:
    data = to_dict(load_pack("uk-housing-ombudsman-2024"))
    data["room_style"] = style
    with pytest.raises(RulePackError) as err:
        load_pack_data(data, "test")
    assert [p.path for p in err.value.problems] == ["room_style"]
    assert "house_number, address" in err.value.problems[0].reason


KEYS_BEFORE: dict[tuple[str, str], tuple[str, str, str]] = {
    ("1201", ""): ("1201", "10513ceb951d32f2", "d48202a8e6f93c1c"),
    ("1201", "3"): ("1201", "b153be722fa85e3d", "495be2371eee3e22"),
    ("3-2-1201", ""): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("3-2-1201", "3"): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("A栋1201", ""): ("a-1201", "8f5bea844f69704e", "8ef9a3ae8a467a96"),
    ("A栋1201", "3"): ("a-1201", "ff6627a30767deec", "b1c55d0f65c4f032"),
    ("12栋3单元501室", ""): ("12-3-501", "eeeb144cdeb97a00", "0258934140e06315"),
    ("12栋3单元501室", "3"): ("12-3-501", "44974a047256d664", "4cb579b9f49158b0"),
    ("B-1203", ""): ("b-1203", "3649e64f0d7c067d", "8940b9ee25710995"),
    ("B-1203", "3"): ("b-1203", "45d0ec73f1e662c3", "4a94ed06dd6cbe71"),
    ("5#1102", ""): ("5-1102", "a7e8864857f5a79f", "4fb059e0eb4f6d1b"),
    ("5#1102", "3"): ("5-1102", "336c53bd3eb64f1a", "77084d4d6ca932d7"),
    ("3栋2单元1201室", ""): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("3栋2单元1201室", "3"): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("3号楼2单元1201", ""): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("3号楼2单元1201", "3"): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("１２０１", ""): ("1201", "10513ceb951d32f2", "d48202a8e6f93c1c"),
    ("１２０１", "3"): ("1201", "b153be722fa85e3d", "495be2371eee3e22"),
    ("３－２－１２０１", ""): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("３－２－１２０１", "3"): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("1201室", ""): ("1201", "10513ceb951d32f2", "d48202a8e6f93c1c"),
    ("1201室", "3"): ("1201", "b153be722fa85e3d", "495be2371eee3e22"),
    ("2单元1201室", ""): ("2单元1201", "253f439cf1e0ae9d", "7010903a4658b006"),
    ("2单元1201室", "3"): ("2单元1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("3单元1201", ""): ("3单元1201", "7e26be986b6f6679", "28e1186662536ebc"),
    ("3单元1201", "3"): ("3单元1201", "0a765eb3549f120f", "2da504cd31228f0b"),
    ("三号楼二单元1201", ""): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("三号楼二单元1201", "3"): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("3号楼5楼502", ""): ("3-502", "c63645760d91a6c9", "67a5ace05e68ec9a"),
    ("3号楼5楼502", "3"): ("3-502", "c63645760d91a6c9", "67a5ace05e68ec9a"),
    ("3栋5楼3号", ""): ("3栋5层3", "e0fa22d8eab2f360", "2874895a12c5fa6c"),
    ("3栋5楼3号", "3"): ("3栋5层3", "e0fa22d8eab2f360", "2874895a12c5fa6c"),
    ("Rm3-1202", ""): ("3-1202", "376bd95d629ec7ae", "d7b1713c04ac2cd2"),
    ("Rm3-1202", "3"): ("3-1202", "376bd95d629ec7ae", "d7b1713c04ac2cd2"),
    ("Rm 1202", ""): ("1202", "686a9588d19eaaa2", "1d3ec3e0cd6c81fe"),
    ("Rm 1202", "3"): ("1202", "376bd95d629ec7ae", "d7b1713c04ac2cd2"),
    ("1201/1202", ""): ("1201/1202", "2038ad46608c7c22", "337e654565e84e5e"),
    ("1201/1202", "3"): ("1201/1202", "33383909b84cc23a", "00da98de0e7f202c"),
    ("3/2/1201", ""): ("3/2/1201", "6cd0508e6e2b5b16", "9e4f1f6f436ff1da"),
    ("3/2/1201", "3"): ("3/2/1201", "204800d6bf7eaf15", "79126a180351699b"),
    ("1201B", ""): ("1201b", "ba56cb369253822a", "a6a80dc521bed1f4"),
    ("1201B", "3"): ("1201b", "6149768a2b67e1ac", "28148ec22521e57a"),
    ("B座1201", ""): ("b-1201", "8fc3a8075ae426d6", "cf1d22fda32902a2"),
    ("B座1201", "3"): ("b-1201", "cad7ea954683f39e", "6de9598d7b07518e"),
    ("03-2-1201", ""): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("03-2-1201", "3"): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("5F-3", ""): ("5层3", "907ebae8b859035b", "1a82caedb6cf1af6"),
    ("5F-3", "3"): ("5层3", "e0fa22d8eab2f360", "2874895a12c5fa6c"),
    ("5层3号", ""): ("5层3", "907ebae8b859035b", "1a82caedb6cf1af6"),
    ("5层3号", "3"): ("5层3", "e0fa22d8eab2f360", "2874895a12c5fa6c"),
    ("商铺12号", ""): ("商铺12号", "86f90ac6744f51f8", "ef4288635be17277"),
    ("商铺12号", "3"): ("商铺12号", "02c12cffc8b0bf50", "3e800ddee8c10f5b"),
    ("B1-023", ""): ("b1-23", "535fab5a978d3cc7", "d85d6fd7a681d0ec"),
    ("B1-023", "3"): ("b1-23", "18b2d1efa39480c1", "1f7be604f2d9858d"),
    ("1201 室", ""): ("1201", "10513ceb951d32f2", "d48202a8e6f93c1c"),
    ("1201 室", "3"): ("1201", "b153be722fa85e3d", "495be2371eee3e22"),
    ("A 1201", ""): ("a1201", "0392eeeb26ca4a83", "25d02af04d33c06b"),
    ("A 1201", "3"): ("a1201", "9e26355d631d9b88", "023ee744a3f86d8e"),
    ("3 1202", ""): ("3 1202", "f7d2cb534d02e442", "76fe16ebb550a7c3"),
    ("3 1202", "3"): ("3 1202", "b5a86b2be6beb191", "89912dbe2a4cf366"),
    ("31 202", ""): ("31 202", "90897ea701e982b5", "edec97a417f48101"),
    ("31 202", "3"): ("31 202", "6768e9e38508d5bf", "11b4f2cd4b97d4f8"),
    ("3#2-1201", ""): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("3#2-1201", "3"): ("3-2-1201", "dc3f825fe7cbf231", "3a1f425f876256f2"),
    ("Flat 3B", ""): ("3b", "5ea696af06356603", "8b7517a5dd8059a7"),
    ("Flat 3B", "3"): ("3b", "905adfe4d1e616c5", "533e05de1214f590"),
    ("Flat 12", ""): ("12", "5d877481b2a3a61f", "a1034a3469bd91f1"),
    ("Flat 12", "3"): ("12", "7ef44a62f1e288ba", "7b80a5172158b070"),
    ("Apt 5", ""): ("5", "4d377d90f3425545", "d86abb36752f48e7"),
    ("Apt 5", "3"): ("5", "aea36e817db8300b", "4b7fc14216c6746d"),
    ("Unit 4 Block B", ""): ("unit4blockb", "7db6ba1e2310ed0d", "28a42f7539bb80b9"),
    ("Unit 4 Block B", "3"): ("unit4blockb", "77710dc8261e4de2", "94666251000177ba"),
    ("2/1 14 Byres Road", ""): ("2/1 14byresroad", "b8332963b4815e03", "1134d180109c3558"),
    ("2/1 14 Byres Road", "3"): ("2/1 14byresroad", "8e9b73da064c418f", "76229e08e459e666"),
    ("Flat 2/1", ""): ("2/1", "2a71c5a2f8127f22", "b4adbbcc3085baa2"),
    ("Flat 2/1", "3"): ("2/1", "5c1ffc65ab7a95d4", "00877c44dbbc55a6"),
    ("12 High Street", ""): ("12highstreet", "2e7a92e0adcaff9a", "bc1eba4ba5007879"),
    ("12 High Street", "3"): ("12highstreet", "5afcee871cbfae0c", "cc50116a691bd762"),
    ("Flat 3 12 High Street", ""): ("3 12highstreet", "a8c0305904bfcf9a", "0857e940313f0e15"),
    ("Flat 3 12 High Street", "3"): ("3 12highstreet", "4276b35d453df0a7", "577c55c831a7f57d"),
    ("12 St Johns Road", ""): ("12stjohnsroad", "8f997b636d63d77f", "4bceedd318eb3885"),
    ("12 St Johns Road", "3"): ("12stjohnsroad", "a24fa608fb459e79", "757d515a0e5468ba"),
    ("Flat 10 Rose Court", ""): ("10rosecourt", "9c5e7f2c06b39271", "2a4a37b98df303c3"),
    ("Flat 10 Rose Court", "3"): ("10rosecourt", "985b95fc48737700", "c80c64818d09a6e6"),
    ("Block A Flat 7", ""): ("blockaflat7", "5bc4660e909551a8", "34c22a55e386ccb7"),
    ("Block A Flat 7", "3"): ("blockaflat7", "35762c76574f0fe3", "be0b2fdcae2ac982"),
    ("Unit 2-14", ""): ("unit2-14", "72f0726df9b1e329", "7ae429507f9d1fec"),
    ("Unit 2-14", "3"): ("unit2-14", "f88ac3755cee437f", "1df029e1ddfabce2"),
    ("Flat 0/2 5 Dumbarton Rd", ""): ("0/2 5dumbartonrd", "d2d2b228451e5fee", "ca77840286576e2f"),
    ("Flat 0/2 5 Dumbarton Rd", "3"): ("0/2 5dumbartonrd", "5134cce0c5d74cd7", "fe9224e60f197855"),
    ("14 Byres Road", ""): ("14byresroad", "81f639d1d4ce4391", "17a7072451250e6d"),
    ("14 Byres Road", "3"): ("14byresroad", "4a85478088d9f5d9", "784bb01c2b9e8cdd"),
    ("Apartment 21", ""): ("21", "c9959d02a98b19c0", "17c28b82ac923a1c"),
    ("Apartment 21", "3"): ("21", "ebd54151167ad7c2", "2b2910e9e851051a"),
    ("Flat 1F2", ""): ("1层2", "8d851651b39eec35", "2d6f1a7527cd9915"),
    ("Flat 1F2", "3"): ("1层2", "9558d85c5fa52ee3", "91d95dca8b753e73"),
    ("Cottage 3", ""): ("cottage3", "7adb848e9e4ca802", "486061c81c2ea3f7"),
    ("Cottage 3", "3"): ("cottage3", "7948ad33a54af2e4", "e8cf3be5a9235233"),
    ("Room 101", ""): ("101", "4a404a833612d6c6", "288c9e3c19e0750d"),
    ("Room 101", "3"): ("101", "eca11e49243a2007", "6097964f5948dac2"),
}


@pytest.mark.procedure("IMP-3")
def test_a_room_accepted_before_keeps_its_keys() -> None:
    assert len({room for room, _ in KEYS_BEFORE}) == 50
    for (room, building), before in KEYS_BEFORE.items():
        who = Complainant("Ann Lee", "", room, building=building, site="elm-court")
        now = (room_match(room), room_key("elm-court", building, room), complainant_key(who))
        assert now == before, (room, building)


@pytest.mark.procedure("IMP-3")
@pytest.mark.parametrize(
    ("typed", "same_as"),
    [
        ("Flat 3, 12 High Street", "Flat 3 12 High Street"),
        ("flat 3,12 high street", "Flat 3 12 High Street"),
        ("12 St. John's Road", "12 St Johns Road"),
        ("12 St. John’s Road", "12 St Johns Road"),
        ("Flat 2/1, 14 Byres Road", "Flat 2/1 14 Byres Road"),
        ("Apt. 5", "Apt 5"),
    ],
)
def test_an_address_mark_is_read_as_a_space_in_keys(typed: str, same_as: str) -> None:
    assert room_key("elm-court", "", typed) == room_key("elm-court", "", same_as)
    assert room_key("elm-court", "", typed) != room_key("elm-court", "", "Flat 31, 2 High Street")


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("room", UK_ROOMS)
def test_a_flat_written_as_an_address_is_masked_in_a_text(room: str) -> None:
    text = f"The tenant of {room} reports black mould; {room} was visited twice."
    shown = redact(text, also=(room,))
    assert room not in shown
    assert "black mould" in shown
