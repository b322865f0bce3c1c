"""``list --json`` as a whole desk's export (review s40C F01): written a row at a
time, in the text one ``json.dumps`` of the list gives, and masked with the
complainants read without their histories (every store answers
:class:`~complaintcore.desk.ports.ComplainantStore` alike)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from complaintcore import Complainant, InvalidInputError
from complaintcore.desk.ports import ComplainantStore, ComplaintStore
from complaintcore.testing import make_desk
from tests.integration.test_delivery_off_intake import T0, intakes
from tests.integration.test_partial_results import invoke

ROWS = 1_205  # more than one read of a thousand complainants


@pytest.fixture
def desk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    assert invoke("init", ".").exit_code == 0
    lines = ["name,phone,room,building,site,summary,receiver,channel,received_at,idempotency_key"]
    for i in range(ROWS):
        received = f"2025-11-{1 + i % 13:02d}T{8 + i % 9:02d}:{i % 60:02d}"
        # a key and a building holding the owner's phone: each masked in the export
        lines.append(
            f"业主{i},139{i:08d},{1 + i % 9}-1-{100 + i},{1 + i % 9}号楼 139{i:08d},sunrise,"
            f"楼上漏水 #{i},SR-103,phone,{received},wx-139{i:08d}"
        )
    (tmp_path / "rows.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = invoke("receive", "--file", "rows.csv")
    assert result.exit_code == 0, result.output
    return tmp_path


@pytest.mark.procedure("PRV-1")
@pytest.mark.usefixtures("desk")
def test_the_export_is_one_json_document_with_every_row_masked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from complaintcore.desk import Desk

    histories: list[str] = []
    real_get = Desk.get

    def get(self: Desk, complaint_id: str) -> object:
        histories.append(complaint_id)
        return real_get(self, complaint_id)

    monkeypatch.setattr(Desk, "get", get)
    result = invoke("list", "--json", "--limit", "1000000", "--status", "in_handling")
    assert histories == []  # no row's history decoded to mask it (was one per row)
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert len(rows) == ROWS
    # the text one json.dumps of the whole list writes, though written a row at a time
    assert result.stdout == json.dumps(rows, ensure_ascii=False, indent=1) + "\n"
    for row in rows:
        assert "139" not in row["idempotency_key"]  # the phone in the key, masked
        assert row["idempotency_key"].startswith("wx-")
        assert row["building"]  # keyed from the text as typed, redacted first
    assert f"139{0:08d}" not in result.stdout


@pytest.mark.usefixtures("desk")
def test_the_export_is_written_in_large_pieces_not_a_flush_a_row(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each write flushes standard output: one a row was 100k system calls for a
    whole desk's export."""
    from complaintcore.cli import context

    pieces: list[str] = []
    real = context.write_utf8

    def counted(text: str, *, nl: bool = True) -> None:
        pieces.append(text)
        real(text, nl=nl)

    monkeypatch.setattr(context, "write_utf8", counted)
    result = invoke("list", "--json", "--limit", "1000000", "--status", "in_handling")
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)) == ROWS
    assert 1 < len(pieces) < ROWS / 50
    assert all(len(piece) >= 1 << 16 for piece in pieces[:-1])  # all but the last full
    assert "".join(pieces) + "\n" == result.stdout


@pytest.mark.usefixtures("desk")
def test_an_export_of_nothing_is_an_empty_list() -> None:
    result = invoke("list", "--json", "--status", "closed")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "[]\n"


def test_every_store_reads_the_complainants_alone_alike(each_store: ComplaintStore) -> None:
    assert isinstance(each_store, ComplainantStore)
    desk = make_desk(store=each_store)
    stored = [desk.receive(i, now=T0) for i in intakes(3, T0)]
    ids = [c.id for c in stored]
    found = desk.complainants([*ids, ids[0], "C-20990101-0000000000000000", "C-1\x00"])
    assert found == {c.id: c.intake.complainant for c in stored}  # the unknown left out
    assert all(isinstance(p, Complainant) for p in found.values())
    assert desk.complainants([]) == {}
    with pytest.raises(InvalidInputError) as info:
        desk.complainants(ids[0])  # type: ignore[arg-type]  # one id, not a sequence
    assert info.value.path == "complaint_ids"
    with pytest.raises(InvalidInputError) as info:
        desk.complainants([ids[0], 7])  # type: ignore[list-item]
    assert info.value.path == "complaint_ids[1]"
