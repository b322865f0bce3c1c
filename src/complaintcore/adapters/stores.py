"""Which built-in store a ``database`` setting names, and opening it.

``":memory:"`` is the in-memory store, a ``postgresql://`` URL the PostgreSQL
store (the ``postgres`` extra), anything else a SQLite file.  The desk's
built-in ``complaintcore_get_store`` and ``complaintcore migrate`` both open
stores through :func:`open_store`, so a setting means the same everywhere.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from complaintcore.adapters.chain import DEFAULT_TENANT
from complaintcore.core.errors import StoreError
from complaintcore.desk.ports import ComplaintStore

__all__ = ["describe_database", "is_postgres_url", "open_store"]

MEMORY = ":memory:"


def is_postgres_url(database: str) -> bool:
    """Whether a ``database`` setting names a PostgreSQL server (``postgresql://…``)."""
    return database.startswith(("postgresql://", "postgres://"))


def describe_database(database: str) -> str:
    """A ``database`` setting as errors and progress may show it: no user, no password."""
    if not is_postgres_url(database):
        return database
    parts = urlsplit(database)
    where = parts.netloc.rpartition("@")[2]  # host:port, whatever the credentials
    schema = [v for k, v in parse_qsl(parts.query) if k == "schema"]
    return f"postgresql://{where}{parts.path}" + (f"?schema={schema[-1]}" if schema else "")


def open_store(
    database: str, *, tenant: str = DEFAULT_TENANT, create_tenant: bool = False
) -> ComplaintStore:
    """The store ``database`` names, scoped to ``tenant``.

    :param create_tenant: register ``tenant`` in a database that keeps other
        tenants' desks (refused otherwise, as most likely the wrong database).
    :raises StoreError: the database cannot be opened (one line, no password),
        or PostgreSQL is asked for without the ``postgres`` extra installed.
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
        return PostgresStore(database, tenant=tenant, create_tenant=create_tenant)
    from complaintcore.adapters.sqlite_store import SqliteStore

    return SqliteStore(database, tenant=tenant, create_tenant=create_tenant)
