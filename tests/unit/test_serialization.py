"""JSON-ready dicts and back: round trips, tagged events, every bad path named."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaintcore.core.errors import SerializationError
from complaintcore.core.models import (
    EVENT_BY_KIND,
    Assessed,
    Complainant,
    Complaint,
    Event,
    Fact,
    Intake,
    Registered,
    Replied,
    TargetPerson,
    Validity,
    Visited,
)
from complaintcore.serialization import (
    complaint_from_dict,
    complaint_to_dict,
    event_from_dict,
    event_to_dict,
    intake_from_dict,
    intake_to_dict,
    to_dict,
)
from tests.strategies import SHANGHAI, complaints, event_of, events, intakes

T0 = datetime(2025, 3, 3, 9, 30, tzinfo=SHANGHAI)


def _intake() -> Intake:
    return Intake(
        complainant=Complainant("王小明", "13812345678", "3-2-1201", "3", "sunrise"),
        channel="phone",
        received_at=T0,
        receiver="s-front",
        summary="楼上漏水",
        facts={Fact.STAFF_FAULT, Fact.GROUP},
        target=TargetPerson("s-9", "front_line", "guard", "security"),
    )


def _complaint() -> Complaint:
    return Complaint(
        id="C-1",
        intake=_intake(),
        events=(
            Registered(at=T0, actor="s-front", unit="customer_service"),
            Assessed(
                at=T0 + timedelta(hours=1),
                actor="s-cs",
                validity=Validity.VALID,
                facts=frozenset({Fact.MAJOR_LOSS, Fact.GROUP}),
            ),
            Replied(at=T0 + timedelta(hours=2), actor="s-cs", message="已安排维修", final=True),
        ),
    )


def _roundtrip_json(data: Any) -> Any:
    return json.loads(json.dumps(data, ensure_ascii=False))


# --------------------------------------------------------------------------- round trips


@pytest.mark.procedure("REC-5")
@given(complaints())
def test_any_complaint_round_trips_through_json(c: Complaint) -> None:
    data = complaint_to_dict(c)
    text = json.dumps(data)  # JSON-ready: no default= needed
    back = complaint_from_dict(json.loads(text))
    assert back == c
    assert back.events == c.events
    assert [type(e) for e in back.events] == [type(e) for e in c.events]


@pytest.mark.procedure("REC-5")
@given(complaints())
def test_loading_rebuilds_the_derived_state(c: Complaint) -> None:
    from complaintcore.core.workflow import evolve

    back = complaint_from_dict(_roundtrip_json(complaint_to_dict(c)))
    assert back.state == evolve(Complaint(id=c.id, intake=c.intake), c.events).state


@given(intakes())
def test_any_intake_round_trips_through_json(intake: Intake) -> None:
    assert intake_from_dict(_roundtrip_json(intake_to_dict(intake))) == intake


@given(events())
def test_any_event_round_trips_with_its_type_tag(event: Event) -> None:
    data = event_to_dict(event)
    assert data["type"] == event.kind
    back = event_from_dict(_roundtrip_json(data))
    assert type(back) is type(event)
    assert back == event


@pytest.mark.parametrize("kind", sorted(EVENT_BY_KIND))
@given(data=st.data())
def test_every_event_kind_round_trips(kind: str, data: st.DataObject) -> None:
    event = data.draw(event_of(kind))
    assert event_from_dict(_roundtrip_json(event_to_dict(event))) == event


def test_derived_state_is_not_written() -> None:
    data = complaint_to_dict(_complaint())
    assert set(data) == {"id", "intake", "events"}


def test_output_shape() -> None:
    data = complaint_to_dict(_complaint())
    assert data["intake"]["channel"] == "phone"
    assert data["intake"]["received_at"] == "2025-03-03T09:30:00+08:00"
    assert data["intake"]["facts"] == ["group", "staff_fault"]  # frozenset: sorted list
    assert data["intake"]["evidence"] == []
    assert data["intake"]["occurred_at"] is None
    assert data["events"][0] == {
        "type": "registered",
        "at": "2025-03-03T09:30:00+08:00",
        "actor": "s-front",
        "unit": "customer_service",
    }
    assert data["events"][1]["facts"] == ["group", "major_loss"]
    assert data["events"][1]["validity"] == "valid"


def test_to_dict_serialises_any_model_value() -> None:
    c = _complaint()
    assert to_dict(c.intake.complainant)["room"] == "3-2-1201"
    assert [e["type"] for e in to_dict(c.events)] == ["registered", "assessed", "replied"]
    json.dumps(to_dict(c))


def test_times_keep_their_offset() -> None:
    utc = datetime(2025, 3, 3, 1, 30, tzinfo=UTC)
    data = event_to_dict(Registered(at=utc, actor="a", unit="customer_service"))
    assert data["at"] == "2025-03-03T01:30:00+00:00"
    back = event_from_dict(data)
    assert back.at == T0  # the same instant
    assert back.at.utcoffset() == timedelta(0)


# --------------------------------------------------------------------------- bad input


def _problems(exc: SerializationError) -> dict[str, str]:
    return {p.path: p.reason for p in exc.problems}


def test_every_bad_path_is_listed() -> None:
    data = _roundtrip_json(complaint_to_dict(_complaint()))
    del data["id"]
    data["intake"]["complainant"]["phone"] = 13812345678
    data["intake"]["channel"] = "carrier pigeon"
    data["intake"]["received_at"] = "2025-03-03T09:30:00"
    data["intake"]["colour"] = "blue"
    data["events"][0]["unit"] = None
    data["events"][1]["facts"] = ["group", "bad luck"]
    data["events"][2]["at"] = "yesterday"
    data["events"].append({"type": "teleported", "at": "2025-03-03T09:30:00+08:00"})
    data["events"].append({"at": "2025-03-03T09:30:00+08:00", "actor": "x"})
    data["events"].append("closed")

    with pytest.raises(SerializationError) as info:
        complaint_from_dict(data)
    err = info.value
    assert err.what == "complaint"
    found = _problems(err)
    assert set(found) == {
        "id",
        "intake.complainant.phone",
        "intake.channel",
        "intake.received_at",
        "intake.colour",
        "events[0].unit",
        "events[1].facts[1]",
        "events[2].at",
        "events[3].type",
        "events[4].type",
        "events[5]",
    }
    assert found["id"] == "required field missing"
    assert "naive" in found["intake.received_at"]
    assert found["intake.colour"] == "unknown key"
    assert "unknown event type" in found["events[3].type"]
    assert isinstance(err, ValueError)


@pytest.mark.procedure("PRV-1")
def test_errors_never_repeat_personal_data() -> None:
    data = _roundtrip_json(complaint_to_dict(_complaint()))
    data["intake"]["complainant"]["phone"] = 13812345678
    data["intake"]["complainant"]["name"] = ["王小明"]
    with pytest.raises(SerializationError) as info:
        complaint_from_dict(data)
    message = str(info.value)
    assert "13812345678" not in message
    assert "王小明" not in message
    assert set(info.value.paths) == {"intake.complainant.phone", "intake.complainant.name"}


@pytest.mark.procedure("IN-6")
def test_a_registration_records_the_bypass_only_where_its_unit_does_not_say_it() -> None:
    """A registration stored before ``via_head_office`` existed is a bypass when made at
    head office (what its tag meant then) and encodes to the text it was stored as; a
    complaint head office registers without a bypass says so."""
    old = {
        "type": "registered",
        "at": "2025-03-03T09:30:00+08:00",
        "actor": "HQ-002",
        "unit": "head_office",
    }
    stored = event_from_dict(old)
    assert isinstance(stored, Registered)
    assert stored.bypass
    assert "registered:via_head_office" in stored.tags()
    assert event_to_dict(stored) == old
    forwarded = event_from_dict({**old, "via_head_office": False})
    assert "registered:via_head_office" not in forwarded.tags()
    assert "registered:head_office" in forwarded.tags()
    assert event_to_dict(forwarded) == {**old, "via_head_office": False}
    at_site = event_from_dict({**old, "unit": "security"})
    assert "registered:via_head_office" not in at_site.tags()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("at", "2025-03-03T09:30:00"),  # naive
        ("at", "2025-03-03"),  # a date is naive too
        ("at", 1741000000),  # not a string
        ("at", "3 March 2025 9:30 +08:00"),  # not ISO 8601
    ],
)
def test_event_times_must_be_iso_with_offset(field: str, value: object) -> None:
    data = event_to_dict(Registered(at=T0, actor="a", unit="customer_service"))
    data[field] = value
    with pytest.raises(SerializationError) as info:
        event_from_dict(data)
    assert info.value.paths == (field,)
    assert info.value.what == "event"


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.__setitem__("via_head_office", "yes"), "via_head_office"),
        (lambda d: d.__setitem__("evidence", "photo.jpg"), "evidence"),
        (lambda d: d.__setitem__("facts", ["group", 3]), "facts[1]"),
        (lambda d: d.__setitem__("target", {"staff_id": "s", "rung": 1}), "target.rung"),
        (lambda d: d.__setitem__("target", "s-9"), "target"),
        (lambda d: d.__setitem__("complainant", None), "complainant"),
        (lambda d: d["complainant"].pop("room"), "complainant.room"),
        (lambda d: d.__setitem__("occurred_at", "2025-03-03T08:00:00"), "occurred_at"),
    ],
)
def test_bad_intake_fields_are_named(mutate: Any, path: str) -> None:
    data = _roundtrip_json(intake_to_dict(_intake()))
    mutate(data)
    with pytest.raises(SerializationError) as info:
        intake_from_dict(data)
    assert info.value.paths == (path,)


@pytest.mark.parametrize("data", [[], "complaint", None, 3])
def test_not_an_object_at_all(data: Any) -> None:
    with pytest.raises(SerializationError) as info:
        complaint_from_dict(data)
    assert info.value.paths == ("$",)


def test_booleans_and_integers_are_strict() -> None:
    data = event_to_dict(Replied(at=T0, actor="a", message="m"))
    data["final"] = 1
    with pytest.raises(SerializationError) as info:
        event_from_dict(data)
    assert info.value.paths == ("final",)


@pytest.mark.procedure("VIS-2")
def test_a_visit_stored_before_not_reached_existed_reads_back_as_reached() -> None:
    """Events stored by earlier versions have no ``reached``: they read back as a visit
    that reached the complainant and encode to the very body stored (the hash
    chain stays true); a not-reached visit keeps its field (review s36C F03)."""
    old = {
        "type": "visited",
        "at": "2025-09-30T10:00:00+08:00",
        "actor": "SR-102",
        "satisfied": True,
        "opinion": "满意",
        "reply_due": None,
        "major_issue": False,
    }
    event = event_from_dict(old)
    assert isinstance(event, Visited)
    assert (event.reached, event.satisfied) == (True, True)
    assert event_to_dict(event) == old
    missed = event_from_dict({**old, "satisfied": False, "reached": False})
    assert isinstance(missed, Visited)
    assert not missed.reached
    assert event_to_dict(missed) == {**old, "satisfied": False, "reached": False}
    with pytest.raises(SerializationError):
        event_from_dict({**old, "reached": False})  # not reached, yet satisfied
