"""The ``complaintcore`` command line: a complaint desk on the embedded SQLite default.

Every command reads ``complaintcore.toml`` (``--config``), prints in Chinese or
English (``--lang``, default from the locale) and exits non-zero with a
one-line message naming the problem when something is wrong.  Times typed
without a UTC offset are read in the rule pack's time zone.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import sys
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table

from complaintcore.core.errors import ComplaintCoreError, IncompleteRecordError, InvalidInputError

F = TypeVar("F", bound=Callable[..., Any])

# --------------------------------------------------------------------------- language

_TEXT: dict[str, tuple[str, str]] = {
    "initialised": ("已初始化：{path}", "initialised {path}"),
    "received": ("已受理 {id}：{category} → {handler}", "received {id}: {category} → {handler}"),
    "imported": ("导入完成：成功 {ok} 条，拒绝 {bad} 条", "imported {ok} rows, rejected {bad}"),
    "rejected": ("第 {row} 行被拒绝：{reason}", "row {row} rejected: {reason}"),
    "done": ("完成：{id} 现为 {status}", "done: {id} is now {status}"),
    "swept": (
        "检查 {examined} 宗；升级 {escalated} 次；预警 {at_risk} 次；升为重大 {regraded} 宗",
        "examined {examined}; escalated {escalated}; at-risk warnings {at_risk}; "
        "regraded {regraded}",
    ),
    "verify_ok": (
        "哈希链校验通过：{complaints} 宗，{events} 个事件",
        "hash chain verified: {complaints} complaints, {events} events",
    ),
    "verify_bad": ("哈希链校验失败：", "hash chain verification failed:"),
    "pack_ok": ("规则包有效：{name}", "rule pack is valid: {name}"),
    "written": ("已写入 {path}", "wrote {path}"),
    "none": ("没有符合条件的投诉", "no complaints match"),
    "timeline": ("时间线", "timeline"),
    "clocks": ("时限", "clocks"),
    "error": ("错误", "error"),
    "demo_done": (
        "模拟完成：受理 {received} 宗，关闭 {closed} 宗，升级 {escalated} 宗，重开 {reopened} 宗，"
        "重复投诉 {repeats} 宗",
        "simulated: {received} received, {closed} closed, {escalated} escalated, "
        "{reopened} reopened, {repeats} repeats",
    ),
}


def _default_lang() -> str:
    for var in ("COMPLAINTCORE_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


class Ctx:
    """What every command needs: config path, language, console, and the desk."""

    def __init__(self, config: str, lang: str, now: str | None) -> None:
        self.config_path = config
        self.lang = lang
        self._now = now
        self.out = Console(highlight=False, soft_wrap=True)
        self._desk: Any = None

    def t(self, key: str, **kw: object) -> str:
        zh, en = _TEXT[key]
        return (zh if self.lang == "zh" else en).format(**kw)

    def desk(self) -> Any:
        if self._desk is None:
            from complaintcore.desk import Desk
            from complaintcore.desk.config import load_config

            if not Path(self.config_path).exists():
                raise InvalidInputError(
                    "config", f"{self.config_path} not found; run `complaintcore init` first"
                )
            self._desk = Desk.from_config(load_config(self.config_path))
        return self._desk

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.desk().pack.calendar.timezone)

    def now(self) -> datetime:
        if self._now:
            return parse_time(self._now, self.zone(), "--now")
        return datetime.now(self.zone())  # the shell may read the clock; the core never does


def parse_time(text: str, zone: ZoneInfo, what: str) -> datetime:
    """ISO 8601; without an offset the pack's time zone is meant."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInputError(what, "expected an ISO date-time like 2025-11-14T17:30") from None
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _fail(ctx: Ctx, exc: BaseException) -> None:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    click.echo(f"{ctx.t('error')}: {message}", err=True)
    sys.exit(1)


def guarded(fn: F) -> F:
    """Turn library errors into one line on stderr and exit status 1."""
    import functools

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ctx = click.get_current_context().find_object(Ctx)
        assert ctx is not None
        try:
            return fn(*args, **kwargs)
        except (ComplaintCoreError, OSError, sqlite3.Error) as exc:
            _fail(ctx, exc)
        except UnicodeDecodeError:
            _fail(ctx, InvalidInputError("file", "is not UTF-8 text (save it as CSV UTF-8)"))
        finally:
            if ctx._desk is not None:
                ctx._desk.close()
                ctx._desk = None
        return None

    return wrapper  # type: ignore[return-value]


