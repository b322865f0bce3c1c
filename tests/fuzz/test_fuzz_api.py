"""The public API under random calls: every refusal is a ``ComplaintCoreError``.

A call gets arguments that are plausible (staff ids of the directory, stored
complaint ids, times of the desk's year) or hostile (times at the ends of the
calendar or naive, integers beyond 64 bits, NaN, texts with NUL, control
characters and lone surrogates, bytes, containers, arbitrary objects).  It must
return, or raise an error of the library's family -- never anything else.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import complaintcore
from complaintcore import (
    AccessRecord,
    AddMeasure,
    ComplaintCoreError,
    CompleteMeasure,
    Desk,
    Intake,
    InvalidInputError,
    RecordCause,
    RetryPolicy,
    RowQuery,
    TextLimits,
    check_record,
    clean_text,
    command_from_dict,
    complaint_from_dict,
    control_warnings,
    event_from_dict,
    intake_from_dict,
    spreadsheet_safe,
    staff_report,
    upper_limit,
)
from complaintcore.adapters.sqlite_store import SqliteStore
from complaintcore.core.privacy import redact
from complaintcore.core.warnings import tail_probability
from complaintcore.core.workflow import COMMAND_TYPES
from complaintcore.testing import MemoryStore, make_desk
from tests.fuzz.conftest import INPUTS, fuzz_settings
from tests.helpers import SH

NOW = datetime(2025, 11, 14, 9, 30, tzinfo=SH)
STAFF = ["SR-103", "SR-102", "SR-201", "SR-301", "SR-001", "HQ-001", "RS-101", "sr-201 "]

texts = st.text(st.characters(codec=None, exclude_categories=()), max_size=12)
hostile_texts = st.one_of(
    texts,
    st.sampled_from(["\x00", "a\x1bb", "\ud800", "x\udfffy", "\r\n", " ", "=1+1", "系统"]),
    st.text(max_size=3).map(lambda t: t * 5000),
)
times = st.one_of(
    st.datetimes(
        min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(SH)
    ),
    st.datetimes(timezones=st.none() | st.just(UTC) | st.timezones()),
    st.sampled_from(
        [
            datetime.min.replace(tzinfo=UTC),
            datetime.max.replace(tzinfo=timezone(timedelta(hours=-12))),
            datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))),
            datetime(1969, 12, 31, 23, 59, tzinfo=UTC),
            datetime(3000, 1, 1, tzinfo=SH),
        ]
    ),
)
numbers = st.one_of(
    st.integers(-10, 2000),
    st.integers(),
    st.sampled_from([2**63 - 1, 2**63, -(2**63) - 1, 10**20, 10**400]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)
junk = st.one_of(
    st.none(),
    numbers,
    hostile_texts,
    times,
    st.binary(max_size=6),
    st.lists(texts, max_size=3),
    st.dictionaries(texts, texts, max_size=3),
    st.just(object()),
    st.just(math.nan),
)


def _library_only(call: Callable[[], object]) -> None:
    message = "(returned)"
    try:
        call()
    except ComplaintCoreError as exc:
        message = str(exc)
    except Exception as exc:
        pytest.fail(f"{type(exc).__name__} escaped: {exc!r}"[:500])
    assert message, "a library error says what is wrong"


@attrs.frozen
class Fuzzed:
    desk: Desk
    ids: tuple[str, ...]


@pytest.fixture(scope="module", params=["memory", "sqlite"])
def fuzzed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fuzzed]:
    if request.param == "memory":
        store: Any = MemoryStore()
    else:
        store = SqliteStore(tmp_path_factory.mktemp("fuzz") / "c.sqlite3")
    with make_desk(store=store) as desk:
        ids = []
        for i, summary in enumerate(["楼上漏水", "保安态度恶劣", "电梯停运"]):
            person = complaintcore.Complainant("王小明", f"1381234567{i}", f"3-2-120{i}")
            intake = Intake(
                complainant=person,
                channel="phone",
                received_at=NOW,
                receiver="SR-103",
                summary=summary,
                site="sunrise",
            )
            ids.append(desk.receive(intake, now=NOW).id)
        yield Fuzzed(desk, tuple(ids))


@st.composite
def intakes(draw: st.DrawFn) -> Intake | Exception:
    base: dict[str, Any] = {
        "complainant": complaintcore.Complainant("王小明", "13812345678", "3-2-1201"),
        "channel": "phone",
        "received_at": NOW,
        "receiver": "SR-103",
        "summary": "楼上漏水",
        "site": "sunrise",
    }
    for key in draw(st.sets(st.sampled_from([*sorted(base), "description", "location"]))):
        base[key] = draw(junk | st.sampled_from(STAFF))
    try:
        return Intake(**base)
    except ComplaintCoreError as exc:  # refused already: the model checks its fields
        return exc


def _command(kind: type[Any], kwargs: dict[str, Any]) -> Any:
    try:
        return kind(**kwargs)
    except TypeError as exc:  # a required field left out: not the library's call
        if "required" in str(exc):
            raise InvalidInputError("command", "a required field is missing") from None
        raise


@st.composite
def calls(draw: st.DrawFn, fuzzed: Fuzzed) -> Callable[[], object]:
    """One call into the public API, every argument drawn before it is made."""
    desk = fuzzed.desk
    some_id = draw(st.sampled_from(fuzzed.ids) | hostile_texts)
    actor = draw(st.sampled_from(STAFF) | junk)
    when = draw(times | junk)
    staff = st.sampled_from(STAFF) | junk
    which = draw(st.integers(0, 29))

    def receive(intake: Intake | Exception, now: Any) -> object:
        if isinstance(intake, Exception):
            raise intake
        return desk.receive(intake, now=now)

    if which == 0:
        one, now = draw(intakes()), draw(times)
        return lambda: receive(one, now)
    if which == 1:
        many = [i for i in draw(st.lists(intakes(), max_size=3)) if isinstance(i, Intake)]
        return lambda: list(desk.receive_many(many, now=when))
    if which == 2:
        kind = draw(st.sampled_from(COMMAND_TYPES))
        fields = {f.name: draw(junk | st.sampled_from(STAFF)) for f in attrs.fields(kind)}
        if draw(st.booleans()):
            fields["actor"] = actor
        keep = draw(st.sets(st.sampled_from(sorted(fields))))
        kwargs = {k: v for k, v in fields.items() if k in keep}
        return lambda: desk.act(some_id, _command(kind, kwargs), now=when)
    if which == 3:
        doc = draw(st.dictionaries(texts | st.just("type"), junk, max_size=5))
        doc.setdefault("type", draw(st.sampled_from([t.name for t in COMMAND_TYPES])))
        doc.setdefault("actor", actor)
        return lambda: desk.act(some_id, command_from_dict(doc), now=when)
    if which == 4:
        now, purpose = draw(times), draw(junk)
        return lambda: desk.view(some_id, actor, now=now, purpose=purpose)
    if which == 5:
        return lambda: desk.clocks(some_id, when)
    if which == 6:
        names = ["status", "grade", "site", "channel", "handler", "due_before", "limit"]
        filters = draw(st.dictionaries(st.sampled_from(names), junk, max_size=3))
        return lambda: desk.rows(**filters)
    if which == 7:
        limit = draw(numbers)
        return lambda: desk.sweep(when, limit=limit)
    if which == 8:
        most = draw(numbers | st.none())
        return lambda: desk.deliver(when, limit=most)
    if which == 9:
        return lambda: desk.get(some_id)
    if which == 10:
        count, lease = draw(numbers), draw(junk | st.timedeltas())
        return lambda: desk.store.claim(when, count, lease=lease)
    if which == 11:
        item, error = draw(numbers), draw(hostile_texts)
        return lambda: desk.store.mark_failed(item, error, when)
    if which == 12:
        doc = draw(st.dictionaries(texts, junk, max_size=6))
        return lambda: intake_from_dict(doc)
    if which == 13:
        doc = draw(st.dictionaries(texts, junk, max_size=6))
        return lambda: event_from_dict(doc)
    if which == 14:
        value = draw(junk)
        return lambda: complaint_from_dict(value)
    if which == 15:
        value, most = draw(junk), draw(st.none() | st.integers(0, 10))
        return lambda: clean_text(value, "f", most)
    if which == 16:
        value, text = draw(junk), draw(hostile_texts)
        return lambda: (spreadsheet_safe(value), redact(text))
    if which == 17:
        names = ["first_delay_seconds", "max_delay_seconds", "max_attempts"]
        policy = draw(st.dictionaries(st.sampled_from(names), numbers))
        return lambda: RetryPolicy(**policy)
    if which == 18:
        lengths = draw(st.dictionaries(texts, numbers, max_size=2))
        limit, due = draw(numbers), draw(times)
        return lambda: (
            TextLimits(lengths=lengths, default=7),
            RowQuery.of(limit=limit, due_before=due),
        )
    if which == 19:
        names = ["complaint_id", "actor", "since", "until", "limit"]
        filters = draw(st.dictionaries(st.sampled_from(names), junk | times, max_size=3))
        return lambda: desk.access_log(**filters)
    if which == 20:
        fields = [draw(times | junk), actor, some_id, *draw(st.lists(junk, max_size=3))]
        return lambda: desk.store.record_access(AccessRecord(*fields))
    if which == 21:
        item, reason, retry = draw(numbers), draw(junk), draw(st.booleans())
        if retry:
            return lambda: desk.retry_message(item, when)
        return lambda: desk.drop_message(item, when, reason)
    if which == 22:
        most, attempts = draw(numbers), draw(numbers)
        return lambda: (desk.dead_letters(most), desk.store.dead_letters(attempts, most))
    if which == 23:
        head = draw(junk | st.sampled_from(["0:", "1:" + "a" * 64, "9" * 30 + ":" + "0" * 64]))
        return lambda: desk.verify(when, expect=head)
    if which == 24:
        return lambda: desk.measures(some_id, when)
    if which == 25:  # IMP-1 commands with plausible fields, hostile where people type
        kind, owner = draw(st.sampled_from(["corrective", "preventive"]) | junk), draw(staff)
        due, text = draw(times), draw(hostile_texts)
        number = draw(st.sampled_from(["M1", "M2", "m1 "]) | hostile_texts)
        made = draw(st.sampled_from(["cause", "add", "complete"]))
        if made == "cause":
            return lambda: desk.act(
                some_id, RecordCause(actor=actor, cause=text, corrective=text), now=when
            )
        if made == "add":
            return lambda: desk.act(
                some_id,
                _command(
                    AddMeasure,
                    {"actor": actor, "kind": kind, "action": text, "owner": owner, "due": due},
                ),
                now=when,
            )
        return lambda: desk.act(
            some_id, CompleteMeasure(actor=actor, measure=number, result=text), now=when
        )
    if which == 26:
        year, month = draw(numbers | junk), draw(numbers | junk)
        source = draw(st.sampled_from(["store", "junk"]))
        items: Any = desk.store.complaints() if source == "store" else draw(junk)
        return lambda: staff_report(items, desk.pack, year=year, month=month, now=when)
    if which == 27:
        count, total, months, rate = draw(numbers), draw(numbers), draw(numbers), draw(numbers)
        return lambda: (
            upper_limit(total, months, rate),
            tail_probability(count, total, months),
        )
    if which == 28:
        cells = draw(
            st.dictionaries(
                st.tuples(texts, texts, texts, texts) | st.none() | numbers | hostile_texts,
                st.lists(numbers, max_size=4) | junk,
                max_size=3,
            )
            | junk
        )
        periods, has_data = (
            draw(st.lists(texts, max_size=4) | junk),
            draw(st.lists(st.booleans(), max_size=4) | junk),
        )
        rule = draw(st.just(desk.pack.early_warning) | junk)
        return lambda: control_warnings(cells, periods, has_data, rule)
    if which == 29:
        names = ["site", "since", "until", "complainant_key", "room_key", "building", "limit"]
        args = draw(st.dictionaries(st.sampled_from(names), junk | times, max_size=4))
        args.setdefault("site", "sunrise")
        args.setdefault("since", NOW - timedelta(days=90))
        args.setdefault("until", when)
        return lambda: desk.store.related(**args)
    one, regions = draw(intakes()), draw(junk)
    return lambda: check_record(one, regions)  # type: ignore[arg-type]


@fuzz_settings(600)
@given(data=st.data())
def test_any_call_raises_only_library_errors(fuzzed: Fuzzed, data: st.DataObject) -> None:
    call = data.draw(calls(fuzzed))
    INPUTS["api calls"] += 1
    _library_only(call)


@fuzz_settings(100)
@given(doc=st.recursive(
    st.none() | st.booleans() | numbers | hostile_texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=15,
))  # fmt: skip
def test_stored_records_read_back_or_refuse(
    doc: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Whatever a damaged database holds, reading it is a library error naming the complaint."""
    from complaintcore.adapters.chain import canonical_json, decode_complaint

    INPUTS["stored records"] += 1
    _library_only(lambda: decode_complaint("C-1", canonical_json(doc), [canonical_json(doc)]))
    _library_only(lambda: decode_complaint("C-1", "{", ["[" * 10_000]))
