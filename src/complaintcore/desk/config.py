"""Desk configuration: where things are, read from a TOML file or a mapping."""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, cast, get_args

import attrs

from complaintcore import _toml as toml
from complaintcore.core.errors import InvalidInputError
from complaintcore.core.limits import DEFAULT_LENGTHS, TextLimits
from complaintcore.desk.ports import DEFAULT_TENANT, check_tenant
from complaintcore.desk.urls import endpoint_shown

__all__ = [
    "DeliveryPolicy",
    "DeskConfig",
    "RetryPolicy",
    "SqlitePolicy",
    "Synchronous",
    "check_synchronous",
    "load_config",
    "unknown_key",
]

_TOP_KEYS = (
    "database",
    "tenant",
    "pack",
    "pack_parameters",
    "staff_file",
    "notifiers",
    "retry",
    "languages",
    "plugins",
    "sites",
    "limits",
    "delivery",
    "sqlite",
)
_RETRY_KEYS = ("first_delay_seconds", "max_delay_seconds", "max_attempts")
_DELIVERY_KEYS = ("timeout_seconds", "threads", "wait_seconds")
_LIMIT_KEYS = ("default", "id_length", "max_items")
_SQLITE_KEYS = ("synchronous",)


def unknown_key(path: str, known: tuple[str, ...]) -> InvalidInputError:
    """The error for a key nobody reads: a typo would otherwise be silently ignored.

    Names the key and the closest known one (``databse: unknown key; did you
    mean 'database'?``), or lists the known keys when none is close.
    """
    key = path.rsplit(".", 1)[-1]
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return InvalidInputError(path, f"unknown key; did you mean {close[0]!r}?")
    allowed = ", ".join(known)
    if "." not in path and "plugins" in known:  # 0.1.0 kept unknown keys for plugins
        return InvalidInputError(
            path,
            f"unknown key; expected one of {allowed}"
            f"; a host's or plugin's own setting goes in the [plugins] table",
        )
    return InvalidInputError(path, f"unknown key; expected one of {allowed}")


_MAX_DELAY = 366 * 24 * 3600
_MAX_ATTEMPTS = 1_000_000


def _bounded(most: int) -> Callable[[object, attrs.Attribute[int], int], None]:
    def check(_inst: object, attribute: attrs.Attribute[int], value: int) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= most:
            raise InvalidInputError(
                f"retry.{attribute.name}", f"must be an integer from 1 to {most}"
            )

    return check


@attrs.frozen
class RetryPolicy:
    """How notifications are retried: exponential backoff, capped.

    Delays are at most a year and attempts at most a million: beyond that a
    message is better dropped by a person (``complaintcore outbox``).
    """

    first_delay_seconds: int = attrs.field(default=30, validator=_bounded(_MAX_DELAY))
    max_delay_seconds: int = attrs.field(default=3600, validator=_bounded(_MAX_DELAY))
    max_attempts: int = attrs.field(default=20, validator=_bounded(_MAX_ATTEMPTS))

    def delay(self, attempts: int) -> int:
        """Seconds to wait before attempt ``attempts + 1``."""
        doublings = min(max(attempts - 1, 0), 40)  # past 2**40 the cap has long applied
        return int(min(self.first_delay_seconds * 2**doublings, self.max_delay_seconds))


