"""What every command shares: the run context, option types, and output helpers."""

from __future__ import annotations

import io
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar
from zoneinfo import ZoneInfo

import attrs
import click
from rich.console import RenderableType
from rich.text import Text

from complaintcore.cli.errors import EnvironmentVariableError, ExitCode, NotFoundError
from complaintcore.cli.logs import show_log_channels
from complaintcore.cli.terminal import TerminalConsole
from complaintcore.core.errors import shown_value
from complaintcore.core.models import FIRST_YEAR as _FIRST_YEAR
from complaintcore.core.models import LAST_YEAR as _LAST_YEAR
from complaintcore.core.models import is_date_only
from complaintcore.i18n import N_, Translator, language_from_env, translator

if TYPE_CHECKING:
    from complaintcore.core.models import LabelledEnum
    from complaintcore.core.rulepack import RulePack
    from complaintcore.desk import Desk
    from complaintcore.desk.config import DeskConfig
    from complaintcore.desk.delivery import DeliveryWorker
    from complaintcore.desk.ports import StaffDirectory, StaffMember

__all__ = [
    "CURRENT",
    "NOW_VARIABLE",
    "Ctx",
    "DateTimeType",
    "LabelledChoice",
    "MonthType",
    "Streamed",
    "enum_choice",
    "json_option",
    "now_option",
    "parse_time",
    "pass_ctx",
    "readable_streams",
    "require_pack",
    "write_utf8",
    "year_range",
]

F = TypeVar("F", bound=Callable[..., Any])

NOW_VARIABLE = "COMPLAINTCORE_NOW"
"""The environment's form of ``--now`` (before the command), read by :meth:`Ctx.now`."""

FIRST_YEAR, LAST_YEAR = _FIRST_YEAR, _LAST_YEAR
"""Times the command line accepts, as the library does (``core.models.require_aware``)."""


