"""``complaintcore demo``: a simulated quarter into SQLite, then the monthly report."""

from __future__ import annotations

from pathlib import Path

import click

from complaintcore.cli.context import Ctx, json_option, pass_ctx
from complaintcore.cli.progress import progress
from complaintcore.cli.report import monthly, report_format, write_report
from complaintcore.i18n import N_

__all__ = ["demo"]

MAX_COMPLAINTS = 1_000_000


@click.command(
    help=N_("Simulate a quarter of complaints into SQLite and print the monthly report.")
)
@click.argument("directory", default="complaintcore-demo", type=click.Path(file_okay=False))
@click.option(
    "--complaints",
    type=click.IntRange(20, MAX_COMPLAINTS),
    default=400,
    show_default=True,
    help=N_("How many complaints."),
)
@click.option(
    "--seed", default=2025, show_default=True, help=N_("Random seed (same seed, same demo).")
)
@click.option("--force", is_flag=True, help=N_("Replace a demo already in DIRECTORY."))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"], case_sensitive=False),
    default=None,
    help=N_("Output format  [default: table; --json is --format json]."),
)
@json_option
@pass_ctx
def demo(
    ctx: Ctx, directory: str, complaints: int, seed: int, force: bool, fmt: str | None
) -> None:
    from complaintcore.cli.demo import run_demo

    fmt = report_format(ctx, fmt)
    with progress(ctx.t("simulating")) as step:
        result = run_demo(
            Path(directory), seed=seed, complaints=complaints, progress=step, overwrite=force
        )
    ctx.config_path = str(result.config_path)
    ctx.now_given = result.now
    # IMP-4 compares with the months that have data: the simulated ones only
    report = monthly(ctx, result.last_month)
    counts = result.counts()
    if ctx.json:
        simulated = {**counts, "config": str(result.config_path), "database": str(result.database)}
        write_report(ctx, report, fmt, None, extra={"demo": simulated})
        return
    write_report(ctx, report, fmt, None)
    ctx.say(
        ctx.t(
            "simulated: {received} received, {closed} closed, {escalated} escalated, "
            "{reopened} reopened, {repeats} repeats",
            **counts,
        )
    )
    ctx.say(ctx.t("wrote {path}", path=str(result.database)))
