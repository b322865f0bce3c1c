"""Build the notification channels from a plain mapping (a TOML table, a dict).

Hosts keep channel settings in configuration, not code; every mistake is
reported with the key path that holds it (``webhooks[1].format``), and secrets
can come from the environment (``password_env``, ``secret_env``) rather than
sit in a file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from complaintcore.adapters.notify.log import LogNotifier
from complaintcore.core.errors import InvalidInputError
from complaintcore.desk.config import unknown_key
from complaintcore.desk.ports import Notifier

__all__ = ["notifiers_from_config"]

_TOP = ("log", "email", "webhooks")
_LOG = ("logger_name", "level", "name")
_EMAIL = (
    "host",
    "port",
    "sender",
    "username",
    "password",
    "password_env",
    "starttls",
    "implicit_tls",
    "timeout",
    "total_timeout",
    "message_id_domain",
    "name",
)
_WEBHOOK = (
    "url",
    "per_recipient",
    "format",
    "msgtype",
    "timeout",
    "reply_timeout",
    "group",
    "secret",
    "secret_env",
    "name",
    "redact",
    "headers",
)


def _table(value: object, path: str, allowed: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidInputError(path or "config", "expected a table (mapping)")
    for key in value:
        if key not in allowed:
            raise unknown_key(f"{path}.{key}" if path else str(key), allowed)
    return dict(value)


def _from_env(table: dict[str, Any], key: str, path: str, environ: Mapping[str, str]) -> None:
    """Replace ``<key>_env`` (an environment variable's name) by that variable's value."""
    env_key = f"{key}_env"
    if env_key not in table:
        return
    if key in table:
        raise InvalidInputError(f"{path}.{env_key}", f"give {key} or {env_key}, not both")
    variable = table.pop(env_key)
    if not isinstance(variable, str) or not variable:
        raise InvalidInputError(f"{path}.{env_key}", "expected an environment variable name")
    if variable not in environ:
        raise InvalidInputError(f"{path}.{env_key}", f"environment variable {variable} is not set")
    table[key] = environ[variable]


def _build(path: str, factory: Callable[..., Notifier], *args: Any, **kwargs: Any) -> Notifier:
    """Call a constructor, prefixing its error's parameter with the key path."""
    try:
        return factory(*args, **kwargs)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{path}.{exc.path}", exc.reason) from None


def _log_notifier(value: object) -> Notifier | None:
    if value is False:
        return None
    if value is True:
        return LogNotifier()
    table = _table(value, "log", _LOG)
    level = table.get("level", logging.INFO)
    if isinstance(level, str):
        number = logging.getLevelNamesMapping().get(level.upper())
        if number is None:
            raise InvalidInputError("log.level", "expected a level name such as INFO or DEBUG")
        table["level"] = number
    return _build("log", LogNotifier, **table)


def notifiers_from_config(
    config: Mapping[str, Any],
    *,
    environ: Mapping[str, str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> list[Notifier]:
    """The notifiers a configuration asks for, log first.

    ``{"log": true | false | {logger_name, level, name},
    "email": {host, port, sender, username, password | password_env, starttls,
    implicit_tls, timeout, total_timeout, message_id_domain, name},
    "webhooks": [{url | per_recipient, format, msgtype, timeout, reply_timeout,
    group, secret | secret_env, name, redact, headers}, ...]}``.  The log channel is
    on unless ``"log": false``.

    :param environ: where ``*_env`` keys are looked up (default ``os.environ``).
    :param clock: handed to webhooks for DingTalk timestamps (tests).
    :raises InvalidInputError: ``.path`` is the bad key (``webhooks[0].url``),
        including a notifier name used twice (the outbox routes by name).
    """
    env = os.environ if environ is None else environ
    top = _table(config, "", _TOP)
    result: list[Notifier] = []
    paths: list[str] = []
    log = _log_notifier(top.get("log", True))
    if log is not None:
        result.append(log)
        paths.append("log")
    if "email" in top:
        table = _table(top["email"], "email", _EMAIL)
        _from_env(table, "password", "email", env)
        for required in ("host", "sender"):
            if required not in table:
                raise InvalidInputError(f"email.{required}", "required")
        from complaintcore.adapters.notify.smtp import SmtpNotifier  # only when configured

        result.append(_build("email", SmtpNotifier, table.pop("host"), **table))
        paths.append("email")
    hooks = top.get("webhooks", [])
    if not isinstance(hooks, list | tuple):
        raise InvalidInputError("webhooks", "expected a list of tables")
    for index, item in enumerate(hooks):
        path = f"webhooks[{index}]"
        table = _table(item, path, _WEBHOOK)
        _from_env(table, "secret", path, env)
        per_recipient = table.pop("per_recipient", False)
        if not isinstance(per_recipient, bool):
            raise InvalidInputError(f"{path}.per_recipient", "expected true or false")
        if per_recipient == ("url" in table):
            raise InvalidInputError(
                f"{path}.url",
                "give url, or per_recipient = true to use each recipient's own webhook (not both)",
            )
        from complaintcore.adapters.notify.webhook import WebhookNotifier  # only when configured

        result.append(_build(path, WebhookNotifier, table.pop("url", None), clock=clock, **table))
        paths.append(path)
    seen: dict[str, str] = {}
    for path, notifier in zip(paths, result, strict=True):
        if notifier.name in seen:
            raise InvalidInputError(
                f"{path}.name",
                f"notifier name {notifier.name!r} is already used by {seen[notifier.name]}",
            )
        seen[notifier.name] = path
    return result