class Ctx:
    """What every command needs: config path, language, console, the desk, --json."""

    def __init__(self, config: str, lang: str, now: datetime | None) -> None:
        self.config_path = config
        self.tr = translator(lang)
        self.lang = self.tr.lang
        self.lang_given = False
        """Whether ``--lang`` chose the language (``init`` puts it first for the desk)."""
        self.now_given = now
        self.now_from_env: str | None = None
        """``COMPLAINTCORE_NOW`` as set, read when a command first reads the clock."""
        self.json = False
        self.emitted = False
        # no markup or emoji codes: complaint texts are printed as typed
        self.out = TerminalConsole(highlight=False, soft_wrap=True, markup=False, emoji=False)
        self._desk: Desk | None = None
        self._pack: RulePack | None = None
        self._delivery: DeliveryWorker | None = None
        self.config: DeskConfig | None = None
        self.partial: Callable[[], dict[str, Any]] | None = None
        """What the command has done so far, as its result document: set by a
        command that commits as it goes (``receive --file``), so an error or a
        Ctrl-C part-way prints it under ``--json`` with the ``error`` member."""

    def t(self, message: str, /, **values: object) -> str:
        """``message`` (an English message id) in the run's language, fields filled in."""
        return self.tr(message, **values)

    def n(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        """The singular or plural message for ``count``, in the run's language."""
        return self.tr.n(singular, plural, count, **values)

    @property
    def report_lang(self) -> str:
        """The language of labels reports carry as data: ``zh`` or ``en``."""
        return "zh" if self.lang == "zh" else "en"

    def pack(self) -> RulePack | None:
        """The desk's rule pack (labels for codes) once the desk was opened, else None.

        Kept after the desk is closed: an error is reported after the command
        ended, and must still name rungs and departments by their labels.
        """
        return self._desk.pack if self._desk is not None else self._pack

    def code(self, kind: str, value: str, option: str) -> str:
        """F07: the pack's code of one kind (``rung``, ``department``, ``unit``,
        ``category``, ``clock``) that an option's value names -- the code, or its
        label as the tables show it (:meth:`RulePack.code_for`); ``""`` stays
        ``""``.  An unknown value is refused naming the option and listing the
        codes with their labels; the value itself only when it looks like a
        mistyped code (PRV-1: it may be a name or a phone)."""
        if not value:
            return value
        pack = self.desk().pack
        found = pack.code_for(kind, value)
        if found is not None:
            return found
        from complaintcore.cli.errors import with_labels
        from complaintcore.core.errors import InvalidInputError, shown_code

        labelled = pack.labels_of(kind)
        choices = with_labels(self.tr, ((c, self.tr.pick(zh, en)) for c, zh, en in labelled))
        shown = shown_code(value, (c for c, _zh, _en in labelled))
        if shown.startswith("'"):
            reason = self.t(
                "unknown {kind} {value} in rule pack {pack}; expected a code or its label: "
                "{choices}",
                kind=self.tr.field(kind),
                value=shown,
                pack=pack.name,
                choices=choices,
            )
        else:
            reason = self.t(
                "unknown {kind} in rule pack {pack}; expected a code or its label: {choices}",
                kind=self.tr.field(kind),
                pack=pack.name,
                choices=choices,
            )
        raise InvalidInputError(option, reason)

    # ------------------------------------------------------------------ the desk

    def desk(self) -> Desk:
        """The desk of ``--config``, opened once; closed when the command ends."""
        if self._desk is None:
            from complaintcore.desk import Desk
            from complaintcore.desk.config import load_config

            if not Path(self.config_path).is_file():
                raise NotFoundError(
                    "config",
                    self.t(
                        "{path} not found; run `complaintcore init` first", path=self.config_path
                    ),
                )
            # The desk was set up by `init`: a missing database is an error,
            # never a new empty one (a move, a restore, an unmounted volume).
            config = attrs.evolve(load_config(self.config_path), create_database=False)
            if config.staff_file is not None:
                staff = config.resolve(config.staff_file)
                if not Path(staff).exists():
                    raise NotFoundError("staff_file", self.t("no file at {path}", path=staff))
            require_pack(self, config.pack_source(), field="pack")
            self._desk = Desk.from_config(config)
            self.config = config
            show_log_channels(self._desk.notifiers.values())
        return self._desk

    def directory(self) -> StaffDirectory:
        """The desk's staff directory, its answers checked as the desk checks them: a
        plugin's wrong answer is one line naming the hook, never a traceback."""
        from complaintcore.desk.checked_directory import DIRECTORY_HOOK, CheckedDirectory

        return CheckedDirectory(self.desk().directory, DIRECTORY_HOOK)

    def dead_letter_warning(self, count: int) -> str:
        """The warning a sweep or a delivery gives while dead letters wait; printed
        on standard error unless ``--json``."""
        text = self.n(
            "{count} message could not be delivered and is no longer tried;"
            " 'complaintcore outbox list' shows it",
            "{count} messages could not be delivered and are no longer tried;"
            " 'complaintcore outbox list' shows them",
            count,
        )
        if not self.json:
            click.echo(self.t("warning: {text}", text=text), err=True)
        return text

    def check_identity(self, staff_id: str, complaint_id: str, command: str) -> None:
        """Refuse acting or viewing as someone the operating-system user is not.

        Only when the staff file ties staff to accounts (an ``os_user`` column
        filled in for someone): then ``--as`` and ``--actor`` must name the
        member whose ``os_user`` is the user running the command.  An id the
        staff file does not have (and the reserved ``system``) is left to the
        desk, which refuses it with its own reason (unknown staff id, reserved).
        """
        desk = self.desk()
        if not self._accounts_tied():
            return
        member = desk.member(staff_id)
        if member is None:
            # an id the staff file does not have, or the reserved ``system``: the
            # desk refuses it with the real reason, as without os_user (review s51D
            # R11-F02: "tied to another operating-system user" was false here)
            return
        user = os_user()
        if not member.os_user or member.os_user != user:
            from complaintcore.core.errors import AccessDeniedError

            raise AccessDeniedError(
                complaint_id,
                member.staff_id,
                command,
                # in the run's language (review s51R1 F02: it read in English)
                self.t("the staff file ties this staff id to another operating-system user"),
            )

    def _accounts_tied(self) -> bool:
        """Whether the staff file ties staff to operating-system accounts (``os_user``)."""
        return any(m.os_user for m in self.directory().members())

    def typist(self, command: str) -> StaffMember | None:
        """Who is at the keyboard: the member the staff file ties to the account
        running the command, when it ties staff to accounts (``None`` when it ties
        nobody).  An account it ties to nobody is refused, as ``--actor`` is: once
        the mapping is in use, only staff with an ``os_user`` work the command line.
        ``receive`` keeps them in the access log (review s51R1 F03)."""
        if not self._accounts_tied():
            return None
        user = os_user()
        for member in self.directory().members():
            if member.os_user and member.os_user == user:
                return member
        from complaintcore.core.errors import AccessDeniedError

        raise AccessDeniedError(
            "",
            "?",
            command,
            self.t("the staff file ties no staff id to this operating-system user"),
            path="os_user",
        )

    def deliver_after(self, code: ExitCode = ExitCode.OK) -> None:
        """Send what the command queued, off its path: a delivery thread gets at most
        ``[delivery] wait_seconds``; whatever is left stays in the outbox for
        ``complaintcore deliver`` (or the next command), with a warning.

        Called once the command's result is printed: its change is stored, so
        Ctrl-C during the wait ends it with ``code``, not "aborted" (which says
        to run it again: a second rung, a second complaint; review s38C F01).
        """
        desk = self.desk()
        if not desk.notifiers:
            return
        wait = self.config.delivery.wait_seconds if self.config is not None else 10.0
        try:
            # the desk's own worker: closing the desk stops it after the send in
            # flight, before the store is closed under it
            worker = self._delivery
            if worker is None:
                worker = self._delivery = desk.start_delivery(clock=self.now)
            finished = worker.wait_idle(wait)
        except KeyboardInterrupt:
            if not self.json:  # under --json the one document is already out
                click.echo(
                    self.t(
                        "interrupted while sending: the rest is left for 'complaintcore deliver'"
                    ),
                    err=True,
                )
            raise click.exceptions.Exit(int(code)) from None
        if not finished and not self.json:
            pending = self.t(
                "some notifications are still being sent; the rest wait in the outbox"
                " for 'complaintcore deliver'"
            )
            click.echo(self.t("warning: {text}", text=pending), err=True)

    def interrupted_after_commit(
        self, complaint_id: str, code: ExitCode = ExitCode.OK, *, while_committing: bool = False
    ) -> NoReturn:
        """Ends a ``receive`` or ``act`` whose change was committed when Ctrl-C (or
        SIGTERM) came while the host's listeners ran (``CommittedInterrupt``), called
        once its result is printed: ``code``, not "aborted" (which says to run it
        again: a second complaint), and no waiting for its notifications, which stay
        in the outbox (review s55R2 F03).  ``while_committing``: it came while the
        store committed the change, before any listener heard of it (review s55R8
        F01), and the line says so (review s56L1 F02b)."""
        if not self.json:  # under --json the one document is already out
            if while_committing:
                text = self.t(
                    "interrupted while the change was being committed: {id} is stored, so"
                    " do not run it again; plugins did not hear of it, and its"
                    " notifications are left for 'complaintcore deliver'",
                    id=complaint_id,
                )
            else:
                text = self.t(
                    "interrupted while plugins heard of the change: {id} is stored, so do"
                    " not run it again; its notifications are left for 'complaintcore deliver'",
                    id=complaint_id,
                )
            click.echo(text, err=True)
        raise click.exceptions.Exit(int(code))

    def calendar_notes(self, now: datetime, *instants: datetime | None) -> list[str]:
        """The calendar's warnings at ``now`` for deadlines at ``instants``
        (:meth:`Desk.calendar_warnings_at`); printed to stderr unless --json, in the
        reader's language (``--json`` keeps the library's English)."""
        notes = list(self.desk().calendar_warnings_at(now, *instants))
        if not self.json:
            for note in notes:
                click.echo(self.t("warning: {text}", text=self.tr.reason(note)), err=True)
        return notes

    def close(self) -> None:
        if self._desk is not None:
            self._pack = self._desk.pack
            self._desk.close()
            self._desk = None
            self._delivery = None

    # ------------------------------------------------------------------ time

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.desk().pack.calendar.timezone)

    def at(self, value: datetime) -> datetime:
        """A typed time, read in the rule pack's time zone when it has no offset."""
        return value if value.tzinfo else value.replace(tzinfo=self.zone())

    def now(self) -> datetime:
        if self.now_given is None and self.now_from_env is not None:
            # read here, not with the options: a command that reads no clock is not
            # refused by it, and a bad value is named as the variable it is (review
            # s57R6 F03)
            try:
                self.now_given = parse_time(self.now_from_env, self.tr)
            except ValueError as exc:
                raise EnvironmentVariableError(
                    NOW_VARIABLE, self.t(N_("{path}: {reason}"), path=NOW_VARIABLE, reason=exc)
                ) from None
        if self.now_given is not None:
            return self.at(self.now_given)
        return datetime.now(self.zone())  # the shell may read the clock; the core never does

    # ------------------------------------------------------------------ output

    def say(self, renderable: RenderableType) -> None:
        """Human output on standard output (text as typed, a table, a styled Text)."""
        self.out.print(renderable)

    def say_bold(self, text: str) -> None:
        self.out.print(Text(text, style="bold"))

    def emit(self, document: object) -> None:
        """The one JSON document of a ``--json`` run, in UTF-8 (:func:`write_utf8`),
        written some 64 KB at a time: a list in it may be :class:`Streamed`, made an
        item at a time as it is written (an import's every row, review s50E F01)."""
        self.emitted = True  # begun: an error after it adds no second document
        pending: list[str] = []
        size = 0
        for chunk in json.JSONEncoder(ensure_ascii=False, indent=1).iterencode(document):
            pending.append(chunk)  # the text json.dumps gives, a piece at a time
            size += len(chunk)
            if size >= _LIST_CHUNK:
                write_utf8("".join(pending), nl=False)
                pending, size = [], 0
        write_utf8("".join(pending))

    def emit_list(self, items: Iterable[object]) -> None:
        """The one JSON document of a ``--json`` run that is a list, written an item at
        a time: the text :meth:`emit` writes, in the memory of one item (a whole
        desk's rows, review s40C F01)."""
        self.emitted = True
        first = True
        pending: list[str] = []  # written some 64 KB at a time: a write is a flush
        size = 0
        for item in items:
            # JSON escapes a line break inside a string: each one here is the layout's
            text = json.dumps(item, ensure_ascii=False, indent=1).replace("\n", "\n ")
            pending.append(("[\n " if first else ",\n ") + text)
            size += len(pending[-1])
            first = False
            if size >= _LIST_CHUNK:
                write_utf8("".join(pending), nl=False)
                pending, size = [], 0
        write_utf8("".join(pending) + ("[]" if first else "\n]"))

    def failed(
        self,
        code: ExitCode,
        kind: str,
        message: str,
        document: dict[str, Any],
        *,
        deliver: bool = False,
    ) -> NoReturn:
        """End a command whose work ran but did not succeed (rows rejected, chain broken).

        The human output has been printed by the command; under ``--json`` the
        result document goes out with an ``error`` member added.  ``deliver``:
        then send what the command queued (:meth:`deliver_after`), the result
        being out first.
        """
        if self.json:
            error = {"code": int(code), "type": kind, "message": message}
            self.emit({"error": error, **document})
        if deliver:
            self.deliver_after(code)
        raise click.exceptions.Exit(int(code))