pass_ctx = click.make_pass_decorator(Ctx)


@click.group()
@click.option(
    "--config",
    "config",
    default="complaintcore.toml",
    show_default=True,
    envvar="COMPLAINTCORE_CONFIG",
    help="The desk's config file.",
)
@click.option(
    "--lang",
    type=click.Choice(["zh", "en"]),
    default=None,
    help="Output language (default: from the locale).",
)
@click.option(
    "--now",
    default=None,
    envvar="COMPLAINTCORE_NOW",
    help="Act as if it were this time (ISO 8601); for scripts and replays.",
)
@click.version_option(package_name="complaintcore")
@click.pass_context
def main(click_ctx: click.Context, config: str, lang: str | None, now: str | None) -> None:
    """complaintcore: owners' complaints, handled by the documented procedures."""
    click_ctx.obj = Ctx(config, lang or _default_lang(), now)


# --------------------------------------------------------------------------- init / demo


@main.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--pack", default="cn-property", show_default=True, help="Rule pack name or file.")
@click.option("--force", is_flag=True, help="Overwrite an existing config and staff file.")
@pass_ctx
@guarded
def init(ctx: Ctx, directory: str, pack: str, force: bool) -> None:
    """Create a SQLite desk: config, sample staff file and database."""
    from complaintcore.adapters.staff import write_sample_staff
    from complaintcore.desk import Desk
    from complaintcore.desk.config import load_config
    from complaintcore.rules import load_pack

    load_pack(pack)  # fail early on a bad pack
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    config = root / "complaintcore.toml"
    staff = root / "staff.toml"
    if config.exists() and not force:
        raise InvalidInputError("config", f"{config} exists; use --force to overwrite")
    if staff.exists() and force:
        staff.unlink()
    if not staff.exists():
        write_sample_staff(staff)
    config.write_text(
        "# complaintcore desk configuration\n"
        'database = "complaints.sqlite3"\n'
        f"pack = {json.dumps(pack)}\n"
        'staff_file = "staff.toml"\n\n'
        "[notifiers]\nlog = true\n",
        encoding="utf-8",
    )
    Desk.from_config(load_config(config)).close()
    ctx.out.print(ctx.t("initialised", path=str(config)))


@main.command()
@click.argument("directory", default="complaintcore-demo", type=click.Path(file_okay=False))
@click.option("--complaints", default=400, show_default=True, help="How many complaints.")
@click.option("--seed", default=2025, show_default=True, help="Random seed (same seed, same demo).")
@click.option("--force", is_flag=True, help="Replace a demo already in DIRECTORY.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table")
@pass_ctx
@guarded
def demo(ctx: Ctx, directory: str, complaints: int, seed: int, force: bool, fmt: str) -> None:
    """Simulate a quarter of complaints into SQLite and print the monthly report."""
    from complaintcore.cli.demo import run_demo
    from complaintcore.core.stats import TrendRule

    with _progress(ctx, "demo") as step:
        result = run_demo(
            Path(directory), seed=seed, complaints=complaints, progress=step, overwrite=force
        )
    ctx.config_path = str(result.config_path)
    ctx._now = result.now.isoformat()
    year, month = result.last_month
    # the simulation has no history before its first month: compare with what it has
    _report(ctx, f"{year:04d}-{month:02d}", fmt, None, TrendRule(baseline_months=2))
    ctx.out.print(ctx.t("demo_done", **result.counts()))
    ctx.out.print(ctx.t("written", path=str(result.database)))


# --------------------------------------------------------------------------- receive

_FIELDS = (
    "name",
    "phone",
    "room",
    "building",
    "site",
    "channel",
    "summary",
    "description",
    "received_at",
    "receiver",
    "receiver_unit",
    "location",
    "account",
    "idempotency_key",
    "target_staff_id",
    "target_rung",
)


