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
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from complaintcore.i18n import Translator

__all__ = ["cli_logging", "quiet_drivers", "show_log_channels"]


class _CommandLineLines(logging.Handler):
    def __init__(self, json_run: bool, t: Translator | None = None) -> None:
        super().__init__()
        self.json_run = json_run
        self.t = t  # the run's language, for sends in other threads too
        self.levels: dict[logging.Logger, int] = {}  # loggers opened, and their own levels
        self.quieted: list[logging.Logger] = []  # drivers kept off standard error

    def emit(self, record: logging.LogRecord) -> None:
        if logging.lastResort is None:
            return
        delivery = hasattr(record, "notification_key")
        if delivery or (not self.json_run and record.levelno >= logging.WARNING):
            logging.lastResort.handle(record if self.t is None else _worded(record, self.t))


GAVE_UP = (
    "notification %s via %s failed %d times and is no longer tried"
    " (a dead letter: complaintcore outbox list)"
)
GAVE_UP_AT_ONCE = (
    "notification %s via %s given up at once after %d attempt%s and no longer"
    " tried, as no retry can mend it (%s) (a dead letter: complaintcore outbox list)"
)
WILL_RETRY = "notification %s via %s failed; retry in %s"
"""The desk's lines about a failed send (``Desk``'s delivery), as it logs them: the
command line words them in the reader's language (review s52R6 F02).  A test checks
they are the desk's own; one reworded there is shown as the desk logs it."""


def _worded(record: logging.LogRecord, t: Translator) -> logging.LogRecord:
    """A failed send's line in ``t``'s language (the channel's own reason, stored
    with the message, stays as it was given); any other line as it is."""
    args = record.args if isinstance(record.args, tuple) else ()
    if record.msg == GAVE_UP and len(args) == 3:
        key, via, count = args
        text = t.n(
            "notification {key} via {via} failed {count} time and is no longer tried"
            " (a dead letter: complaintcore outbox list)",
            "notification {key} via {via} failed {count} times and is no longer tried"
            " (a dead letter: complaintcore outbox list)",
            int(str(count)),
            key=key,
            via=via,
        )
    elif record.msg == GAVE_UP_AT_ONCE and len(args) == 5:
        key, via, count, _s, reason = args
        text = t.n(
            "notification {key} via {via} given up at once after {count} attempt and no"
            " longer tried, as no retry can mend it ({reason}) (a dead letter:"
            " complaintcore outbox list)",
            "notification {key} via {via} given up at once after {count} attempts and no"
            " longer tried, as no retry can mend it ({reason}) (a dead letter:"
            " complaintcore outbox list)",
            int(str(count)),
            key=key,
            via=via,
            reason=reason,
        )
    elif record.msg == WILL_RETRY and len(args) == 3:
        key, via, delay = args
        text = t("notification {key} via {via} failed; retry in {delay}", key=key, via=via,
                 delay=delay)  # fmt: skip
    else:
        return record
    worded = logging.makeLogRecord(record.__dict__)
    worded.msg, worded.args = text, None
    return worded


_ACTIVE: ContextVar[_CommandLineLines | None] = ContextVar("complaintcore_cli_lines", default=None)


def _configured() -> bool:
    return bool(logging.getLogger().handlers or logging.getLogger("complaintcore").handlers)


@contextlib.contextmanager
def cli_logging(json_run: bool, t: Translator | None = None) -> Iterator[None]:
    """For one command: the lines described above (the desk's own about a failed
    send in ``t``'s language), undone when it ends."""
    if _configured():
        yield
        return
    lines = _CommandLineLines(json_run, t)
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
