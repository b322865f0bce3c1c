"""``complaintcore migrate --to``: move the desk to another database, byte for byte.

SQLite to PostgreSQL when a company outgrows one machine, and back.  The
target must keep nothing for the desk's tenant yet; the source's hash chains
are checked first, everything goes in one transaction, and afterwards the
target's chains are verified and every chain head compared with the source's
(:func:`complaintcore.adapters.transfer.copy_desk`).  The configuration is not
changed: point its ``database`` at the target when you are ready.
"""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import click

from complaintcore.cli.context import Ctx, json_option, pass_ctx
from complaintcore.cli.errors import NotFoundError
from complaintcore.cli.progress import progress
from complaintcore.i18n import N_

__all__ = ["migrate"]


@click.command(
    help=N_("Copy every complaint, event and message to an empty database, then verify it.")
)
@click.option(
    "--to",
    "target",
    required=True,
    metavar="DATABASE",
    help=N_("A postgresql:// URL or a SQLite file (password: PGPASSWORD)."),
)
@json_option
@pass_ctx
def migrate(ctx: Ctx, target: str) -> None:
    from complaintcore.adapters.stores import describe_database, open_store
    from complaintcore.adapters.transfer import copy_desk
    from complaintcore.desk.config import load_config

    if not Path(ctx.config_path).is_file():
        raise NotFoundError(
            "config",
            ctx.t("{path} not found; run `complaintcore init` first", path=ctx.config_path),
        )
    config = load_config(ctx.config_path)
    source_at = config.resolve(config.database)
    with (
        closing(open_store(source_at, tenant=config.tenant, create=False)) as source,
        closing(open_store(target, tenant=config.tenant, create_tenant=True)) as destination,
        progress(ctx.t("copying complaints")) as step,
    ):
        report = copy_desk(source, destination, progress=step)
    document = {
        "from": describe_database(source_at),
        "to": describe_database(target),
        "tenant": config.tenant,
        "complaints": report.complaints,
        "events": report.events,
        "outbox_items": report.outbox_items,
        "chain_digest": report.chain_digest,
        "verified": True,
    }
    if ctx.json:
        ctx.emit(document)
        return
    where = describe_database(target)
    ctx.say(
        ctx.t(
            "copied {complaints} complaints, {events} events and {items} messages to {target};"
            " hash chains verified",
            complaints=report.complaints,
            events=report.events,
            items=report.outbox_items,
            target=describe_database(target),
        )
    )
    ctx.say(ctx.t("when ready, set database in complaintcore.toml to {target}", target=where))