def _intake_from_row(row: Mapping[str, Any], zone: ZoneInfo, default_time: datetime) -> Any:
    """One row as an intake; REC-1 completeness is checked when the desk registers it."""
    from complaintcore.core.models import Complainant, Intake, TargetPerson

    unknown = sorted(k for k in row if k not in _FIELDS and k)
    if unknown:
        raise InvalidInputError(unknown[0], "unknown column")

    def text(key: str) -> str:
        value = row.get(key)
        if value is None:
            return ""
        if not isinstance(value, str | int):
            raise InvalidInputError(key, "must be text")
        return str(value).strip()

    received = text("received_at")
    when = parse_time(received, zone, "received_at") if received else default_time
    target = None
    if text("target_staff_id"):
        target = TargetPerson(staff_id=text("target_staff_id"), rung=text("target_rung"))
    return Intake(
        complainant=Complainant(
            text("name"), text("phone"), text("room"), text("building"), text("site")
        ),
        channel=text("channel") or "phone",
        received_at=when,
        receiver=text("receiver"),
        receiver_unit=text("receiver_unit") or "customer_service",
        summary=text("summary"),
        description=text("description"),
        site=text("site"),
        location=text("location"),
        account=text("account"),
        target=target,
        idempotency_key=text("idempotency_key"),
    )


def _reason(exc: BaseException) -> str:
    if isinstance(exc, IncompleteRecordError):
        return "; ".join(str(p) for p in exc.problems)
    return str(exc).splitlines()[0]


def _rows(path: Path) -> Iterator[tuple[int, Mapping[str, Any] | Exception]]:
    """Stream rows of a JSONL or CSV file with their line numbers."""
    suffix = path.suffix.lower()
    with path.open(encoding="utf-8-sig", newline="") as fh:
        if suffix in (".jsonl", ".ndjson", ".json"):
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                except json.JSONDecodeError as exc:
                    yield number, InvalidInputError("line", f"not JSON ({exc.msg})")
                    continue
                if not isinstance(data, dict):
                    yield number, InvalidInputError("line", "must be a JSON object")
                    continue
                yield number, data
        elif suffix == ".csv":
            reader = csv.DictReader(fh)
            for number, record in enumerate(reader, start=2):
                if None in record:
                    yield number, InvalidInputError("row", "more cells than the header has")
                    continue
                yield number, record
        else:
            raise InvalidInputError("file", "expected a .jsonl or .csv file")


@main.command()
@click.option(
    "--file",
    "file",
    type=click.Path(exists=True, dir_okay=False),
    help="Bulk import: a JSONL or CSV file, one complaint per row.",
)
@click.option("--name", default="")
@click.option("--phone", default="")
@click.option("--room", default="")
@click.option("--building", default="")
@click.option("--site", default="")
@click.option("--channel", default="phone", show_default=True)
@click.option("--summary", default="")
@click.option("--description", default="")
@click.option("--receiver", default="", help="Staff id of whoever took the complaint.")
@click.option("--receiver-unit", default="customer_service", show_default=True)
@click.option("--received-at", default="", help="ISO time (default: now).")
@click.option("--key", "idempotency_key", default="", help="Idempotency key.")
@click.option("--target-staff-id", default="", help="Staff member the complaint is about.")
@click.option("--target-rung", default="")
@click.option("--no-route", is_flag=True, help="Register without assigning a handler.")
@pass_ctx
@guarded
def receive(ctx: Ctx, /, file: str | None, no_route: bool, **fields: str) -> None:
    """Receive one complaint from flags, or many from --file."""
    desk = ctx.desk()
    zone, now = ctx.zone(), ctx.now()
    if file is None:
        intake = _intake_from_row(fields, zone, now)
        c = desk.receive(intake, now=now, route=not no_route)
        ctx.out.print(
            ctx.t(
                "received",
                id=c.id,
                category=c.state.category or "-",
                handler=c.state.handler or "-",
            )
        )
        return
    path = Path(file)
    ok = bad = 0
    with path.open("rb") as counting:  # a cheap streaming pass for the progress total
        total = sum(1 for _ in counting)
    numbers: deque[int] = deque()

    def reject(number: int, exc: BaseException) -> None:
        nonlocal bad
        bad += 1
        click.echo(ctx.t("rejected", row=number, reason=_reason(exc)), err=True)

    def intakes() -> Iterator[Any]:
        for number, row in _rows(path):
            try:
                if isinstance(row, Exception):
                    raise row
                intake = _intake_from_row(row, zone, now)
            except ComplaintCoreError as exc:
                reject(number, exc)
                continue
            numbers.append(number)
            yield intake

    with _progress(ctx, path.name) as step:
        for result in desk.receive_many(intakes(), now=now, route=not no_route):
            number = numbers.popleft()
            if isinstance(result, ComplaintCoreError):
                reject(number, result)
            else:
                ok += 1
            step(number, total)
    ctx.out.print(ctx.t("imported", ok=ok, bad=bad))
    if bad:
        sys.exit(1)


