"""Review s51D (s51R9: a host engineer building from the docs; s51R11: the CLI).

R9-F01: docs/storage.md gave ``drop_item(item_id, at, reason)``, the store
contract only ever called it so, and ``Desk.drop_message`` passes ``actor=`` and
``os_user=``: a host store written from the page passed the contract and failed
its first drop with a raw ``TypeError``.  The contract now calls it as the desk
does (and reads the two back from a store that exports its outbox).

R11-F01: ``outbox drop --reason <too long>`` listed every id as refused with a
reason naming no field; the reason is now checked once, before any id, and
refused under ``--reason`` (``Desk.drop_message`` checks it before it touches
the message).

R11-F02: with a staff file that ties staff to accounts, ``--actor`` with an id it
does not have, or ``system``, was refused as "tied to another operating-system
user"; now the desk's own reason is given, as without ``os_user``.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from complaintcore.adapters.memory_store import MemoryStore
from complaintcore.core.errors import InvalidInputError
from complaintcore.desk.ports import ClaimHealthStore, ComplaintStore, OutboxStore
from complaintcore.testing import RecordingNotifier, StoreContract, make_desk
from tests.integration.test_cli_delivery_and_identity import RECEIVE, _tie, invoke
from tests.integration.test_review_s51r1 import _dropped
from tests.integration.test_review_s51r1 import three_dead as three_dead  # the fixture

# --------------------------------------------------------------------------- R9-F01


class _AsTheDocSaid(MemoryStore):
    """A store whose ``drop_item`` has the signature docs/storage.md used to give."""

    def drop_item(self, item_id: int, at: datetime, reason: str) -> None:  # type: ignore[override]
        super().drop_item(item_id, at, reason)


class _ContractOnTheDocStore(StoreContract):
    root = _AsTheDocSaid()  # tenants share its data

    def open_store(self, tenant: str) -> ComplaintStore:
        return _AsTheDocSaid(tenant=tenant, _data=self.root._data)


def test_the_store_contract_fails_a_drop_item_without_actor_and_os_user() -> None:
    """The contract calls ``drop_item`` as ``Desk.drop_message`` does, so a store
    written from the old page fails it, not its first drop in production."""
    contract = _ContractOnTheDocStore()
    contract._opened = []
    try:
        with pytest.raises(TypeError, match="unexpected keyword argument 'actor'"):
            contract.test_dead_letters_are_listed_retried_or_dropped_for_good()
    finally:
        for store in contract._opened:
            store.close()


@pytest.mark.procedure("REC-5")
def test_the_desk_keeps_who_dropped_a_message_on_a_sqlite_file(tmp_path: Path) -> None:
    """What the contract reads back on a store that exports its outbox: the staff id
    and the account a drop was made by, beside the reason (REC-5)."""
    from complaintcore.adapters.sqlite_store import SqliteStore

    store = SqliteStore(tmp_path / "d.sqlite3", tenant="default", create_tenant=True)
    with make_desk(store=store, notifiers=[RecordingNotifier("app")]) as desk:
        from tests.integration.test_delivery_off_intake import T0, intakes

        list(desk.receive_many(list(intakes(1, T0)), now=T0))
        [item] = desk.store.pending(T0, limit=1)
        desk.drop_message(item.id, T0, "recipient on leave", actor="SR-101", os_user="ops")
        [kept] = [i for i in store.export_outbox() if i.dedupe_key == item.notification.key]
        assert (kept.drop_reason, kept.dropped_by, kept.dropped_os_user) == (
            "recipient on leave",
            "SR-101",
            "ops",
        )
        assert desk.store.verify().ok


# --------------------------------------------------------------------------- R11-F01


def test_a_too_long_reason_is_one_reason_error_before_any_id(
    three_dead: list[int], tmp_path: Path
) -> None:
    first, second, _ = three_dead
    long = "x" * 501  # the limit is 500 characters (docs/storage.md)
    done = invoke("outbox", "drop", str(first), str(second), "--reason", long)
    assert done.exit_code == 1, done.output  # invalid data, as a blank --reason
    assert done.stdout == ""  # no "0 messages dropped": nothing was tried
    assert done.stderr.strip() == (
        "error: --reason: is too long: 501 characters, at most 500 allowed"
    )
    as_json = invoke("outbox", "drop", str(first), "--reason", long, "--json")
    assert as_json.exit_code == 1
    error = json.loads(as_json.stdout)["error"]
    assert (error["type"], error["path"]) == ("InvalidInputError", "--reason")
    assert "refused" not in json.loads(as_json.stdout)
    assert _dropped(tmp_path) == []
    # 500 characters are taken
    kept = invoke("outbox", "drop", str(first), "--reason", "x" * 500)
    assert kept.exit_code == 0, kept.output
    assert _dropped(tmp_path) == [(first, "x" * 500)]


def test_a_too_long_reason_reads_in_chinese(three_dead: list[int]) -> None:
    from click.testing import CliRunner

    from complaintcore.cli import main

    done = CliRunner().invoke(
        main,
        ["--lang", "zh", "outbox", "drop", str(three_dead[0]), "--reason", "x" * 3000],
        env={"COMPLAINTCORE_NOW": "2025-11-14T17:40"},
    )
    assert done.exit_code == 1
    assert done.stderr.strip() == "错误：--reason：太长：3000 个字符，最多允许 500 个"


def test_desk_drop_message_checks_the_reason_before_it_touches_the_message() -> None:
    """A claim no sender of the desk takes (a day long, edited by hand) is handed
    back by a drop (review s50P F03); a drop refused for its reason leaves it be."""
    from tests.integration.test_delivery_off_intake import T0, intakes

    with make_desk(notifiers=[RecordingNotifier("app")]) as desk:
        store = desk.store
        assert isinstance(store, ClaimHealthStore)
        assert isinstance(store, OutboxStore)
        list(desk.receive_many(list(intakes(1, T0)), now=T0))
        [item] = store.claim(T0, 1, lease=timedelta(days=1))
        with pytest.raises(InvalidInputError) as caught:
            desk.drop_message(item.id, T0, "x" * 501, actor="SR-101")
        assert caught.value.path == "reason"
        assert store.overlong_claims(timedelta(hours=1)) == [item.id]  # still claimed
        desk.drop_message(item.id, T0, "x" * 500, actor="SR-101")  # taken: handed back
        assert store.overlong_claims(timedelta(hours=1)) == []
        assert item.id not in [i.id for i in store.waiting()]


# --------------------------------------------------------------------------- R11-F02


@pytest.fixture
def tied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A desk whose staff file ties SR-201 to the account ``li.jianguo``; one complaint."""
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    cid = str(json.loads(invoke(*RECEIVE, "--json").stdout)["id"])
    _tie(tmp_path, SR_201="li.jianguo")
    return cid


