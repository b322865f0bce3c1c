"""No repr of a model shows personal data or free text (PRV-1), events and commands
added later included: every text field is filled with a secret and must not show."""

from __future__ import annotations

import types
import typing
from datetime import datetime
from typing import Any

import attrs
import pytest

from complaintcore.core.models import (
    EVENT_TYPES,
    Cause,
    Complainant,
    Grade,
    Intake,
    Kind,
    MeasureKind,
    Outcome,
    Trigger,
    Validity,
)
from complaintcore.core.workflow import COMMAND_TYPES
from complaintcore.desk.ports import Notification, OutboxItem
from tests.helpers import SH

SECRET = "王小明13812345678"
AT = datetime(2025, 11, 14, 9, 30, tzinfo=SH)
# Fields that hold ids and codes (shown on purpose): a secret there is not free text.
IDS = {
    "actor", "unit", "to_unit", "category", "department", "helpers", "handler", "rung",
    "from_rung", "to_rung", "clock", "staff_id", "supervisor", "staff_role", "issue",
    "measure", "owner", "same_complainant", "same_room", "same_matter", "repeated_by",
}  # fmt: skip
VALUES: dict[str, Any] = {
    "Cause": Cause.HARDWARE,
    "Grade": Grade.MINOR,
    "Grade | None": Grade.MINOR,
    "Kind": Kind.COMPLAINT,
    "MeasureKind": MeasureKind.CORRECTIVE,
    "Kind | None": None,
    "TargetPerson | None": None,
    "Trigger": Trigger.CANNOT_HANDLE,
    "Validity": Validity.VALID,
    "bool": False,
    "bool | None": None,
    "datetime": AT,
    "datetime | None": AT,
    "frozenset[Fact]": frozenset(),
    "int": 1,
    "Outcome": next(iter(Outcome)),
    "Outcome | None": None,
}


def _spelled(kind: Any) -> str:
    """An annotation as written, whether attrs holds it as text or resolved."""
    if isinstance(kind, str):
        return kind
    if kind is type(None):
        return "None"
    args = typing.get_args(kind)
    if isinstance(kind, types.UnionType) or typing.get_origin(kind) is typing.Union:
        return " | ".join(_spelled(a) for a in args)
    if args:
        inner = ", ".join("..." if a is Ellipsis else _spelled(a) for a in args)
        return f"{typing.get_origin(kind).__name__}[{inner}]"
    return str(kind.__name__)


def _filled(cls: type[Any]) -> Any:
    kwargs: dict[str, Any] = {}
    for field in attrs.fields(cls):
        kind = _spelled(field.type)
        if field.name in IDS:
            kwargs[field.name] = ("SR-201",) if kind.startswith("tuple") else "SR-201"
        elif kind in ("str", "str | None"):
            kwargs[field.name] = SECRET
        elif kind == "tuple[str, ...]":
            kwargs[field.name] = (SECRET,)
        elif kind in VALUES:
            kwargs[field.name] = VALUES[kind]
        else:
            pytest.fail(f"{cls.__name__}.{field.name}: add a value for {kind} to this test")
    return cls(**kwargs)


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("cls", [*EVENT_TYPES, *COMMAND_TYPES], ids=lambda c: c.__name__)
def test_no_event_or_command_repr_shows_free_text(cls: type[Any]) -> None:
    shown = repr(_filled(cls))
    assert SECRET not in shown
    assert "SR-201" in shown or not any(f.name in IDS for f in attrs.fields(cls))


