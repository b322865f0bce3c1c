"""Review s53R15: what the command line shows of a PostgreSQL setting keeps no
secret -- the SSL key's passphrase (``sslpassword=``) is dropped from the setting
``migrate --to`` tells the operator to write, as the password is, and a URL whose
``user:password`` lost its ``@`` (read as host and port) is shown without that
host part; open_store's own refusals are told in Chinese in a Chinese run.
Expected texts written out by hand."""

from __future__ import annotations

import pytest

from complaintcore import ComplaintCoreError, translator
from complaintcore.adapters.stores import describe_database, open_store, setting_without_password
from complaintcore.cli.errors import one_line


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


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("mysql://x/y", "投诉数据库 mysql://x/y：既不是 postgresql:// URL，也不是 SQLite 文件名"),
        (
            "host=a dbname=b",
            "投诉数据库 host=a dbname=b：是 libpq 的 key=value 字符串；请写成 postgresql:// URL",
        ),
        ("postgresql://bob:pw@h/cc?schema=Bad-Name", "schema：应为小写的 SQL 名称（a-z、0-9、_）"),
    ],
)
def test_open_stores_refusals_are_told_in_chinese(setting: str, expected: str) -> None:
    """F03: the refusals open_store makes before any driver is asked were English
    in a Chinese run."""
    with pytest.raises(ComplaintCoreError) as caught:
        open_store(setting)
    assert one_line(caught.value, translator("zh", environ={})) == expected
