"""Review s53R9: no password, and no complainant's words, in a message.

Every expected text is written out by hand from the catalog's wording, the
review's repros and libpq's URL rules, never recomputed with the library's
helpers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from click.testing import Result

from complaintcore import SchemaVersionError, StoreError
from complaintcore.adapters.postgres_store import (
    SCHEMA_VERSION,
    PostgresStore,
    _command_url,
    _split_schema,
    upgrade_schema,
)
from complaintcore.adapters.stores import describe_database
from tests.integration.test_cli_zh_reader import desk
from tests.integration.test_review_s51r16 import owner_url
from tests.integration.test_review_s52r6 import en, zh
from tests.integration.test_review_s53r3 import REKEY, heir
from tests.postgres_server import PgDatabase

# the fixtures: a cn-property desk set up in Chinese (COLUMNS=250); the tables of a
# schema 26 handed to a second owner (review s53R3), and the first owner's URL
__all__ = ["desk", "heir", "owner_url"]

SECRET = "S3cretPW"

# --------------------------------------------------------------------------- F02


def test_a_socket_url_keeps_its_empty_host_when_the_schema_is_taken_out() -> None:
    """libpq names a unix socket by an empty host and a host= parameter; the URL
    rebuilt without ?schema= used to lose its "//" (postgresql:/db?...)."""
    assert _split_schema(
        "postgresql:///complaints?host=/var/run/postgresql&user=desk&password=x&schema=cc"
    ) == (
        "postgresql:///complaints?host=%2Fvar%2Frun%2Fpostgresql&user=desk&password=x",
        "cc",
    )
    assert _split_schema("postgresql://@/db?host=/sock&password=x&schema=s") == (
        "postgresql://@/db?host=%2Fsock&password=x",
        "s",
    )
    assert _split_schema("postgresql:///db?schema=s") == ("postgresql:///db", "s")
    assert _split_schema("postgresql://h:1/db?schema=s#f") == ("postgresql://h:1/db#f", "s")


def test_libpq_reads_the_rebuilt_socket_url() -> None:
    psycopg = pytest.importorskip("psycopg")
    url, _schema = _split_schema(
        "postgresql:///complaints?host=/var/run/postgresql&user=desk&password=x&schema=cc"
    )
    assert psycopg.conninfo.conninfo_to_dict(url) == {
        "dbname": "complaints",
        "host": "/var/run/postgresql",
        "user": "desk",
        "password": "x",
    }


SOCKET_URLS = (
    f"postgresql:///complaints?host=/nonexistent-s53r9&user=desk&password={SECRET}&schema=cc",
    f"postgresql://@/complaints?host=/nonexistent-s53r9&password={SECRET}&schema=cc",
    f"postgresql://desk:{SECRET}@/complaints?host=/nonexistent-s53r9&schema=cc",
)


@pytest.mark.parametrize("dsn", SOCKET_URLS)
@pytest.mark.parametrize("call", [upgrade_schema, PostgresStore], ids=["upgrade", "store"])
def test_a_socket_url_with_a_schema_is_tried_and_named_without_the_password(
    dsn: str, call: Callable[..., object]
) -> None:
    pytest.importorskip("psycopg")
    with pytest.raises(StoreError) as err:
        call(dsn, timeout=1)
    assert str(err.value) == (
        "complaint database postgresql:///complaints?schema=cc: cannot be reached"
        " (is the server running, and the host and port right?)"
    )


@pytest.mark.parametrize(
    ("database", "shown"),
    [
        # what _split_schema used to make of a socket URL: no "//", so neither a URL
        # nor a libpq string, and shown as written
        (
            f"postgresql:/complaints?host=%2Fsock&user=desk&password={SECRET}",
            "(unreadable connection string)",
        ),
        (f"postgresql:/complaints?PassWord = {SECRET}", "(unreadable connection string)"),
        (f"postgresql:/complaints?pass%77ord={SECRET}", "(unreadable connection string)"),
        (f"postgresql:/complaints?sslpassword={SECRET}", "(unreadable connection string)"),
        (f"postgresql:desk:{SECRET}@db/complaints", "(unreadable connection string)"),
        (f"desk:{SECRET}@db/complaints", "(unreadable connection string)"),
        (f"postgresql://db/complaints&password={SECRET}", "(unreadable connection string)"),
        # a SQLite file name is still shown as written
        ("/srv/desk@2/complaints.sqlite3", "/srv/desk@2/complaints.sqlite3"),
        ("C:\\desks\\a@b.sqlite3", "C:\\desks\\a@b.sqlite3"),
        ("password-notes.sqlite3", "password-notes.sqlite3"),
    ],
)
def test_describe_database_fails_closed_on_text_it_cannot_read(database: str, shown: str) -> None:
    assert describe_database(database) == shown


FAILING_DSNS = (
    *SOCKET_URLS,
    f"postgresql://desk:{SECRET}@[::1/x?schema=cc",  # urllib cannot read it
    f"postgresql://desk:{SECRET}@127.0.0.1:notaport/x?schema=cc",  # libpq refuses it
    f"postgresql://127.0.0.1:1/x?password={SECRET}&port=x&schema=cc",
    f"postgresql://127.0.0.1:1/x?password={SECRET}&schema=cc",  # nothing listens
)


@pytest.mark.parametrize("dsn", FAILING_DSNS)
@pytest.mark.parametrize("run", [en, zh], ids=["en", "zh"])
def test_no_failure_of_migrate_prints_the_password(
    desk: Path, run: Callable[..., Result], dsn: str
) -> None:
    pytest.importorskip("psycopg")
    for args in (("migrate", "--upgrade", dsn), ("migrate", "--to", dsn)):
        result = run(*args)
        assert result.exit_code == 5, result.output
        assert SECRET not in result.stdout + result.stderr
        assert "desk" not in result.stderr  # nor the user
        result = run(*args, "--json")
        assert result.exit_code == 5, result.output
        assert SECRET not in result.stdout + result.stderr
        message = json.loads(result.stdout)["error"]["message"]
        assert "postgresql://" in message, message


@pytest.mark.parametrize("run", [en, zh], ids=["en", "zh"])
def test_a_mistyped_url_as_the_desks_database_is_not_printed(
    desk: Path, run: Callable[..., Result]
) -> None:
    """One slash too few: taken for a SQLite file name, and named fail-closed."""
    config = desk / "complaintcore.toml"
    lines = config.read_text(encoding="utf-8").splitlines()
    url = f"postgresql:/complaints?host=/sock&user=desk&password={SECRET}"
    setting = f"database = {json.dumps(url)}"
    kept = [setting if line.startswith("database") else line for line in lines]
    config.write_text("\n".join(kept) + "\n", encoding="utf-8")
    for args in (("list",), ("list", "--json")):
        result = run(*args)
        assert result.exit_code == 5, result.output
        assert SECRET not in result.stdout + result.stderr
        assert "(unreadable connection string)" in result.stdout + result.stderr


# --------------------------------------------------------------------------- F01

GLUED = (
    # an option with its value typed without the space: the value is not shown
    pytest.param(
        zh,
        ("receive", "--name张伟", "--phone", "13912345678"),
        "错误：未知选项（可能含个人信息，不予显示）。（您是否想用以下之一：'--name'？）"
        "（参见 complaintcore receive --help）\n",
        id="zh-name",
    ),
    pytest.param(
        en,
        ("receive", "--room3-2-1201", "--name", "x"),
        "error: unknown option (not shown: it may be personal data). Did you mean '--room'?"
        " (see 'complaintcore receive --help')\n",
        id="en-room",
    ),
    pytest.param(
        en,
        ("receive", "--summary漏水严重"),
        "error: unknown option (not shown: it may be personal data). Did you mean"
        " '--summary'? (see 'complaintcore receive --help')\n",
        id="en-summary",
    ),
    pytest.param(  # a name in pinyin: letters, but an offered option with more after it
        en,
        ("receive", "--namewang"),
        "error: unknown option (not shown: it may be personal data). Did you mean '--name'?"
        " (see 'complaintcore receive --help')\n",
        id="en-pinyin",
    ),
    # a typo of an option's name is still named
    pytest.param(
        en,
        ("list", "--limt", "3"),
        "error: No such option '--limt'. (Did you mean one of: '--limit', '--site'?)"
        " (see 'complaintcore list --help')\n",
        id="en-typo",
    ),
    pytest.param(
        zh,
        ("list", "--limt", "3"),
        "错误：没有选项 '--limt'。（您是否想用以下之一：'--limit'、'--site'？）"
        "（参见 complaintcore list --help）\n",
        id="zh-typo",
    ),
)


@pytest.mark.procedure("PRV-1")
@pytest.mark.parametrize(("run", "args", "told"), GLUED)
def test_an_option_with_its_value_glued_on_is_not_quoted(
    desk: Path, run: Callable[..., Result], args: tuple[str, ...], told: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == told
    result = run(*args, "--json")
    assert result.exit_code == 2
    message = json.loads(result.stdout)["error"]["message"]
    assert message, result.stdout
    assert message in told, message
    for value in ("张伟", "3-2-1201", "漏水严重", "wang"):
        assert value not in message


@pytest.mark.procedure("PRV-1")
def test_without_a_translator_a_glued_value_is_not_quoted_either() -> None:
    """click's own message (used before the language is known) quotes the token."""
    import click

    from complaintcore.cli.errors import one_line

    glued = click.exceptions.NoSuchOption("--name张伟", possibilities=["--name"])
    assert one_line(glued) == (
        "unknown option (not shown: it may be personal data). Did you mean '--name'?"
    )
    typo = click.exceptions.NoSuchOption("--limt", possibilities=["--site", "--limit"])
    assert one_line(typo) == (
        "No such option '--limt'. (Did you mean one of: '--limit', '--site'?)"
    )


