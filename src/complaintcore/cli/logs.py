"""Where the command line's log lines go when nothing else was set up to take them.

A ``log`` notification channel's line is a delivery: the outbox marks the message
delivered once it is written, so the line must reach standard error, at the
channel's level (INFO by default; DEBUG stays quiet), with or without ``--json``
(docs/cli.md).
The library's own lines (a failed send, a retry) reach it as Python would show
them (WARNING and above), except under ``--json``, where standard error holds
nothing else.  The PostgreSQL pool's warnings (a connection it discards after the
server ended its session) stay off: the command's one error line says what
happened (review s45C F03).  A host that configured logging keeps its own set-up.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterable, Iterator
from contextvars import ContextVar

__all__ = ["cli_logging", "quiet_drivers", "show_log_channels"]


class _CommandLineLines(logging.Handler):
    def __init__(self, json_run: bool) -> None:
        super().__init__()
        self.json_run = json_run
        self.levels: dict[logging.Logger, int] = {}  # loggers opened, and their own levels
        self.quieted: list[logging.Logger] = []  # drivers kept off standard error

    def emit(self, record: logging.LogRecord) -> None:
        if logging.lastResort is None:
            return
        delivery = hasattr(record, "notification_key")
        if delivery or (not self.json_run and record.levelno >= logging.WARNING):
            logging.lastResort.handle(record)


_ACTIVE: ContextVar[_CommandLineLines | None] = ContextVar("complaintcore_cli_lines", default=None)


def _configured() -> bool:
    return bool(logging.getLogger().handlers or logging.getLogger("complaintcore").handlers)


@contextlib.contextmanager
def cli_logging(json_run: bool) -> Iterator[None]:
    """For one command: the lines described above, undone when it ends."""
    if _configured():
        yield
        return
    lines = _CommandLineLines(json_run)
    package = logging.getLogger("complaintcore")
    package.addHandler(lines)
    _quiet_pool(lines)
    token = _ACTIVE.set(lines)
    try:
        yield
    finally:
        _ACTIVE.reset(token)
        package.removeHandler(lines)
        for logger in lines.quieted:
            logger.removeHandler(_DRIVERS_QUIET)
        for logger, level in lines.levels.items():
            logger.setLevel(level)
            if logger is not package:
                logger.removeHandler(lines)


def _quiet_pool(lines: _CommandLineLines) -> None:
    """The pool's logger at ERROR for the command, unless someone set it up: its
    "discarding closed connection" would be a second line beside the error."""
    pool = logging.getLogger(_POOL)
    if pool.handlers or pool.level != logging.NOTSET:
        return
    lines.levels[pool] = pool.level
    pool.setLevel(logging.ERROR)


_POOL = "psycopg.pool"
_DRIVERS_QUIET = logging.NullHandler()
_DRIVERS = ("psycopg",)  # psycopg_pool logs as psycopg.pool (_POOL)


def quiet_drivers() -> None:
    """An interrupted command closing: the database drivers' own lines (a pool
    closing a connection cut off mid-query, named with its host, port and user)
    are no news to the person who stopped it and stay off standard error.  The
    library's own warnings still show; a host's logging set-up is left alone."""
    lines = _ACTIVE.get()
    if lines is None:
        return
    for name in _DRIVERS:
        logger = logging.getLogger(name)
        if logger.handlers or logger in lines.quieted:
            continue  # set up by someone: their choice stands
        logger.addHandler(_DRIVERS_QUIET)  # a handler found: Python's last resort stays silent
        lines.quieted.append(logger)


def show_log_channels(notifiers: Iterable[object]) -> None:
    """Let the desk's ``log`` channels write at their level during this command."""
    from complaintcore.adapters.notify.log import LogNotifier

    lines = _ACTIVE.get()
    if lines is None:
        return
    package = logging.getLogger("complaintcore")
    for notifier in notifiers:
        if not isinstance(notifier, LogNotifier) or notifier.level < logging.INFO:
            continue  # a channel at DEBUG is one kept quiet until logging asks for it
        logger = notifier.logger
        if logger.isEnabledFor(notifier.level) or logger in lines.levels:
            continue
        if logger.handlers or logger.level != logging.NOTSET:
            continue  # the host set this channel's logger up: its choice stands
        lines.levels[logger] = logger.level
        logger.setLevel(notifier.level)
        if not (logger.name == package.name or logger.name.startswith(package.name + ".")):
            logger.addHandler(lines)  # a channel logging outside the package's loggers