class _progress:
    """A rich progress bar that never writes to a non-terminal."""

    def __init__(self, ctx: Ctx, label: str) -> None:
        self.enabled = ctx.out.is_terminal
        self.bar = Progress(
            TextColumn(label),
            BarColumn(),
            TaskProgressColumn(),
            console=Console(stderr=True),
            disable=not self.enabled,
        )
        self.task = self.bar.add_task(label, total=None)

    def __enter__(self) -> Callable[[int, int], None]:
        self.bar.start()

        def step(done: int, total: int) -> None:
            self.bar.update(self.task, completed=done, total=total or None)

        return step

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


# --------------------------------------------------------------------------- list / show


@main.command("list")
@click.option("--status", default=None)
@click.option("--grade", default=None)
@click.option("--site", default=None)
@click.option("--department", default=None)
@click.option("--overdue", is_flag=True, help="Only complaints with a deadline past due.")
@click.option("--limit", default=200, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@guarded
def list_(
    ctx: Ctx,
    status: str | None,
    grade: str | None,
    site: str | None,
    department: str | None,
    overdue: bool,
    limit: int,
    as_json: bool,
) -> None:
    """List complaints (most urgent first with --overdue)."""
    desk = ctx.desk()
    now = ctx.now()
    rows = desk.rows(
        status=status,
        grade=grade,
        site=site,
        department=department,
        due_before=now if overdue else None,
        limit=limit,
    )
    if overdue:
        rows = [r for r in rows if any(s.is_breached for s in desk.clocks(r.id, now))]
    if as_json:
        from complaintcore.serialization import to_dict

        click.echo(json.dumps([to_dict(r) for r in rows], ensure_ascii=False, indent=1))
        return
    if not rows:
        ctx.out.print(ctx.t("none"))
        return
    zh = ctx.lang == "zh"
    table = Table(
        *(
            ["编号", "状态", "等级", "类别", "部门", "项目", "处理人", "受理时间", "下一时限"]
            if zh
            else [
                "id",
                "status",
                "grade",
                "category",
                "department",
                "site",
                "handler",
                "received",
                "next due",
            ]
        )
    )
    for r in rows:
        table.add_row(
            r.id,
            r.status,
            r.grade or "-",
            r.category or "-",
            r.department or "-",
            r.site or "-",
            r.handler or "-",
            r.received_at.isoformat(timespec="minutes"),
            r.next_due.isoformat(timespec="minutes") if r.next_due else "-",
        )
    ctx.out.print(table)


@main.command()
@click.argument("complaint_id")
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--as",
    "viewer",
    default=None,
    help="Show as this staff member sees it (personal data masked if they need not see it).",
)
@pass_ctx
@guarded
def show(ctx: Ctx, complaint_id: str, as_json: bool, viewer: str | None) -> None:
    """A complaint's timeline and every clock with its derivation.

    Personal data is masked (PRV-1) unless ``--as`` names staff entitled to it.
    """
    from complaintcore.desk import masked_record
    from complaintcore.serialization import complaint_to_dict

    desk = ctx.desk()
    now = ctx.now()
    complaint = desk.get(complaint_id)
    if viewer:
        data = desk.view(complaint_id, viewer)
    else:
        data = masked_record(complaint_to_dict(complaint))
    clocks = desk.clocks(complaint_id, now)
    if as_json:
        data["state"] = {
            "status": complaint.state.status.value,
            "rung": complaint.state.rung,
            "grade": complaint.state.grade.value if complaint.state.grade else None,
        }
        data["clocks"] = [
            {
                "name": s.name,
                "rule": s.rule,
                "state": s.state.value,
                "due": s.due.isoformat() if s.due else None,
                "derivation": list(s.derivation),
            }
            for s in clocks
        ]
        click.echo(json.dumps(data, ensure_ascii=False, indent=1))
        return
    person = data["intake"]["complainant"]
    s = complaint.state
    ctx.out.print(
        f"[bold]{complaint.id}[/bold]  {s.status.label(ctx.lang)}  "
        f"{s.grade.label(ctx.lang) if s.grade else '-'}  {s.category or '-'}"
    )
    ctx.out.print(
        f"{person['name']} {person['phone']} {person['room']}  {data['intake']['summary']}"
    )
    table = Table(ctx.t("timeline"), "", "", "")
    for event in data["events"]:
        table.add_row(event["at"][:16], event["type"], event["actor"], _event_detail(event))
    ctx.out.print(table)
    ctx.out.print(f"[bold]{ctx.t('clocks')}[/bold]")
    for st in clocks:
        due = st.due.isoformat(timespec="minutes") if st.due else "-"
        ctx.out.print(f"• {st.name} ({st.rule}) {st.state.label(ctx.lang)}  due {due}")
        for line in st.derivation:
            ctx.out.print(f"    {line}")


