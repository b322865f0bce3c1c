"""``complaintcore init``: a new SQLite desk (config, sample staff file, database)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from complaintcore.cli.context import Ctx, json_option, pass_ctx, require_pack
from complaintcore.core.errors import InvalidInputError
from complaintcore.i18n import N_

__all__ = ["init"]


@click.command(help=N_("Create a SQLite desk: config, sample staff file and database."))
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--pack", default="cn-property", show_default=True, help=N_("Rule pack name or file.")
)
@click.option("--force", is_flag=True, help=N_("Overwrite an existing config and staff file."))
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help=N_("Set a pack template's parameter, e.g. respond=15d (repeatable)."),
)
@json_option
@pass_ctx
def init(ctx: Ctx, directory: str, pack: str, force: bool, params: tuple[str, ...]) -> None:
    from complaintcore.adapters.staff import write_sample_staff
    from complaintcore.desk import Desk
    from complaintcore.desk.config import load_config
    from complaintcore.rules import load_pack

    require_pack(ctx, pack)
    parameters = _parameters(ctx, params)
    load_pack(pack, parameters=parameters or None)  # fail early on a bad pack or parameter
    root = Path(directory)
    config = root / "complaintcore.toml"
    staff = root / "staff.toml"
    if config.exists() and not force:
        raise InvalidInputError(
            "config", ctx.t("{path} exists; use --force to overwrite", path=config)
        )
    root.mkdir(parents=True, exist_ok=True)
    if staff.exists() and force:
        staff.unlink()
    if not staff.exists():
        write_sample_staff(staff, pack=pack)
    table = "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in parameters.items())
    config.write_text(
        "# complaintcore desk configuration\n"
        'database = "complaints.sqlite3"\n'
        f"pack = {json.dumps(pack)}\n"
        'staff_file = "staff.toml"\n\n'
        "[notifiers]\nlog = true\n" + (f"\n[pack_parameters]\n{table}" if table else ""),
        encoding="utf-8",
    )
    desk_config = load_config(config)
    Desk.from_config(desk_config).close()
    if ctx.json:
        ctx.emit(
            {
                "config": str(config),
                "staff_file": str(staff),
                "database": desk_config.resolve(desk_config.database),
                "pack": pack,
                "pack_parameters": parameters,
            }
        )
        return
    ctx.say(ctx.t("initialised {path}", path=str(config)))


def _parameters(ctx: Ctx, given: tuple[str, ...]) -> dict[str, str]:
    """``NAME=VALUE`` options as a mapping; a malformed one is a usage error."""
    out: dict[str, str] = {}
    for item in given:
        name, sep, value = item.partition("=")
        if not sep or not name.strip() or not value.strip():
            raise click.BadParameter(
                ctx.t("expected NAME=VALUE, e.g. respond=15d"), param_hint="'--param'"
            )
        out[name.strip()] = value.strip()
    return out
