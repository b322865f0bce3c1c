"""Review s53R15: what the command line shows of a PostgreSQL setting keeps no
secret -- the SSL key's passphrase (``sslpassword=``) is dropped from the setting
``migrate --to`` tells the operator to write, as the password is, and a URL whose
``user:password`` lost its ``@`` (read as host and port) is shown without that
host part.  Expected texts written out by hand."""

from __future__ import annotations

import pytest

from complaintcore.adapters.stores import describe_database, setting_without_password


@pytest.mark.parametrize(
    ("setting", "described", "to_write"),
    [
        (
            "postgresql://bob:pw@db.internal:5432/cc?sslpassword=KeyPass&sslmode=require",
            "postgresql://db.internal:5432/cc",
            "postgresql://bob@db.internal:5432/cc?sslmode=require",
        ),
        (
            "postgres://bob@/cc?host=/run/pg&sslpassword=KeyPass",
            "postgresql:///cc",
            "postgresql://bob@/cc?host=%2Frun%2Fpg",
        ),
        (
            "postgresql://bob:S3cr3t/complaints",
            "postgresql://(unreadable host)/complaints",
            "postgresql://(unreadable host)/complaints",
        ),
        (
            "postgresql://postgres:S3cr3t",
            "postgresql://(unreadable host)",
            "postgresql://(unreadable host)",
        ),
    ],
)
def test_no_secret_is_shown_or_repeated(setting: str, described: str, to_write: str) -> None:
    assert describe_database(setting) == described
    assert setting_without_password(setting) == to_write


@pytest.mark.parametrize(
    "setting",
    [
        "postgresql://h1:5432,h2:5433/cc",
        "postgresql://[::1]:5432/cc",
        "postgresql://[::1]/cc",
        "postgresql://db.internal/cc?schema=estate_a",
    ],
)
def test_hosts_with_ports_of_digits_are_shown_as_written(setting: str) -> None:
    assert describe_database(setting) == setting
    assert setting_without_password(setting) == setting