def _event_detail(data: dict[str, Any]) -> str:
    skip = {"type", "at", "actor"}
    return ", ".join(
        f"{k}={v}" for k, v in data.items() if k not in skip and v not in ("", [], None)
    )


# --------------------------------------------------------------------------- act


class _ActGroup(click.Group):
    """``act ID COMMAND …`` or ``act COMMAND ID …``: either order works."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if len(args) > 1 and args[0] not in self.commands and args[1] in self.commands:
            args = [args[1], args[0], *args[2:]]
        return super().parse_args(ctx, args)


@main.group(cls=_ActGroup)
def act() -> None:
    """Run a workflow command on a complaint: act ID COMMAND [OPTIONS]."""


def _act(ctx: Ctx, complaint_id: str, command: Any) -> None:
    c = ctx.desk().act(complaint_id, command, now=ctx.now())
    ctx.out.print(ctx.t("done", id=c.id, status=c.state.status.label(ctx.lang)))


def _command(name: str, help_text: str) -> Callable[[Callable[..., None]], click.Command]:
    """An ``act`` subcommand: complaint id, --actor, and the command's own options."""

    def deco(fn: Callable[..., None]) -> click.Command:
        wrapped: Any = pass_ctx(guarded(fn))
        wrapped = click.option("--actor", required=True, help="Staff id of whoever acts.")(wrapped)
        wrapped = click.argument("complaint_id")(wrapped)
        return act.command(name, help=help_text)(wrapped)

    return deco


@_command("forward", "Forward to another unit (IN-2, IN-5, IN-6).")
@click.option("--to", "to_unit", required=True)
@click.option("--note", default="")
@click.option("--no-consent", is_flag=True)
def act_forward(
    ctx: Ctx, complaint_id: str, actor: str, to_unit: str, note: str, no_consent: bool
) -> None:
    from complaintcore.core.workflow import Forward

    _act(
        ctx, complaint_id, Forward(actor=actor, to_unit=to_unit, note=note, consent=not no_consent)
    )


@_command("classify", "Classify by keywords, or by hand with --category (CLS-1..4).")
@click.option("--category", default=None)
@click.option("--department", default=None)
def act_classify(
    ctx: Ctx, complaint_id: str, actor: str, category: str | None, department: str | None
) -> None:
    from complaintcore.core.workflow import Classify

    _act(ctx, complaint_id, Classify(actor=actor, category=category, department=department))


@_command("assess", "Record validity, kind and findings (VAL-1, VAL-2, VAL-4).")
@click.option("--validity", type=click.Choice(["valid", "invalid", "unverified"]), required=True)
@click.option("--kind", type=click.Choice(["complaint", "request", "enquiry"]), default=None)
@click.option("--reasonable/--unreasonable", default=None)
@click.option("--department", default="")
@click.option("--fact", "facts", multiple=True, help="A finding, e.g. staff_fault (repeatable).")
@click.option("--note", default="")
def act_assess(
    ctx: Ctx,
    complaint_id: str,
    actor: str,
    validity: str,
    kind: str | None,
    reasonable: bool | None,
    department: str,
    facts: tuple[str, ...],
    note: str,
) -> None:
    from complaintcore.core.workflow import Assess

    _act(
        ctx,
        complaint_id,
        Assess(
            actor=actor,
            validity=validity,
            kind=kind,
            reasonable=reasonable,
            department=department,
            facts=facts,
            note=note,
        ),
    )


@_command("grade", "Grade from the rules, or raise to --grade (GRD-1..6).")
@click.option("--grade", default=None)
@click.option("--reason", default="")
def act_grade(ctx: Ctx, complaint_id: str, actor: str, grade: str | None, reason: str) -> None:
    from complaintcore.core.workflow import Regrade

    _act(ctx, complaint_id, Regrade(actor=actor, grade=grade, reason=reason))