def _seconds(most: float) -> Callable[[object, attrs.Attribute[float], float], None]:
    def check(_inst: object, attribute: attrs.Attribute[float], value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= most:
            raise InvalidInputError(
                f"delivery.{attribute.name}",
                f"must be a number of seconds above 0, at most {most:g}",
            )

    return check


def _threads(_inst: object, _attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 256:
        raise InvalidInputError("delivery.threads", "must be an integer from 1 to 256")


@attrs.frozen
class DeliveryPolicy:
    """How the outbox is sent (``[delivery]``): off the intake path, each send bounded.

    ``timeout_seconds`` bounds one send (a slower one is retried later with the
    same dedupe key); ``threads`` bounds how many sends run at once; the
    command line waits at most ``wait_seconds`` after a command for its
    messages to go out, leaving the rest to ``complaintcore deliver``.
    """

    timeout_seconds: float = attrs.field(default=10.0, validator=_seconds(3600))
    threads: int = attrs.field(default=4, validator=_threads)
    wait_seconds: float = attrs.field(default=10.0, validator=_seconds(3600))


Synchronous = Literal["full", "normal"]
"""How a SQLite store's commits reach the disk (``PRAGMA synchronous`` in WAL mode):
``"full"`` syncs the WAL at every commit, so a power cut loses nothing committed;
``"normal"`` syncs it only at checkpoints, so a power cut can take back every
commit since the last one (never corrupting the file)."""

_SYNCHRONOUS: tuple[str, ...] = get_args(Synchronous)


def check_synchronous(value: object, path: str) -> Synchronous:
    """``value`` as a :data:`Synchronous` setting, or an error naming ``path``.

    :raises InvalidInputError: anything but ``"full"`` or ``"normal"`` (SQLite's
        ``OFF`` can corrupt the file at a power cut; ``EXTRA`` adds nothing in WAL mode).
    """
    if isinstance(value, str) and value in _SYNCHRONOUS:
        return cast(Synchronous, value)
    raise InvalidInputError(path, "must be 'full' or 'normal'")  # i18n: LIBRARY_REASONS


def _synchronous(_inst: object, _attribute: object, value: object) -> None:
    check_synchronous(value, "sqlite.synchronous")


@attrs.frozen
class SqlitePolicy:
    """How the built-in SQLite store writes (``[sqlite]``; read only when
    ``database`` is a SQLite file).

    ``synchronous`` is ``"full"`` (the default: each commit is on disk before
    the call that made it returns, so a power cut loses nothing a caller was
    told was stored) or ``"normal"`` (for a host that trades that for speed,
    such as a bulk import: a power cut can take back every commit since the
    last checkpoint, up to about 80 MB of writes, though never corrupt the
    file; a crash of the process alone loses nothing either way).
    """

    synchronous: Synchronous = attrs.field(default="full", validator=_synchronous)


def _table(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(path, "must be a table")
    return value


def _tenant_name(_instance: object, _attribute: object, value: object) -> None:
    check_tenant(value)


def _notifiers_table(value: Mapping[str, object]) -> Mapping[str, Any]:
    return _table(value, "notifiers")


def _plugins_table(value: Mapping[str, object]) -> Mapping[str, Any]:
    return _table(value, "plugins")


_SECRET_KEYS = frozenset({"password", "secret", "access_token", "token"})
_URL_KEYS = frozenset({"url"})


def _hidden(value: object, key: str = "") -> object:
    """A notifier table fit for a repr: secrets starred, URLs as their scheme, host
    and port only (robot tokens live in the query or the path), header values
    starred (review s41A F06, s50P F02)."""
    if key in _SECRET_KEYS and value:
        return "***"
    if key == "headers" and isinstance(value, Mapping):
        return dict.fromkeys(value, "***")
    if key in _URL_KEYS and isinstance(value, str):
        return endpoint_shown(value)  # a webhook's token may be in its path (s50P F02)
    if isinstance(value, Mapping):
        return {k: _hidden(v, str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_hidden(v) for v in value]
    return value


def _url_shown(url: str) -> str:
    """A URL with its login and query replaced by ``***``; a file path as it is.  The
    login ends at the last ``@``: a password may hold ``?`` or ``/`` (libpq reads
    them there; review s41G F04), and an ``@`` in a query hides more, not less."""
    scheme, found, rest = url.partition("://")
    if not found:
        return url
    _login, at, rest = rest.rpartition("@")
    head, sep, _query = rest.partition("?")
    shown = f"{scheme}://{'***@' if at else ''}{head}"
    return f"{shown}?***" if sep else shown


def _notifiers_repr(value: Mapping[str, Any]) -> str:
    return repr(_hidden(value))


def _plugins_repr(value: Mapping[str, Any]) -> str:
    """The host's own tables may hold its secrets: their names only."""
    return f"<tables: {', '.join(map(str, value)) or 'none'}>"


def _parameters_table(value: Mapping[str, str]) -> Mapping[str, str]:
    table = _table(value, "pack_parameters")
    for key, text in table.items():
        if not isinstance(text, str):
            raise InvalidInputError(f"pack_parameters.{key}", "must be a string, e.g. '10d'")
    return dict(table)


@attrs.frozen
class DeskConfig:
    """Everything the built-in adapters need; hosts' plugins may read it too.

    ``database`` is a SQLite file, ``":memory:"`` for the in-memory store, or a
    ``postgresql://`` URL for the PostgreSQL store (the ``postgres`` extra; leave
    the password out and let libpq find it in ``PGPASSWORD`` or ``~/.pgpass``).
    ``tenant`` is the company or estate group whose desk this is: one database
    can keep many, each confined to its own complaints and messages.
    ``staff_file`` is a TOML or CSV staff directory; without one no actor is
    known and every command is refused (a host plugs its own directory in).
    ``languages`` are the languages notifications are written in, in order
    (``["zh", "en"]``: Chinese, then English); each needs a message catalog.
    Left out (empty), the pack's own (``languages`` in the pack: English for the
    UK and Scottish packs), else Chinese, then English.
    ``plugins`` is the ``[plugins]`` table, the one place for settings of the
    host and its plugins (``[plugins.billing]``): complaintcore never reads it,
    so it is the only table whose keys are not checked.
    ``pack_parameters`` set a pack template's values (``respond = "15d"`` for
    ``iso-10002``); the pack checks the names.  ``sites`` lists site codes intake
    accepts besides those of the staff directory (any other is refused);
    ``[limits]`` sets maximum lengths of typed fields (a ``TextLimits``);
    ``[delivery]`` how the outbox is sent (a ``DeliveryPolicy``); ``[sqlite]``
    how a SQLite store's commits reach the disk (a ``SqlitePolicy``).
    ``create_database`` says whether the built-in store may create a SQLite file
    (or PostgreSQL schema) that does not exist: true (the default) for a desk
    made in code, false for one that was set up already, where a missing file or
    schema is a ``StoreError`` rather than a new empty database.  It is not read
    from the file; the command line sets it false for every command but ``init``
    (and ``demo``).
    """

    database: str = attrs.field(
        default="complaintcore.sqlite3", repr=lambda url: repr(_url_shown(url))
    )
    tenant: str = attrs.field(default=DEFAULT_TENANT, validator=_tenant_name)
    pack: str = "cn-property"
    staff_file: str | None = None
    notifiers: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_notifiers_table, repr=_notifiers_repr
    )
    retry: RetryPolicy = RetryPolicy()
    languages: tuple[str, ...] = ()
    base_dir: str = "."
    plugins: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_plugins_table, repr=_plugins_repr
    )
    pack_parameters: Mapping[str, str] = attrs.field(factory=dict, converter=_parameters_table)
    sites: tuple[str, ...] = ()
    limits: TextLimits = attrs.field(factory=TextLimits)
    delivery: DeliveryPolicy = attrs.field(factory=DeliveryPolicy)
    sqlite: SqlitePolicy = attrs.field(factory=SqlitePolicy)
    create_database: bool = True

    @property
    def extra(self) -> Mapping[str, Any]:
        """The ``[plugins]`` table under its 0.1.0 name.

        0.1.0 kept here every key it did not know, ``tenant`` among them (its
        hooks.md showed a plugin choosing its store by ``config.extra["tenant"]``):
        a ``tenant`` set at the top and not in ``[plugins]`` is here too, so a
        plugin written for 0.1.0 still finds it after the upgrade (review s34A F01).
        """
        if self.tenant != DEFAULT_TENANT and "tenant" not in self.plugins:
            return {**self.plugins, "tenant": self.tenant}
        return self.plugins

    def resolve(self, path: str) -> str:
        """Paths in a config file are relative to the file (a server URL stays as it is)."""
        if path == ":memory:" or os.path.isabs(path) or "://" in path:
            return path
        return str(Path(self.base_dir) / path)

    def pack_source(self) -> str:
        """``pack`` as :func:`~complaintcore.rules.load_pack` takes it: a shipped pack's
        name as it is, a pack file relative to the config file (whatever directory
        the command runs in)."""
        looks_like_file = self.pack.endswith(".toml") or "/" in self.pack
        return self.resolve(self.pack) if looks_like_file else self.pack

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, base_dir: str = ".") -> DeskConfig:
        """Read the tables of ``complaintcore.toml``; a key nobody reads is an error.

        :raises InvalidInputError: ``.path`` is the bad key (``retry.max_attemps``);
            an unknown key's message names the closest known key; ``data`` when it
            is not a mapping, ``base_dir`` when it is not a path.
        """
        if not isinstance(data, Mapping):
            raise InvalidInputError(
                "data", f"expected a mapping (the tables of a config), got {type(data).__name__}"
            )
        if not isinstance(base_dir, str | os.PathLike):
            raise InvalidInputError("base_dir", f"expected a path, got {type(base_dir).__name__}")
        for key in data:
            if key not in _TOP_KEYS:
                raise unknown_key(str(key), _TOP_KEYS)
        for key in ("database", "tenant", "pack"):
            if key in data and not isinstance(data[key], str):
                raise InvalidInputError(key, "must be a string")
        staff = data.get("staff_file")
        if staff is not None and not isinstance(staff, str):
            raise InvalidInputError("staff_file", "must be a string")
        languages = data.get("languages", None)
        if languages is not None and (
            isinstance(languages, str)
            or not isinstance(languages, list | tuple)
            or not languages
            or not all(isinstance(x, str) for x in languages)
        ):
            raise InvalidInputError("languages", "must be a non-empty list of language codes")
        retry_data = data.get("retry", {})
        if not isinstance(retry_data, Mapping):
            raise InvalidInputError("retry", "must be a table")
        for key in retry_data:
            if key not in _RETRY_KEYS:
                raise unknown_key(f"retry.{key}", _RETRY_KEYS)
        sites = data.get("sites", [])
        if not isinstance(sites, list) or not all(isinstance(x, str) and x.strip() for x in sites):
            raise InvalidInputError("sites", "must be a list of site codes")
        limits = _table(data.get("limits", {}), "limits")
        lengths = {k: v for k, v in limits.items() if k not in _LIMIT_KEYS}
        known_limits = {k: v for k, v in limits.items() if k in _LIMIT_KEYS}
        delivery = _table(data.get("delivery", {}), "delivery")
        for key in delivery:
            if key not in _DELIVERY_KEYS:
                raise unknown_key(f"delivery.{key}", _DELIVERY_KEYS)
        sqlite = _table(data.get("sqlite", {}), "sqlite")
        for key in sqlite:
            if key not in _SQLITE_KEYS:
                raise unknown_key(f"sqlite.{key}", _SQLITE_KEYS)
        for key in lengths:
            if key not in DEFAULT_LENGTHS:
                raise unknown_key(f"limits.{key}", (*_LIMIT_KEYS, *DEFAULT_LENGTHS))
        return cls(
            database=data.get("database", "complaintcore.sqlite3"),
            tenant=data.get("tenant", DEFAULT_TENANT),
            pack=data.get("pack", "cn-property"),
            staff_file=staff,
            notifiers=data.get("notifiers", {}),
            retry=RetryPolicy(**retry_data),
            languages=tuple(languages or ()),
            base_dir=base_dir,
            plugins=data.get("plugins", {}),
            pack_parameters=data.get("pack_parameters", {}),
            sites=tuple(x.strip() for x in sites),
            limits=TextLimits(lengths=lengths, **known_limits),
            delivery=DeliveryPolicy(**delivery),
            sqlite=SqlitePolicy(**sqlite),
        )


def load_config(path: str | os.PathLike[str]) -> DeskConfig:
    """Read ``complaintcore.toml``; errors name the file and the key.

    :raises InvalidInputError: ``path`` is not a path, the file is missing or
        cannot be read (a directory), or a key is bad (``complaintcore.toml:retry``).
    """
    if not isinstance(path, str | os.PathLike):
        raise InvalidInputError("path", f"expected a file path, got {type(path).__name__}")
    p = Path(path)
    try:
        data = toml.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidInputError("config", f"no config file at {p}") from None
    except OSError as exc:  # a directory, no permission
        raise InvalidInputError("config", f"{p}: cannot be read ({exc.strerror})") from None
    except toml.TomlError as exc:
        # worded as the staff file's and a rule pack's (review s49C F03)
        raise InvalidInputError("config", f"{p}: not valid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise InvalidInputError("config", f"{p}: not UTF-8 text (byte {exc.start + 1})") from None
    try:
        return DeskConfig.from_mapping(data, base_dir=str(p.parent))
    except InvalidInputError as exc:
        raise InvalidInputError(f"{p.name}:{exc.path}", exc.reason) from None
