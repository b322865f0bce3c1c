"""An id or a filter no stored text can hold (a NUL, a lone surrogate: taken from a
URL, ``/complaints/C-1%00``) gets the same answer from every store (review s40A
F01): a NUL matches nothing, as no stored text holds one; a lone surrogate, which
SQLite and PostgreSQL cannot even bind, is refused naming the argument there (the
in-memory store keeps Python strings, and finds nothing)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from complaintcore import Desk, InvalidInputError, StoreError, UnknownComplaintError
from complaintcore.core.workflow import Handle
from complaintcore.desk.ports import ComplaintStore
from complaintcore.testing import make_desk
from tests.integration.test_delivery_off_intake import T0, intakes

NUL_ID = "C-20261103-\x00"


@pytest.fixture
def desk(each_store: ComplaintStore) -> Iterator[Desk]:
    """A desk holding one complaint, on each store."""
    the_desk = make_desk(store=each_store)
    the_desk.receive(next(intakes(1, T0)), now=T0)
    try:
        yield the_desk
    finally:
        the_desk.close()


def test_a_nul_in_a_lookup_matches_nothing_on_every_store(desk: Desk) -> None:
    with pytest.raises(UnknownComplaintError):
        desk.get(NUL_ID)
    with pytest.raises(UnknownComplaintError):
        desk.act(NUL_ID, Handle(actor="SR-201", result="x"), now=T0 + timedelta(hours=1))
    assert desk.rows(site="sun\x00rise") == []
    assert desk.rows(handler="SR\x00") == []
    assert desk.store.find_by_key("wx-\x00") is None
    access_log = getattr(desk.store, "access_log", None)
    if access_log is not None:
        assert access_log(actor="SR\x00") == []
        assert access_log(complaint_id=NUL_ID) == []
    assert len(desk.rows()) == 1  # the stored one is still there


@pytest.mark.parametrize("each_store", ["sqlite", "postgres"], indirect=True)
@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda s: s.load("C-\udcff"), "complaint_id"),
        (lambda s: s.find_by_key("wx-\udcff"), "idempotency_key"),
        (lambda s: s.rows(site="sun\udcffrise"), "site"),
    ],
)
def test_a_lone_surrogate_is_refused_naming_the_argument(
    desk: Desk, call: object, name: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        call(desk.store)  # type: ignore[operator]
    assert not isinstance(info.value, StoreError)
    assert info.value.path == name
    assert "lone surrogate" in str(info.value)


def test_the_error_names_the_argument_that_holds_it() -> None:
    from complaintcore.adapters.chain import argument_holding

    def lookup(
        self: object,
        complaint_id: str,
        *,
        site: str = "",
        keys: tuple[str, ...] = (),
        limit: int = 0,
    ) -> None:
        """A store method's shape: the id positional, the filters by keyword."""

    assert argument_holding(lookup, ("C-1\x00",), {}, "\x00") == "complaint_id"
    assert argument_holding(lookup, ("C-1",), {"site": "a\x00"}, "\x00") == "site"
    assert argument_holding(lookup, ("C-1",), {"keys": ("k", "k\udcff")}, "surrogate") == "keys"
    assert argument_holding(lookup, ("C-1",), {"limit": 2**63}, "int64") == "limit"
    assert argument_holding(lookup, ("C-1",), {"limit": 2**63 - 1}, "int64") == "argument"
    assert argument_holding(lookup, (), {"nope": 1}, "\x00") == "argument"  # not its call