@_command("assign", "Assign a handler at a rung (ESC-3, ESC-4).")
@click.option("--handler", required=True)
@click.option("--rung", required=True)
@click.option("--department", default="")
def act_assign(
    ctx: Ctx, complaint_id: str, actor: str, handler: str, rung: str, department: str
) -> None:
    from complaintcore.core.workflow import Assign

    _act(ctx, complaint_id, Assign(actor=actor, handler=handler, rung=rung, department=department))


@_command("promise", "Agree a processing time with the complainant (DL-5).")
@click.option("--due", required=True, help="ISO time.")
@click.option("--note", default="")
def act_promise(ctx: Ctx, complaint_id: str, actor: str, due: str, note: str) -> None:
    from complaintcore.core.workflow import Promise

    _act(
        ctx, complaint_id, Promise(actor=actor, due=parse_time(due, ctx.zone(), "--due"), note=note)
    )


@_command("handle", "Record the department's result (DL-3, HDL-4).")
@click.option("--result", required=True)
@click.option("--department", default="")
def act_handle(ctx: Ctx, complaint_id: str, actor: str, result: str, department: str) -> None:
    from complaintcore.core.workflow import Handle

    _act(ctx, complaint_id, Handle(actor=actor, result=result, department=department))


@_command("reply", "Reply to the complainant (DL-1, VAL-3, REC-4).")
@click.option("--message", required=True)
@click.option("--final", is_flag=True)
@click.option("--explanation", is_flag=True)
@click.option("--unanswerable", "unanswerable_reason", default="")
def act_reply(
    ctx: Ctx,
    complaint_id: str,
    actor: str,
    message: str,
    final: bool,
    explanation: bool,
    unanswerable_reason: str,
) -> None:
    from complaintcore.core.workflow import Reply

    _act(
        ctx,
        complaint_id,
        Reply(
            actor=actor,
            message=message,
            final=final,
            explanation=explanation,
            unanswerable_reason=unanswerable_reason,
        ),
    )


@_command("escalate", "Move up the ladder for a trigger (ESC-2, ESC-5).")
@click.option(
    "--trigger",
    required=True,
    type=click.Choice(
        [
            "cannot_handle",
            "dissatisfied",
            "reschedule_refused",
            "deadline_missed",
            "coordination_failed",
            "serious",
        ]
    ),
)
@click.option("--to", "to_rung", default=None)
@click.option("--note", default="")
def act_escalate(
    ctx: Ctx, complaint_id: str, actor: str, trigger: str, to_rung: str | None, note: str
) -> None:
    from complaintcore.core.workflow import Escalate

    _act(ctx, complaint_id, Escalate(actor=actor, trigger=trigger, to_rung=to_rung, note=note))


@_command("pause", "Stop the clocks while waiting on the complainant (DL-8).")
@click.option("--reason", required=True)
def act_pause(ctx: Ctx, complaint_id: str, actor: str, reason: str) -> None:
    from complaintcore.core.workflow import Pause

    _act(ctx, complaint_id, Pause(actor=actor, reason=reason))


@_command("resume", "Restart the clocks (DL-8).")
def act_resume(ctx: Ctx, complaint_id: str, actor: str) -> None:
    from complaintcore.core.workflow import Resume

    _act(ctx, complaint_id, Resume(actor=actor))


@_command("visit", "Record a return visit (VIS-1, VIS-2, VIS-4).")
@click.option("--satisfied/--not-satisfied", required=True)
@click.option("--opinion", default="")
@click.option("--reply-due", default=None)
@click.option("--major-issue", is_flag=True)
def act_visit(
    ctx: Ctx,
    complaint_id: str,
    actor: str,
    satisfied: bool,
    opinion: str,
    reply_due: str | None,
    major_issue: bool,
) -> None:
    from complaintcore.core.workflow import Visit

    due = parse_time(reply_due, ctx.zone(), "--reply-due") if reply_due else None
    _act(
        ctx,
        complaint_id,
        Visit(
            actor=actor,
            satisfied=satisfied,
            opinion=opinion,
            reply_due=due,
            major_issue=major_issue,
        ),
    )