@pytest.mark.procedure("PRV-1")
def test_intake_notification_and_outbox_reprs_show_no_free_text() -> None:
    intake = Intake(
        complainant=Complainant(SECRET, "13812345678", "3-2-1201", "3", "sunrise"),
        channel="phone",
        received_at=AT,
        receiver="SR-103",
        summary=SECRET,
        description=SECRET,
        location=SECRET,
        account=SECRET,
        evidence=(SECRET,),
    )
    note = Notification(
        key="k-1",
        complaint_id="C-1",
        topic="assigned",
        recipient="SR-201",
        subject=SECRET,
        body=SECRET,
        created_at=AT,
        data=(("complainant", SECRET),),
    )
    for shown in (repr(intake), repr(note), repr(OutboxItem(1, "email", note))):
        assert SECRET not in shown
        assert "王**" not in shown or "Complainant" in shown
    assert "k-1" in repr(note)
    assert "SR-103" in repr(intake)


@pytest.mark.procedure("PRV-1")
def test_a_complainants_building_is_masked_in_its_repr() -> None:
    """The building is typed free text (``王小明家 3栋``), so it may hold personal
    data as the name and room do; the site is a code and shows."""
    shown = repr(Complainant("王小明", "13812345678", "1202", SECRET, "sunrise"))
    assert SECRET not in shown
    assert "13812345678" not in shown
    assert "building='王" in shown
    assert "site='sunrise'" in shown


@pytest.mark.procedure("PRV-1")
def test_matching_digests_are_never_in_a_repr() -> None:
    """The six-hex digests of a complainant and a room can be tested against an
    estate's owner list, so no repr shows them (s26D F01)."""
    from complaintcore.core.concentration import Member
    from complaintcore.core.repeats import Earlier
    from complaintcore.desk.ports import ComplaintRow, RelatedQuery

    row = ComplaintRow(
        "C-20251114-0001", "registered", AT, 1, idempotency_key=SECRET,
        complainant_key="6fe824", room_key="9cd2be",
    )  # fmt: skip
    for value in (
        row,
        RelatedQuery("sunrise", AT, AT, complainant_key="6fe824", room_key="9cd2be"),
        Earlier("C-1", AT, complainant_key="6fe824", room_key="9cd2be"),
        Member("C-1", AT, complainant="6fe824"),
    ):
        assert "6fe824" not in repr(value), repr(value)
        assert "9cd2be" not in repr(value), repr(value)
    assert SECRET not in repr(row)
    assert "idempotency_key=<14 chars>" in repr(row)  # a name of 3 and 11 digits
    assert "id='C-20251114-0001', status='registered'" in repr(row)


# --------------------------------------------------------------------------- codes in errors


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("department", "王小明"),  # a name typed into the wrong field
        ("department", "13812345678"),
        ("department", "3-2-1201"),
        ("department", "Smith"),
        ("department", "lixuemei"),  # a name in pinyin looks like a code, but like none of them
        ("department", "wang_xiaoming"),
        ("rung", "王小明"),
    ],
)
def test_an_unknown_code_that_may_be_personal_data_is_not_quoted(field: str, typed: str) -> None:
    from complaintcore.core.errors import InvalidInputError
    from tests.helpers import pack

    the_pack = pack()
    lookup = the_pack.department if field == "department" else the_pack.rung_index
    with pytest.raises(InvalidInputError) as err:
        lookup(typed)
    assert typed not in str(err.value)
    assert err.value.path == field


def test_an_unknown_code_that_looks_like_one_is_quoted_to_help_spot_a_typo() -> None:
    from complaintcore.core.errors import InvalidInputError, shown_code
    from tests.helpers import pack

    with pytest.raises(InvalidInputError, match="'enginering'"):
        pack().department("enginering")
    assert shown_code("stage_2") == "'stage_2'"
    assert shown_code("stage_3", ("stage_1", "stage_2")) == "'stage_3'"
    assert "lixuemei" not in shown_code("lixuemei", ("customer_service", "finance"))
    assert "13812345678" not in shown_code("13812345678")


