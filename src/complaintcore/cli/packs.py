"""``complaintcore packs``: the shipped rule packs, one pack in detail, a pack file checked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.cells import cell_len
from rich.text import Text

from complaintcore.cli.context import Ctx, json_option, pass_ctx, require_pack
from complaintcore.cli.errors import ExitCode, NotFoundError
from complaintcore.cli.fit import fitting_table, wrap
from complaintcore.cli.staged import say_staged, working_length
from complaintcore.i18n import N_

if TYPE_CHECKING:
    from complaintcore.core.errors import FieldProblem
    from complaintcore.core.rulepack import ClockSpec, RulePack

__all__ = ["environment_problems", "packs"]


@click.group(help=N_("Rule packs: list, show, validate."))
def packs() -> None:
    pass


@packs.command("list", help=N_("The shipped rule packs."))
@json_option
@pass_ctx
def packs_list(ctx: Ctx) -> None:
    from complaintcore.rules import available_packs, load_pack

    shipped = [load_pack(name) for name in available_packs()]
    if ctx.json:
        ctx.emit(
            [{"name": p.name, "title_zh": p.title_zh, "title_en": p.title_en} for p in shipped]
        )
        return
    # padded by display width, not a tab: the titles start in one column (review s45E F04)
    room = max((cell_len(p.name) for p in shipped), default=0) + 2
    for p in shipped:
        ctx.say(p.name + " " * (room - cell_len(p.name)) + ctx.tr.pick(p.title_zh, p.title_en))


@packs.command(
    "show",
    help=N_("A pack's ladder, categories and clocks (NAME: a shipped pack or a .toml file)."),
)
@click.argument("name")
@json_option
@pass_ctx
def packs_show(ctx: Ctx, name: str) -> None:
    from complaintcore.rules import load_pack

    require_pack(ctx, name, field=ctx.tr.pgettext("metavar", "NAME"))  # as the usage line shows it
    p = load_pack(name)
    if ctx.json:
        from complaintcore.serialization import to_dict

        ctx.emit(to_dict(p))
        return
    tr = ctx.tr
    ctx.say(Text.assemble((p.name, "bold"), " ", tr.pick(p.title_zh, p.title_en)))
    width = ctx.out.width  # labels wrap, never cut (review s34D F04); codes stay whole
    for line in wrap(" → ".join(tr.rung(r.code, p) for r in p.ladder), width):
        ctx.say(line)
    categories = [
        [c.code, tr.category(c.code, p), tr.label(c.cause), tr.department(c.department, p)]
        for c in p.categories
    ]
    headings = [ctx.t("code"), ctx.t("category"), ctx.t("cause"), ctx.t("department")]
    ctx.say(fitting_table(headings, categories, width, flexible=(1, 2, 3)))
    clocks = [
        [
            tr.clock(k.name, p),
            k.rule,
            tr.label(k.mode),
            _duration(ctx, k),
            " / ".join(tr.tag(tag, p) for tag in k.start),
            " / ".join(tr.tag(tag, p) for tag in k.stop),
        ]
        for k in p.clocks
    ]
    headings = [
        ctx.t("clock"), ctx.t("rule"), ctx.t("mode"), ctx.t("duration"), ctx.t("start"),
        ctx.t("stop"),
    ]  # fmt: skip
    ctx.say(fitting_table(headings, clocks, width, flexible=(0, 2, 4, 5)))
    say_staged(ctx, p)


def _duration(ctx: Ctx, clock: ClockSpec) -> str:
    """A clock's length as its mode counts it (3 working days, 24h, 1 month).

    Working time in hours, as the desk's derivation says it: ``1d`` of working
    time is 24 working hours, nearly three working days, never "1 day".
    """
    from complaintcore.core.rulepack import ClockMode

    d = clock.duration
    if clock.mode is ClockMode.WORKING_TIME and (d.days or d.minutes):
        return working_length(ctx, clock, d)
    if d.months:
        return ctx.n("{count} month", "{count} months", d.months)
    if d.days:
        return ctx.n("{count} day", "{count} days", d.days)
    if d.minutes:
        return ctx.tr.duration(d.timedelta)
    return "-"


@packs.command(
    "validate", help=N_("Validate a pack file; every problem is named with its key path (exit 1).")
)
@click.argument("path", type=click.Path(dir_okay=False))
@json_option
@pass_ctx
def packs_validate(ctx: Ctx, path: str) -> None:
    from complaintcore.core.errors import RulePackError
    from complaintcore.rules import load_pack

    if not Path(path).is_file():
        raise NotFoundError("PATH", ctx.t("no file at {path}", path=path))
    try:
        p = load_pack(Path(path))
        found = environment_problems(p)
        if found:
            raise RulePackError(path, found)
    except RulePackError as exc:
        if ctx.json:
            raise  # the error document lists every problem
        count = len(exc.problems)
        problems = ctx.n(
            "{source}: {count} problem", "{source}: {count} problems", count, source=exc.source
        )
        click.echo(ctx.t("error: {message}", message=problems), err=True)
        for problem in exc.problems:
            click.echo(f"  {ctx.tr.problem(problem.path, problem.reason)}", err=True)
        raise click.exceptions.Exit(ExitCode.REFUSED) from None
    if ctx.json:
        ctx.emit({"valid": True, "name": p.name, "source": path})
        return
    ctx.say(ctx.t("rule pack is valid: {name}", name=p.name))


def environment_problems(pack: RulePack) -> list[FieldProblem]:
    """What only the installed environment knows about a pack, each with its key path:
    the holiday source's calendars and the message catalogs of its ``languages``.

    The loader, pure, cannot ask; ``packs validate`` and ``init`` do, so the desk
    opens what passes them.
    """
    from complaintcore.adapters.calendars import calendar_problems
    from complaintcore.desk.messages import language_problems

    return [*calendar_problems(pack.calendar), *language_problems(pack.languages)]