# --------------------------------------------------------------------------- F03


@pytest.mark.parametrize(
    ("dsn", "schema", "command"),
    [
        (  # a unix socket and a port, given as parameters: kept
            "postgresql:///complaints?host=/var/run/postgresql&port=5433&user=heir&password=x",
            "cc",
            "postgresql:///complaints?host=/var/run/postgresql&port=5433&schema=cc",
        ),
        (
            "postgresql://heir:pa/ss?@db.example:5432/complaints?sslmode=require",
            "complaintcore",
            "postgresql://db.example:5432/complaints?sslmode=require",
        ),
        (
            "postgresql://heir@/complaints?host=127.0.0.1&sslpassword=k&port=6543",
            "acme",
            "postgresql:///complaints?host=127.0.0.1&port=6543&schema=acme",
        ),
    ],
)
def test_the_refusals_command_keeps_every_parameter_but_the_credentials(
    dsn: str, schema: str, command: str
) -> None:
    assert _command_url(dsn, schema) == command


def _socket_style(url: str) -> tuple[str, str]:
    """``postgresql://user@host:port/db`` written with host, port and user as
    parameters, and the command's URL a superuser is told to run (written by hand)."""
    user, _, place = url.partition("://")[2].partition("@")
    hostport, _, db = place.partition("/")
    host, _, port = hostport.partition(":")
    return (
        f"postgresql:///{db}?host={host}&port={port}&user={user}&password={SECRET}",
        f"postgresql://SUPERUSER@/{db}?host={host}&port={port}",
    )