@pytest.mark.parametrize(
    ("actor", "reason"),
    [
        ("XX-999", "unknown actor: not in the staff directory"),
        ("system", "the system actor is reserved for the desk's sweeps"),
    ],
)
def test_a_tied_staff_file_gives_the_real_reason_for_an_actor_it_lacks(
    tied: str, actor: str, reason: str
) -> None:
    done = invoke("act", "reply", tied, "--actor", actor, "--message", "ok", user="li.jianguo")
    assert done.exit_code == 4, done.output
    assert reason in done.stderr
    assert "another operating-system user" not in done.stderr
    # a member the file does tie, to another account, is still refused as before
    other = invoke("act", "reply", tied, "--actor", "SR-201", "--message", "ok", user="mallory")
    assert other.exit_code == 4
    assert "ties this staff id to another operating-system user" in other.stderr


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize("viewer", ["XX-999", "system"])
def test_show_as_an_id_the_tied_file_lacks_is_refused_and_shows_nothing(
    tied: str, viewer: str
) -> None:
    done = invoke("show", tied, "--as", viewer, "--json", user="li.jianguo")
    assert done.exit_code == 4, done.output
    assert "another operating-system user" not in done.output
    assert "13812345678" not in done.output  # PRV-1: nothing unmasked
    with sqlite3.connect("complaints.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM access_log").fetchone() == (0,)


def test_drop_actor_unknown_under_a_tied_file_names_the_staff_file(
    three_dead: list[int], tmp_path: Path
) -> None:
    _tie(tmp_path, SR_201="li.jianguo")
    done = invoke("outbox", "drop", str(three_dead[0]), "--reason", "gone", "--actor", "XX-999")
    assert done.exit_code == 1, done.output
    assert "--actor: no such staff member in the staff file" in done.stderr
