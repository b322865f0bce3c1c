"""``complaintcore schema``: the JSON Schema of a command, an event or the intake."""

from __future__ import annotations

import click

from complaintcore.cli.context import Ctx, json_option, pass_ctx

__all__ = ["schema"]


@click.command()
@click.argument("name", required=False)
@json_option
@pass_ctx
def schema(ctx: Ctx, name: str | None) -> None:
    """Print the JSON Schema of NAME (a command, an event, 'intake'), or all of them.

    The output is JSON either way; --json is accepted for symmetry.
    """
    from complaintcore.schemas import schema_text

    click.echo(schema_text(name), nl=False)