@_command("close", "Close (VIS-3: the complainant confirms, or the top rung decides).")
@click.option("--result", required=True)
@click.option("--confirmed", is_flag=True, help="The complainant confirmed.")
@click.option("--top-rung-decision", is_flag=True)
def act_close(
    ctx: Ctx, complaint_id: str, actor: str, result: str, confirmed: bool, top_rung_decision: bool
) -> None:
    from complaintcore.core.workflow import Close

    _act(
        ctx,
        complaint_id,
        Close(
            actor=actor,
            result=result,
            confirmed_by_complainant=confirmed,
            decided_by_top_rung=top_rung_decision,
        ),
    )


@_command("reopen", "Reopen with a reason.")
@click.option("--reason", required=True)
def act_reopen(ctx: Ctx, complaint_id: str, actor: str, reason: str) -> None:
    from complaintcore.core.workflow import Reopen

    _act(ctx, complaint_id, Reopen(actor=actor, reason=reason))


@_command("cause", "Record cause analysis and measures (IMP-1).")
@click.option("--cause", required=True)
@click.option("--corrective", required=True)
@click.option("--preventive", default="")
def act_cause(
    ctx: Ctx, complaint_id: str, actor: str, cause: str, corrective: str, preventive: str
) -> None:
    from complaintcore.core.workflow import RecordCause

    _act(
        ctx,
        complaint_id,
        RecordCause(actor=actor, cause=cause, corrective=corrective, preventive=preventive),
    )


@_command("sanction", "Record the sanction of the grade (PEN-1, PEN-2).")
@click.option("--role", "staff_role", default="")
def act_sanction(ctx: Ctx, complaint_id: str, actor: str, staff_role: str) -> None:
    from complaintcore.core.workflow import RecordSanction

    _act(ctx, complaint_id, RecordSanction(actor=actor, staff_role=staff_role))


@_command("sign-off", "Supervisor signs the closed record (REC-6).")
def act_sign_off(ctx: Ctx, complaint_id: str, actor: str) -> None:
    from complaintcore.core.workflow import SignOff

    _act(ctx, complaint_id, SignOff(actor=actor))


@_command("evidence", "Attach supporting evidence (REC-3).")
@click.option("--reference", required=True)
@click.option("--note", default="")
def act_evidence(ctx: Ctx, complaint_id: str, actor: str, reference: str, note: str) -> None:
    from complaintcore.core.workflow import AttachEvidence

    _act(ctx, complaint_id, AttachEvidence(actor=actor, reference=reference, note=note))


# --------------------------------------------------------------------------- sweep / verify


@main.command()
@click.option("--json", "as_json", is_flag=True)
@pass_ctx
@guarded
def sweep(ctx: Ctx, as_json: bool) -> None:
    """Apply what deadlines call for (for cron); exits non-zero only on error."""
    report = ctx.desk().sweep(ctx.now())
    if as_json:
        click.echo(
            json.dumps(
                {
                    "examined": report.examined,
                    "escalated": [list(e) for e in report.escalated],
                    "at_risk": report.at_risk,
                    "regraded": list(report.regraded),
                    "reported_late": report.reported_late,
                }
            )
        )
        return
    ctx.out.print(
        ctx.t(
            "swept",
            examined=report.examined,
            escalated=len(report.escalated),
            at_risk=report.at_risk,
            regraded=len(report.regraded),
        )
    )


@main.command()
@pass_ctx
@guarded
def verify(ctx: Ctx) -> None:
    """Check the event hash chain (tamper evidence)."""
    report = ctx.desk().verify()
    if report.ok:
        ctx.out.print(ctx.t("verify_ok", complaints=report.complaints, events=report.events))
        return
    click.echo(ctx.t("verify_bad"), err=True)
    for problem in report.problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


# --------------------------------------------------------------------------- report


@main.command()
@click.option("--month", default=None, help="YYYY-MM (default: the current month).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv", "html"]),
    default="table",
    show_default=True,
)
@click.option(
    "--output",
    "output",
    default=None,
    type=click.Path(dir_okay=False),
    help="Write to a file instead of standard output.",
)
@pass_ctx
@guarded
def report(ctx: Ctx, month: str | None, fmt: str, output: str | None) -> None:
    """Monthly statistics (IMP-2, IMP-3, IMP-4) as a table, JSON, CSV or HTML."""
    _report(ctx, month, fmt, output)