# --------------------------------------------------------------------------- ids in errors


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("13812345678", "*********78"),  # a phone searched for as an id at the front desk
        ("王小明", "王**"),
        ("3-2-1201", "******01"),
        ("Tel13812345678", "T*************"),  # id-shaped, but holding a phone
        ("li wei", "l*****"),
        # a Latin-script name, a handle or a room looked up as an id (s26D F04)
        ("Thompson", "T*******"),
        ("Margaret.Thompson", "M****************"),
        ("Flat12B", "F******"),
        # a host's own ids, an id mistyped out of shape: any shape may be personal
        ("C-nope", "C*****"),
        ("wx-order_8812", "w************"),
        ("C-13812345-678", "C*************"),  # not a date: "C-" and a phone
    ],
)
def test_an_unknown_complaint_id_that_may_be_personal_data_is_masked(
    typed: str, shown: str
) -> None:
    from complaintcore.core.errors import UnknownComplaintError
    from complaintcore.i18n import translator

    exc = UnknownComplaintError(typed)
    assert str(exc) == f"no complaint with id '{shown}'"
    assert translator("zh").error(exc) == f"没有编号为 '{shown}' 的投诉"
    assert translator("en").error(exc) == str(exc)
    assert exc.complaint_id == typed  # the value as given stays on the error


@pytest.mark.procedure("PRV-1")
def test_an_unknown_pack_name_is_masked_as_an_unknown_actor_is() -> None:
    """A name or phone typed where a pack name belongs (s26D F04)."""
    from complaintcore.core.errors import RulePackError
    from complaintcore.rules import load_pack

    for typed, shown in (("李雪梅13912345678", "李*************"), ("Thompson", "T*******")):
        with pytest.raises(RulePackError) as err:
            load_pack(typed)
        assert typed not in str(err.value)
        assert err.value.source == shown
        assert f"no shipped rule pack '{shown}'; shipped: cn-property," in str(err.value)
    with pytest.raises(RulePackError) as err:
        load_pack(13812345678)  # type: ignore[arg-type]
    assert "13812345678" not in str(err.value)
    assert err.value.source == "int"


def test_an_unknown_complaint_id_shaped_like_the_desks_is_quoted() -> None:
    from complaintcore.core.errors import UnknownComplaintError, shown_id

    typo = "C-20251114-2a3b1c0f3e9d8a7c"  # one hex digit off a real one
    assert str(UnknownComplaintError(typo)) == f"no complaint with id '{typo}'"
    for cid in ("C-20251114-2a3b1c0f3e9d8a7b", "C-20251114-0001", "C-20251231-91E3C2AFCA"):
        assert shown_id(cid) == cid
    assert shown_id(13812345678) == "int"  # not text: its type only


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(
    ("issue", "readable"),
    [
        ("I-C-20251114-2a3b1c0f3e9d8a7b", True),  # named by the desk: 16 hex digits
        ("I-C-20251114-91e3c2afca", True),  # by an older desk: 10 hex digits
        ("I-C-20251114-13812345678", False),  # a phone typed after the date (s31G F04)
        ("I-C-20251114-6222021234567890", False),  # a bank card's 16 digits
        ("I-C-20251114-4539578763621486", False),  # a card passing the Luhn check
        ("I-C-20251114-0225510012345678", True),  # 10:00, digits alone, no card's check
        ("I-13812345678", False),
        ("I-C-20251114-2a3b1c0f3e9d8a7b 王小明", False),
        ("13812345678", False),
    ],
)
def test_an_issue_id_is_readable_only_as_the_desk_names_issues(issue: str, readable: bool) -> None:
    """A masked view shows a concentrated issue's id as stored only when the desk
    could have named it (``I-`` and a complaint id it makes: a millisecond of the
    day, and digits alone only when no card's check takes them); an id typed by
    hand before ids were checked may hold a phone, a card or a name, and is masked."""
    from complaintcore.core.errors import shown_issue

    shown = shown_issue(issue)
    assert (shown == issue) is readable
    if not readable:
        for secret in ("138123", "62220212", "王小明"):
            assert secret not in shown