_LIST_CHUNK = 1 << 16
"""Characters :meth:`Ctx.emit_list` and :meth:`Ctx.emit` gather before they write them."""


class Streamed(list[Any]):
    """A list of a ``--json`` document that is made as it is written: ``count`` items,
    from ``items()`` (called again for each reading).  :mod:`json` writes it as the
    list of those items; it holds none of them, so it compares as an empty list."""

    def __init__(self, count: int, items: Callable[[], Iterator[Any]]) -> None:
        super().__init__()
        self._count = count
        self._items = items

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Any]:
        return self._items()


def write_utf8(text: str, *, nl: bool = True) -> None:
    """``text`` on standard output as UTF-8 bytes, whatever the console's encoding: a
    JSON document, a CSV or an HTML page is read by a program, which takes UTF-8
    (docs/cli.md; the page says ``charset="utf-8"``).  Written in a redirected Windows
    console's GBK it would be mislabelled, and one character GBK lacks (an emoji in
    a building) would end it half-written (review s41B F03, F04).  Bytes also keep a
    CSV's ``\r\n`` rows as they are (F06)."""
    data = text + "\n" if nl else text
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a stream of text only (a host's StringIO): no encoding to get wrong
        click.echo(data, nl=False)
        return
    sys.stdout.flush()  # what was printed before comes first
    buffer.write(data.encode("utf-8"))
    buffer.flush()


@contextmanager
def readable_streams() -> Iterator[None]:
    """Standard output and error that never fail on a character their encoding
    lacks: a GBK console shows ``?`` for an emoji in a summary rather than end the
    command with a codec error (review s41B F03).  Machine output is not written
    through them (:func:`write_utf8`)."""
    changed: list[tuple[io.TextIOWrapper, str]] = []
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors="replace")
            changed.append((stream, "strict"))
    try:
        yield
    finally:
        for stream, errors in changed:
            if not stream.closed:
                stream.reconfigure(errors=errors)