def test_the_new_owners_refusal_names_the_same_server_given_as_parameters(
    heir: tuple[str, str, str], schema: str
) -> None:
    url, first, _cid = heir
    dsn, superuser = _socket_style(url)
    db = url.rpartition("/")[2]
    with pytest.raises(SchemaVersionError) as refused:
        upgrade_schema(dsn, schema=schema)
    assert str(refused.value) == (
        f"complaint database postgresql:///{db}?schema={schema}"
        f": has schema version {REKEY - 1}, but this complaintcore needs {SCHEMA_VERSION},"
        " and this database role owns the tables but does not see every tenant"
        f" (row-level security on tenants: version 19's policy owner_counts names {first});"
        " run the upgrade as a superuser or as a role that policy names:"
        f" complaintcore migrate --upgrade {superuser}&schema={schema}"
    )


# --------------------------------------------------------------------------- F04


def test_an_unknown_site_lists_the_sites_with_the_chinese_list_comma(desk: Path) -> None:
    """The desk set up by ``init`` lists sunrise and riverside (its staff's sites)."""
    result = zh("list", "--site", "nope")
    assert result.exit_code == 1, result.output
    assert result.stderr == "错误：--site：未知的项目；应为以下之一：riverside、sunrise\n"
    result = zh(
        "receive", "--name", "王小明", "--phone", "13812345678", "--room", "1-1-101",
        "--site", "nope", "--summary", "漏水", "--receiver", "SR-103",
    )  # fmt: skip
    assert result.exit_code == 1, result.output
    assert result.stderr == "错误：site：未知的项目；应为以下之一：riverside、sunrise\n"
    result = en("list", "--site", "nope")  # English as the library words it
    assert result.stderr == "error: --site: unknown site; expected one of riverside, sunrise\n"


def test_an_unknown_pack_lists_the_shipped_packs_with_the_chinese_list_comma(
    desk: Path,
) -> None:
    result = zh("packs", "show", "nope")
    assert result.exit_code == 3, result.output
    assert result.stderr == (
        "错误：名称：没有名为 'n***' 的内置规则包；内置：cn-property、cn-sales-office、"
        "cn-service-centre、iso-10002、scotland-spso、uk-housing-ombudsman-2024\n"
    )
    result = en("packs", "show", "nope")
    assert result.stderr == (
        "error: NAME: no shipped rule pack 'n***'; shipped: cn-property, cn-sales-office,"
        " cn-service-centre, iso-10002, scotland-spso, uk-housing-ombudsman-2024\n"
    )


def test_the_library_s_lists_of_names_read_with_the_chinese_list_comma() -> None:
    from complaintcore.i18n import translator

    zh_ = translator("zh")
    assert zh_.reason("unknown parameter; the pack declares: a, b") == (
        "未知参数；该规则包声明的参数：a、b"
    )
    assert zh_.reason("no catalog; expected one of en, zh") == (
        "没有该语言的消息目录；应为以下之一：en、zh"
    )
    assert translator("en").reason("no catalog; expected one of en, zh") == (
        "no catalog; expected one of en, zh"
    )


def test_two_roles_in_the_policy_are_listed_with_the_chinese_list_comma(
    heir: tuple[str, str, str], postgres_server: PgDatabase, schema: str
) -> None:
    url, first, _cid = heir
    with psycopg.connect(postgres_server.dsn, autocommit=True) as conn:
        conn.execute(f"ALTER POLICY owner_counts ON {schema}.tenants TO {first}, pg_monitor")
    result = zh("migrate", "--upgrade", f"{url}?schema={schema}")
    assert result.exit_code == 5, result.output
    assert f"版本 19 的策略 owner_counts 指定的是 {first}、pg_monitor）" in result.stderr, (
        result.stderr
    )
    result = en("migrate", "--upgrade", f"{url}?schema={schema}")
    assert f"owner_counts names {first}, pg_monitor);" in result.stderr, result.stderr
