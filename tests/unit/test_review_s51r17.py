"""Review s51R17 F02: docs/security.md, the page an auditor reads for what ``verify``
detects, said a retry time moved far ahead "is not reported" and had no row for it
in its tamper table, while ``verify(now)`` names such a message since s51C F03
(tested in ``tests/integration/test_review_s51c.py``)."""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _tamper_rows() -> dict[str, str]:
    text = (DOCS / "security.md").read_text(encoding="utf-8")
    table = text.split("### Tamper evidence", 1)[1].split("`complaintcore verify --head`", 1)[0]
    rows = [line.split(" | ") for line in table.splitlines() if line.startswith("| ")]
    return {cells[0].lstrip("| "): cells[1] for cells in rows if len(cells) >= 3}


def test_the_tamper_table_has_a_retry_time_moved_far_ahead_as_detected() -> None:
    [row] = [what for tampering, what in _tamper_rows().items() if "next_attempt_at" in tampering]
    assert row.startswith("detected by `verify`")
    assert "[retry] max_delay_seconds" in row


def test_security_md_no_longer_says_a_moved_retry_time_is_not_reported() -> None:
    text = (DOCS / "security.md").read_text(encoding="utf-8")
    assert "no bound tells an edit" not in text
    assert "moved far ahead: it is not reported" not in " ".join(text.split())
