"""``complaintcore schema``: the JSON Schema of a command, an event or the intake."""

from __future__ import annotations

import click

from complaintcore.cli.context import Ctx, json_option, pass_ctx, write_utf8
from complaintcore.i18n import N_

__all__ = ["schema"]


@click.command(
    help=N_(
        "Print the JSON Schema of NAME (a command, an event, 'intake'), or all of them.\n\n"
        "The output is JSON either way; --json is accepted for symmetry."
    )
)
@click.argument("name", required=False)
@json_option
@pass_ctx
def schema(ctx: Ctx, name: str | None) -> None:
    from complaintcore.schemas import schema_text

    write_utf8(schema_text(name), nl=False)
