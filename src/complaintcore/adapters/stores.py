"""Which built-in store a ``database`` setting names, and opening it.

``":memory:"`` is the in-memory store, a ``postgresql://`` URL the PostgreSQL
store (the ``postgres`` extra), anything else a SQLite file -- except a URL of
another scheme or a libpq ``key=value`` string, which are refused rather than
taken for a file name (with the password in it).  The desk's built-in
``complaintcore_get_store`` and ``complaintcore migrate`` both open stores
through :func:`open_store`, so a setting means the same everywhere.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote_plus, urlencode, urlsplit

from complaintcore.adapters.chain import DEFAULT_TENANT
from complaintcore.core.errors import StoreError
from complaintcore.desk.config import Synchronous
from complaintcore.desk.ports import ComplaintStore

__all__ = [
    "describe_database",
    "is_postgres_url",
    "open_store",
    "postgres_dsn",
    "setting_without_password",
]

MEMORY = ":memory:"


# "scheme://", as in RFC 3986, read case-blind after surrounding blanks
_SCHEME = re.compile(r"\s*([A-Za-z][A-Za-z0-9+.-]*)://")
# Spellings of the PostgreSQL scheme libpq reads once written as "postgresql://";
# "+psycopg" and "+psycopg2" are SQLAlchemy's names for the same libpq URL.
_POSTGRES_SCHEMES = frozenset(
    f"{name}{driver}"
    for name in ("postgresql", "postgres")
    for driver in ("", "+psycopg", "+psycopg2")
)
# A libpq "key=value" connection string (host=db user=bob password=...), perhaps
# after the directory of the configuration file that a relative path is joined to
_CONNINFO = re.compile(
    r"(?:^|[\s/\\])(?:host|hostaddr|port|dbname|user|password|passfile|service|sslmode)\s*=",
    re.IGNORECASE,
)
_CONNINFO_SHOWN = re.compile(
    r"(?:^|[\s/\\])(host|hostaddr|port|dbname)\s*=\s*([^\s'=]+)", re.IGNORECASE
)


def _scheme(database: str) -> str | None:
    found = _SCHEME.match(database)
    return found.group(1).lower() if found else None


def is_postgres_url(database: str) -> bool:
    """Whether a ``database`` setting names a PostgreSQL server (``postgresql://…``).

    Case-blind and blind to surrounding blanks, as people write the URL.
    """
    return _scheme(database) in _POSTGRES_SCHEMES


def postgres_dsn(database: str) -> str:
    """The URL libpq reads for a PostgreSQL setting: trimmed, scheme ``postgresql://``."""
    rest = database.strip().partition("://")[2]
    return f"postgresql://{rest}"


def _is_conninfo(database: str) -> bool:
    return _scheme(database) is None and _CONNINFO.search(database) is not None


# What a text no reading above understood may still hold: a password given as a
# parameter (password=, PASSWORD =, pass%77ord=, in a query or not), or userinfo
# ("bob:secret@", after a scheme whose "//" went missing or none at all)
_PASSWORD_SETTING = re.compile(r"password\s*=", re.IGNORECASE)
_USERINFO = re.compile(r"[^\s/\\@:]*:[^\s/\\@]*@")
# In a SQLite file name, userinfo only where a connection text would have it: at
# the start of the name or of a path segment (a relative setting joined to the
# configuration's directory), as in "bob:secret@db/x" or "postgres:bob:secret@db"
# -- not "backup 10:30@estate.sqlite3" (review s53R13 F01)
_LEADING_USERINFO = re.compile(r"(?:^\s*|[/\\])[^\s/\\@:]*:[^\s/\\@]*@")
UNREADABLE = "(unreadable connection string)"


def _may_hold_a_secret(text: str, *, file_name: bool) -> bool:
    userinfo = _LEADING_USERINFO if file_name else _USERINFO
    decoded = unquote_plus(text)
    return any(
        pattern.search(t) for t in (text, decoded) for pattern in (_PASSWORD_SETTING, userinfo)
    )


def describe_database(database: str) -> str:
    """A ``database`` setting as errors and progress may show it: no user, no password.

    Any URL is shown as scheme, host and path; a libpq ``key=value`` string by
    its host, port and database name only; a SQLite file name as written.  Fails
    closed: whatever would be shown that still reads as a password setting
    (``password=`` in any case or percent-encoding) or as userinfo
    (``user:secret@``) is shown as ``(unreadable connection string)`` instead --
    in a SQLite file name, userinfo only at the start of the name or of a path
    segment (``bob:secret@db/x``, ``postgres:bob:secret@db/x``: a URL whose
    ``//`` went missing), so ``backup 10:30@estate.sqlite3`` is shown as written
    (review s53R13 F01).
    """
    shown = _described(database)
    file_name = _scheme(database) is None and not _is_conninfo(database)
    return UNREADABLE if _may_hold_a_secret(shown, file_name=file_name) else shown


def _described(database: str) -> str:
    scheme = _scheme(database)
    if scheme is None:
        if not _is_conninfo(database):
            return database
        shown = " ".join(f"{k.lower()}={v}" for k, v in _CONNINFO_SHOWN.findall(database))
        return shown or "(libpq connection string)"
    # Everything up to the last "@" is credentials, even a password with "/" or "?"
    rest = database.strip().partition("://")[2].rpartition("@")[2]
    try:
        parts = urlsplit(f"{scheme}://{rest}")
        where, path, query = parts.netloc, parts.path, parts.query
    except ValueError:  # such as an unclosed "[" of an IPv6 address
        where, path, query = "(unreadable host)", "", ""
    if not _readable_hosts(where):
        where = "(unreadable host)"
    if scheme not in _POSTGRES_SCHEMES:
        return f"{scheme}://{where}{path}"
    schema = [v for k, v in parse_qsl(query) if k == "schema"]
    return f"postgresql://{where}{path}" + (f"?schema={schema[-1]}" if schema else "")


def _readable_hosts(netloc: str) -> bool:
    """Whether each ``host[:port]`` of a URL's host part (libpq takes several,
    comma-separated) has a port of digits or none: ``bob:secret`` is userinfo whose
    ``@`` went missing, read as host and port, and must not be shown (review s53R15
    F02)."""
    for host in netloc.split(","):
        if host.startswith("["):  # an IPv6 address: "[::1]" or "[::1]:5432"
            host = host.partition("]")[2]
        port = host.rpartition(":")[2] if ":" in host else ""
        if port and not port.isdigit():
            return False
    return True


SECRET_PARAMETERS = frozenset({"password", "sslpassword"})
"""Parameters of a PostgreSQL URL the command line never repeats: the password, and
the passphrase of the SSL client key (review s53R15 F01)."""


def setting_without_password(database: str) -> str:
    """A ``database`` setting as the command line tells the operator to write it: a
    PostgreSQL URL keeps its user, host, database and options (the user is part of
    where the desk connects) but not its password, which libpq reads from
    ``PGPASSWORD`` or ``~/.pgpass``; anything else as :func:`describe_database`."""
    if not is_postgres_url(database):
        return describe_database(database)
    rest = database.strip().partition("://")[2]
    # Everything up to the last "@" is credentials, even a password with "/" or "?"
    credentials, at, where = rest.rpartition("@")
    user = credentials.partition(":")[0] if at else ""
    place, mark, query = where.partition("?")
    if not _readable_hosts(place.partition("/")[0]):
        return describe_database(database)
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(k in SECRET_PARAMETERS for k, _v in pairs):
        kept = [(k, v) for k, v in pairs if k not in SECRET_PARAMETERS]
        query = urlencode(kept, quote_via=quote)
        mark = "?" if query else ""
    return f"postgresql://{user + '@' if user else ''}{place}{mark}{query}"


def open_store(
    database: str,
    *,
    tenant: str = DEFAULT_TENANT,
    create_tenant: bool = False,
    create: bool = True,
    synchronous: Synchronous = "full",
) -> ComplaintStore:
    """The store ``database`` names, scoped to ``tenant``.

    :param create_tenant: register ``tenant`` in a database that keeps other
        tenants' desks (refused otherwise, as most likely the wrong database).
    :param create: make a SQLite file, or a PostgreSQL schema, that does not
        exist; with ``False`` a missing one is a :class:`StoreError` (a desk that
        was set up already).
    :param synchronous: how a SQLite file's commits reach the disk
        (:class:`~complaintcore.adapters.sqlite_store.SqliteStore`; ``[sqlite]
        synchronous`` of the configuration).  The in-memory store keeps nothing
        on disk, and PostgreSQL syncs as the server's ``synchronous_commit`` says
        (on, unless its administrator turned it off): neither reads it.
    :raises InvalidInputError: ``synchronous`` is neither ``"full"`` nor ``"normal"``.
    :raises StoreError: the database cannot be opened (one line, no password),
        a SQLite file or PostgreSQL schema is missing and ``create`` is false,
        PostgreSQL is asked for without the ``postgres`` extra installed, or
        ``database`` is a URL of another scheme or a libpq ``key=value`` string.
    :raises UnknownTenantError: the database keeps other tenants' desks, not this one.
    """
    if database == MEMORY:
        from complaintcore.adapters.memory_store import MemoryStore

        return MemoryStore(tenant=tenant)
    if is_postgres_url(database):
        try:
            from complaintcore.adapters.postgres_store import PostgresStore
        except ImportError:
            raise StoreError(
                describe_database(database),
                "needs the postgres extra: pip install 'complaintcore[postgres]'",
            ) from None
        return PostgresStore(
            postgres_dsn(database), tenant=tenant, create_tenant=create_tenant, create=create
        )
    if _scheme(database) is not None:
        raise StoreError(
            describe_database(database),
            "is neither a postgresql:// URL nor a SQLite file name",
        )
    if _is_conninfo(database):
        raise StoreError(
            describe_database(database),
            "is a libpq key=value string; write it as a postgresql:// URL",
        )
    from complaintcore.adapters.sqlite_store import SqliteStore

    return SqliteStore(
        database,
        tenant=tenant,
        create_tenant=create_tenant,
        create=create,
        synchronous=synchronous,
    )
