"""``complaintcore packs``: the shipped rule packs, one pack in detail, a pack file checked."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table
from rich.text import Text

from complaintcore.cli.context import Ctx, json_option, pass_ctx, require_pack
from complaintcore.cli.errors import ExitCode, NotFoundError

__all__ = ["packs"]


@click.group()
def packs() -> None:
    """Rule packs: list, show, validate."""


@packs.command("list")
@json_option
@pass_ctx
def packs_list(ctx: Ctx) -> None:
    """The shipped rule packs."""
    from complaintcore.rules import available_packs, load_pack

    shipped = [load_pack(name) for name in available_packs()]
    if ctx.json:
        ctx.emit(
            [{"name": p.name, "title_zh": p.title_zh, "title_en": p.title_en} for p in shipped]
        )
        return
    for p in shipped:
        ctx.say(f"{p.name}\t{p.title_zh if ctx.lang == 'zh' else p.title_en}")


@packs.command("show")
@click.argument("name")
@json_option
@pass_ctx
def packs_show(ctx: Ctx, name: str) -> None:
    """A pack's ladder, categories and clocks (NAME: a shipped pack or a .toml file)."""
    from complaintcore.rules import load_pack

    require_pack(ctx, name, field="NAME")
    p = load_pack(name)
    if ctx.json:
        from complaintcore.serialization import to_dict

        ctx.emit(to_dict(p))
        return
    zh = ctx.lang == "zh"
    ctx.say(Text.assemble((p.name, "bold"), " ", p.title_zh if zh else p.title_en))
    ctx.say(" → ".join(r.zh if zh else r.en for r in p.ladder))
    table = Table(
        ctx.t("col_code"), ctx.t("col_category"), ctx.t("col_cause"), ctx.t("col_department")
    )
    for c in p.categories:
        table.add_row(c.code, c.zh if zh else c.en, c.cause.label(ctx.lang), c.department)
    ctx.say(table)
    headers = ("col_clock", "col_rule", "col_mode", "col_duration", "col_start", "col_stop")
    clocks = Table(*(ctx.t(key) for key in headers))
    for k in p.clocks:
        clocks.add_row(
            k.name,
            k.rule,
            k.mode.label(ctx.lang),
            str(k.duration),
            ",".join(k.start),
            ",".join(k.stop),
        )
    ctx.say(clocks)


@packs.command("validate")
@click.argument("path", type=click.Path(dir_okay=False))
@json_option
@pass_ctx
def packs_validate(ctx: Ctx, path: str) -> None:
    """Validate a pack file; every problem is named with its key path (exit 1)."""
    from complaintcore.core.errors import RulePackError
    from complaintcore.rules import load_pack

    if not Path(path).is_file():
        raise NotFoundError("PATH", ctx.t("no_file", path=path))
    try:
        p = load_pack(Path(path))
    except RulePackError as exc:
        if ctx.json:
            raise  # the error document lists every problem
        click.echo(
            f"{ctx.t('error')}: {ctx.t('pack_bad', source=exc.source, count=len(exc.problems))}",
            err=True,
        )
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        raise click.exceptions.Exit(ExitCode.REFUSED) from None
    if ctx.json:
        ctx.emit({"valid": True, "name": p.name, "source": path})
        return
    ctx.say(ctx.t("pack_ok", name=p.name))