def os_user() -> str:
    """The operating-system account running the command ("" when there is none).

    The account itself, never ``LOGNAME`` or ``USER`` (which ``getpass.getuser``
    reads first): a staff file's ``os_user`` ties ``--as`` to it, and anyone can
    set an environment variable.
    """
    return _account_name()


def _account_name() -> str:
    import os

    try:
        import pwd
    except ImportError:  # Windows: the logged-on account, not %USERNAME%
        try:
            return os.getlogin()
        except OSError:
            return ""
    try:
        return pwd.getpwuid(os.geteuid()).pw_name
    except KeyError:
        return ""


CURRENT: ContextVar[Ctx | None] = ContextVar("complaintcore_cli_ctx", default=None)
"""The context of the running command, for the error handler in ``app``."""

pass_ctx = click.make_pass_decorator(Ctx)


def _set_json(click_ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    ctx = click_ctx.find_object(Ctx)
    if ctx is not None and value:
        ctx.json = True


def json_option(fn: F) -> F:
    """``--json``: print exactly one JSON document on standard output, errors included."""
    option = click.option(
        "--json",
        "json_flag",
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_set_json,
        help=N_("Print one JSON document on standard output (errors too)."),
    )
    return option(fn)


def _set_now(click_ctx: click.Context, param: click.Parameter, value: datetime | None) -> None:
    ctx = click_ctx.find_object(Ctx)
    if ctx is None or value is None:
        return
    root = click_ctx.find_root()
    before = root.params.get("now")
    typed_before = root.get_parameter_source("now") is click.ParameterSource.COMMANDLINE
    if typed_before and isinstance(before, datetime) and not _same_time(ctx, before, value):
        # two times for one run: a replay must not be dated by whichever came last
        raise click.BadParameter(
            ctx.t("given before the command as well, with another time: give it once"),
            click_ctx,
            param,
        )
    ctx.now_given = value  # before the command or here; over COMPLAINTCORE_NOW


def _same_time(ctx: Ctx, one: datetime, other: datetime) -> bool:
    """Whether two typed times are one instant, each read as :meth:`Ctx.now` reads
    it: one typed without an offset in the pack's zone (review s46I F02).  Two
    naive times compare as they are, without opening the desk (both read alike).
    Aware times compare in UTC: Python finds two times of different zones never
    equal when either falls in an hour the clocks repeat or skip, whatever the
    instants (PEP 495; review s48B F01)."""
    if one.tzinfo is None and other.tzinfo is None:
        return one == other
    return ctx.at(one).astimezone(UTC) == ctx.at(other).astimezone(UTC)


def now_option(fn: F) -> F:
    """``--now`` after the command (``receive … --now T``), as before it: the run's time.

    Only on the commands that read the clock; the root group's ``--now`` (and
    ``COMPLAINTCORE_NOW``) serve every command.
    """
    option = click.option(
        "--now",
        "now",  # the option's name in errors (``param`` under --json), as before the command
        type=DateTimeType(),
        default=None,
        expose_value=False,
        callback=_set_now,
        help=N_("Act as if it were this time (ISO 8601); for scripts and replays."),
    )
    return option(fn)


without_helpers_option = click.option(
    "--without-helpers",
    is_flag=True,
    help=N_(
        "With --final: reply although a helping department has recorded no part; "
        "the reply records which (HDL-4)."
    ),
)
"""``--without-helpers`` of ``act reply`` and ``explain-all``: one text to translate."""


if TYPE_CHECKING:
    _Choice = click.Choice[str]
else:  # clicks before 8.4 cannot subscript their types at run time
    _Choice = click.Choice


class LabelledChoice(_Choice):
    """A choice among an enum's stored values, also taken by the labels the screens
    show (``--status 处理中``, ``--channel 电话``, ``--channel telephone``): the
    enum's own mapping (:meth:`LabelledEnum.named`), as the importer takes a
    channel column.  A wrong one is a usage error listing the codes with their
    labels (cli/errors.py)."""

    def __init__(self, enum_type: type[LabelledEnum]) -> None:
        super().__init__([member.value for member in enum_type], case_sensitive=False)
        self.enum_type = enum_type

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        if isinstance(value, str):
            found = self.enum_type.named(value)
            if found is None:  # a label read in a language a host added
                shown = _translator(ctx).label
                found = next((m for m in self.enum_type if shown(m) == value.strip()), None)
            if found is not None:
                return str(found.value)
        return str(super().convert(value, param, ctx))


def enum_choice(enum_type: type[LabelledEnum]) -> click.Choice[str]:
    """A choice among an enum's stored values or their labels; a wrong one is a
    usage error naming them."""
    return LabelledChoice(enum_type)


def require_pack(ctx: Ctx, name_or_path: str, *, field: str = "--pack") -> None:
    """A missing pack file or an unknown shipped pack name is "not found" (exit 3)."""
    from complaintcore.rules import available_packs

    if is_pack_file(name_or_path):
        if not Path(name_or_path).is_file():
            raise NotFoundError(field, ctx.t("no file at {path}", path=name_or_path))
    elif name_or_path not in available_packs():
        # masked, as an unknown --as is: a name or phone typed there (PRV-1)
        known = ctx.tr.listed(available_packs())  # 、 in Chinese (review s53R9 F04)
        shown = repr(shown_value(name_or_path))
        raise NotFoundError(
            field, ctx.t("no shipped rule pack {name}; shipped: {known}", name=shown, known=known)
        )


if TYPE_CHECKING:  # click >= 8.4 types its parameter types by value
    _DateTimeParam = click.ParamType[datetime]
    _MonthParam = click.ParamType[tuple[int, int]]
else:  # and older clicks cannot subscript them at run time
    _DateTimeParam = _MonthParam = click.ParamType


def is_pack_file(pack: str) -> bool:
    """How the desk tells a pack file from a shipped pack's name."""
    return pack.endswith(".toml") or "/" in pack


class DateTimeType(_DateTimeParam):
    """An ISO 8601 date-time; without an offset the pack's time zone is meant.

    A date alone is refused unless ``dates`` is true: read as midnight it would
    start a receipt's or a promise's clocks hours early (REC-1 records the time).
    """

    name = "datetime"

    def __init__(self, *, dates: bool = False) -> None:
        self.dates = dates

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "ISO-TIME"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> datetime:
        if isinstance(value, datetime):
            return value
        try:
            return parse_time(str(value), _translator(ctx), dates=self.dates)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def parse_time(value: str, t: Translator, *, dates: bool = False) -> datetime:
    """An ISO 8601 date-time as :class:`DateTimeType` reads it; a :class:`ValueError`
    saying why, in ``t``'s language, when it is none."""
    text = value.strip()
    try:
        if not text.isascii():
            raise ValueError(text)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(t("expected an ISO date-time like 2025-11-14T17:30")) from None
    if not dates and is_date_only(text):
        raise ValueError(t("a date alone: give the time of day too, like 2025-11-14T17:30"))
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValueError(year_range(t))
    return parsed


_MONTH = re.compile(r"(\d{4})-(\d{1,2})", re.ASCII)


class MonthType(_MonthParam):
    """A calendar month as ``YYYY-MM``."""

    name = "month"

    def get_metavar(self, param: click.Parameter, ctx: click.Context) -> str:
        return "YYYY-MM"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> tuple[int, int]:
        if isinstance(value, tuple):
            return value
        t = _translator(ctx)
        match = _MONTH.fullmatch(str(value).strip())
        if match is None or not 1 <= int(match[2]) <= 12:
            self.fail(t("expected YYYY-MM, e.g. 2025-11"), param, ctx)
        year = int(match[1])
        if not FIRST_YEAR <= year <= LAST_YEAR:
            self.fail(year_range(t), param, ctx)
        return year, int(match[2])


def year_range(t: Translator) -> str:
    return t("the year must be between {first} and {last}", first=FIRST_YEAR, last=LAST_YEAR)


def _translator(click_ctx: click.Context | None) -> Translator:
    """The output language while options are still being parsed."""
    if click_ctx is None:
        return translator(language_from_env())
    ctx = click_ctx.find_object(Ctx)
    if ctx is not None:
        return ctx.tr
    lang = click_ctx.find_root().params.get("lang")
    return translator(lang if isinstance(lang, str) else language_from_env())


def as_the_config_reads(config_dir: str | Path, path: str) -> str:
    """A file named on the command line (found from the current directory) as a
    configuration in ``config_dir`` must name it (it finds files from its own
    directory): relative to that directory when inside it (the directory may
    move), else by its full path.  The directories are taken as the system walks
    them (a link, then ".."), the file itself as named: a link is kept."""
    head, name = os.path.split(path)
    full = Path(os.path.realpath(head or ".")) / name
    try:
        return full.relative_to(os.path.realpath(config_dir)).as_posix()
    except ValueError:
        return str(full)
