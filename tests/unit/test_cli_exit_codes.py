"""The one table from errors to exit codes, checked against every error the library has."""

from __future__ import annotations

import errno
import inspect
import sqlite3

import click
import pytest

from complaintcore import ComplaintCoreError, SchemaVersionError
from complaintcore.cli.errors import (
    ExitCode,
    NotFoundError,
    error_document,
    exit_code_for,
    one_line,
)
from complaintcore.core import errors
from complaintcore.core.errors import (
    AccessDeniedError,
    ConnectionLostError,
    DamagedRecordError,
    FieldProblem,
    IllegalTransitionError,
    InvalidInputError,
    MembersLeftUnlinkedError,
    RulePackError,
    StoreError,
    UnknownComplaintError,
    UnknownTenantError,
)

# What each kind of failure must exit with (docs/cli.md, "Exit codes").
SPECIAL = {
    UnknownComplaintError: 3,
    AccessDeniedError: 4,
    StoreError: 5,  # the database failed, or is another tenant's
    UnknownTenantError: 5,
    DamagedRecordError: 5,
    ConnectionLostError: 5,
    MembersLeftUnlinkedError: 5,  # the receipt stands; members left out (s46L L01)
    SchemaVersionError: 5,  # a newer (or, on PostgreSQL, older) schema
}


def _library_errors() -> list[type[ComplaintCoreError]]:
    return [
        cls
        for _, cls in inspect.getmembers(errors, inspect.isclass)
        if issubclass(cls, ComplaintCoreError)
    ]


def test_the_codes_are_the_documented_ones() -> None:
    assert [(c.name, int(c)) for c in ExitCode] == [
        ("OK", 0),
        ("REFUSED", 1),
        ("USAGE", 2),
        ("NOT_FOUND", 3),
        ("ACCESS_DENIED", 4),
        ("STORE", 5),
    ]


@pytest.mark.parametrize("cls", _library_errors(), ids=lambda c: c.__name__)
def test_every_library_error_has_its_code(cls: type[ComplaintCoreError]) -> None:
    exc = cls.__new__(cls)  # the class decides the code, not the message
    assert exit_code_for(exc) == SPECIAL.get(cls, 1)


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (SchemaVersionError(9, 3), 5),
        (sqlite3.DatabaseError("file is not a database"), 5),
        (sqlite3.OperationalError("database is locked"), 5),
        (NotFoundError("config", "complaintcore.toml not found"), 3),
        (FileNotFoundError(2, "No such file or directory", "x.csv"), 3),
        (PermissionError(13, "Permission denied", "x.csv"), 4),
        (IsADirectoryError(21, "Is a directory", "x"), 1),
        (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), 1),
        (click.BadParameter("bad"), 2),
        (click.UsageError("no such option"), 2),
        (click.FileError("x", "cannot open"), 1),
    ],
)
def test_errors_from_outside_the_family(exc: BaseException, code: int) -> None:
    assert exit_code_for(exc) == code


@pytest.mark.parametrize("exc", [ValueError("x"), TypeError("x"), KeyError("x"), OverflowError()])
def test_a_bug_is_not_mapped_so_its_traceback_shows(exc: BaseException) -> None:
    assert exit_code_for(exc) is None


def test_a_message_is_one_printable_line() -> None:
    exc = InvalidInputError("actor", "unknown\nactor \x1b[31mred\x1b[0m\u2028end")
    line = one_line(exc)
    assert line == "actor: unknown actor \\x1b[31mred\\x1b[0m end"
    assert len(line.splitlines()) == 1


def test_the_json_error_names_its_path_and_problems() -> None:
    exc = RulePackError("bad.toml", [FieldProblem("surprise", "unknown key")])
    doc = error_document(exc, ExitCode.REFUSED, one_line(exc))
    assert doc == {
        "error": {
            "code": 1,
            "type": "RulePackError",
            "message": "invalid rule pack bad.toml: surprise: unknown key",
            "problems": [{"path": "surprise", "reason": "unknown key"}],
        }
    }
    refused = IllegalTransitionError("C-1", "closed", "visit", "already closed")
    assert error_document(refused, ExitCode.REFUSED, "m") == {
        "error": {"code": 1, "type": "IllegalTransitionError", "message": "m"}
    }


@pytest.mark.parametrize(
    ("lang", "shown"),
    [("en", "no space left on the device"), ("zh", "设备上没有剩余空间")],
)
def test_an_os_error_naming_no_file_reads_as_its_reason_alone(lang: str, shown: str) -> None:
    """A full disk while writing names no file: the reason alone, in the reader's
    language (the catalog's words), never ``None: …`` (s31G F12)."""
    from complaintcore.i18n import translator

    assert one_line(OSError(errno.ENOSPC, "No space left on device"), translator(lang)) == shown