def _report(
    ctx: Ctx, month: str | None, fmt: str, output: str | None, trend_rule: Any = None
) -> None:
    from complaintcore.core import stats

    desk = ctx.desk()
    now = ctx.now()
    if month is None:
        year, mon = now.year, now.month
    else:
        try:
            year_text, mon_text = month.split("-")
            year, mon = int(year_text), int(mon_text)
            if not 1 <= mon <= 12:
                raise ValueError
        except ValueError:
            raise InvalidInputError("--month", "expected YYYY-MM, e.g. 2025-11") from None
    result = stats.monthly_report(
        desk.store.complaints(),
        desk.pack,
        desk.calendar,
        year=year,
        month=mon,
        now=now,
        lang=ctx.lang,
        trend_rule=trend_rule,
    )
    if fmt == "json":
        text = json.dumps(stats.to_json_dict(result), ensure_ascii=False, indent=1)
    elif fmt == "csv":
        buffer = io.StringIO()
        rows = stats.to_rows(result)
        writer = csv.DictWriter(buffer, fieldnames=list(stats.ROW_FIELDS))
        writer.writeheader()
        writer.writerows(rows)
        text = buffer.getvalue()
    elif fmt == "html":
        from complaintcore.cli.report_html import render_html

        text = render_html(result, desk.pack, lang=ctx.lang)
    else:
        _print_report(ctx, result)
        return
    if output:
        Path(output).write_text(text, encoding="utf-8")
        ctx.out.print(ctx.t("written", path=output))
    else:
        click.echo(text)


def _print_report(ctx: Ctx, result: Any) -> None:
    from complaintcore.core import stats

    zh = ctx.lang == "zh"
    sections: dict[str, list[dict[str, Any]]] = {}
    for row in stats.to_rows(result):
        sections.setdefault(str(row["section"]), []).append(row)
    title = ("{0} 月度投诉统计" if zh else "Complaint statistics {0}").format(result.period.key)
    ctx.out.print(f"[bold]{title}[/bold]")
    for section, rows in sections.items():
        table = Table(title=section, show_header=True)
        table.add_column("项目" if zh else "item")
        table.add_column("指标" if zh else "metric")
        table.add_column("数值" if zh else "value", justify="right")
        table.add_column("说明" if zh else "detail")
        for row in rows[:40]:
            value = row["value"]
            shown = f"{value:.1%}" if isinstance(value, float) else str(value)
            table.add_row(str(row["label"]), str(row["metric"]), shown, str(row["detail"])[:60])
        ctx.out.print(table)


# --------------------------------------------------------------------------- packs


@main.group()
def packs() -> None:
    """Rule packs: list, show, validate."""


@packs.command("list")
@pass_ctx
@guarded
def packs_list(ctx: Ctx) -> None:
    """The shipped rule packs."""
    from complaintcore.rules import available_packs, load_pack

    for name in available_packs():
        p = load_pack(name)
        ctx.out.print(f"{name}\t{p.title_zh if ctx.lang == 'zh' else p.title_en}")


@packs.command("show")
@click.argument("name")
@pass_ctx
@guarded
def packs_show(ctx: Ctx, name: str) -> None:
    """A pack's ladder, categories and clocks."""
    from complaintcore.rules import load_pack

    p = load_pack(name)
    zh = ctx.lang == "zh"
    ctx.out.print(f"[bold]{p.name}[/bold] {p.title_zh if zh else p.title_en}")
    ctx.out.print(" → ".join(r.zh if zh else r.en for r in p.ladder))
    table = Table("code", "类别" if zh else "category", "cause", "department")
    for c in p.categories:
        table.add_row(c.code, c.zh if zh else c.en, c.cause.value, c.department)
    ctx.out.print(table)
    clocks = Table("clock", "rule", "mode", "duration", "start", "stop")
    for k in p.clocks:
        clocks.add_row(
            k.name, k.rule, k.mode.value, str(k.duration), ",".join(k.start), ",".join(k.stop)
        )
    ctx.out.print(clocks)


@packs.command("validate")
@click.argument("path", type=click.Path(dir_okay=False))
@pass_ctx
@guarded
def packs_validate(ctx: Ctx, path: str) -> None:
    """Validate a pack file; every problem is named with its key path."""
    from complaintcore.core.errors import RulePackError
    from complaintcore.rules import load_pack

    try:
        p = load_pack(Path(path))
    except RulePackError as exc:
        click.echo(f"{ctx.t('error')}: {exc.source}: {len(exc.problems)} problem(s)", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    ctx.out.print(ctx.t("pack_ok", name=p.name))


if __name__ == "__main__":  # pragma: no cover
    main()
