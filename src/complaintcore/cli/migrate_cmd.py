"""``complaintcore migrate --to``: move the desk to another database, byte for byte.

SQLite to PostgreSQL when a company outgrows one machine, and back.  The
target must keep nothing for the desk's tenant yet; the source is read in one
snapshot (later writes are not copied) and its hash chains checked first,
everything goes in one transaction, and before it commits the target's chains
are verified and every chain head compared with the source's, a mismatch
rolling it back (:func:`complaintcore.adapters.transfer.copy_desk`).  The configuration is not
changed: point its ``database`` at the target when you are ready (the last line
names the target as the configuration reads it, from its own directory).

``--upgrade DATABASE`` instead applies the schema migrations a PostgreSQL desk
lacks, as the role the URL names: a desk's own role is granted only ``SELECT,
INSERT, UPDATE`` and cannot alter its tables, so their owner migrates them.
"""

from __future__ import annotations

import os
from contextlib import closing
from typing import TYPE_CHECKING

import click

from complaintcore.cli.context import Ctx, as_the_config_reads, json_option, pass_ctx
from complaintcore.cli.progress import progress
from complaintcore.core.errors import StoreError
from complaintcore.i18n import N_

if TYPE_CHECKING:
    from complaintcore.adapters.transfer import CopyReport
    from complaintcore.desk import Desk

__all__ = ["migrate"]


@click.command(
    help=N_(
        "Copy every complaint, event and message to an empty database, then verify it;"
        " or, with --upgrade, bring a PostgreSQL desk's schema up to this version."
    )
)
@click.option(
    "--to",
    "target",
    metavar="DATABASE",
    help=N_("A postgresql:// URL or a SQLite file (password: PGPASSWORD)."),
)
@click.option(
    "--upgrade",
    "upgrade",
    metavar="DATABASE",
    help=N_(
        "A postgresql:// URL naming the tables' owner: apply the migrations the desk's"
        " schema lacks, nothing else."
    ),
)
@json_option
@pass_ctx
def migrate(ctx: Ctx, target: str | None, upgrade: str | None) -> None:
    from complaintcore.adapters.stores import open_store
    from complaintcore.adapters.transfer import complete_copy, copy_desk

    if (target is None) == (upgrade is None):
        raise click.UsageError(ctx.t("give one of --to and --upgrade"))
    if upgrade is not None:
        _upgrade(ctx, upgrade)
        return
    assert target is not None
    # the desk every other command opens (a missing config refused as they refuse
    # it): a plugin's store (complaintcore_get_store) is copied, never a `database`
    # file the plugin does not read (review s34A F05)
    desk = ctx.desk()
    source = desk.store
    config = ctx.config
    assert config is not None  # set when the desk is opened
    # the target is written as the desk's own file is ([sqlite] synchronous)
    opened = open_store(
        target, tenant=config.tenant, create_tenant=True, synchronous=config.sqlite.synchronous
    )
    with closing(opened) as destination:
        # a rerun after a copy that committed but was interrupted before it said so
        report = complete_copy(source, destination)
        already = report is not None
        if report is None:
            with progress(ctx.t("copying complaints")) as step:
                report = copy_desk(source, destination, progress=step)
        # said as soon as it is committed, before the target is closed (review s38C F04)
        _say_copied(ctx, report, target, already=already)


def _say_copied(ctx: Ctx, report: CopyReport, target: str, *, already: bool) -> None:
    """The result of a copy, or of finding the target already a complete copy."""
    from complaintcore.adapters.stores import describe_database, setting_without_password

    desk = ctx.desk()
    config = ctx.config
    assert config is not None  # set when the desk is opened
    document = {
        "from": _source_named(desk, describe_database(config.resolve(config.database))),
        "to": describe_database(target),
        "tenant": config.tenant,
        "complaints": report.complaints,
        "events": report.events,
        "outbox_items": report.outbox_items,
        "chain_digest": report.chain_digest,
        "verified": True,
        "already_copied": already,
    }
    if ctx.json:
        ctx.emit(document)
        return
    counts = {
        "complaints": report.complaints,
        "events": report.events,
        "items": report.outbox_items,
        "target": describe_database(target),
    }
    if already:
        ctx.say(
            ctx.t(
                "{target} already holds a complete copy: {complaints} complaints, {events}"
                " events and {items} messages, hash chains and ledger head as in this desk;"
                " nothing copied",
                **counts,
            )
        )
    else:
        ctx.say(
            ctx.t(
                "copied {complaints} complaints, {events} events and {items} messages to"
                " {target}; hash chains verified",
                **counts,
            )
        )
    # the setting to write keeps the user (where the desk connects), never the password
    ctx.say(
        ctx.t(
            "when ready, set database in complaintcore.toml to {target}",
            target=setting_without_password(_as_the_config_reads(config.base_dir, target)),
        )
    )


def _source_named(desk: Desk, database: str) -> str:
    """The ``database`` setting, or the plugins whose store the desk may have opened
    instead (pluggy does not say which one answered)."""
    from complaintcore.desk.plugins import BUILTIN

    pm = desk.pm
    if pm is None:
        return database
    others = sorted(
        impl.plugin_name
        for impl in pm.hook.complaintcore_get_store.get_hookimpls()
        if impl.plugin_name != BUILTIN
    )
    return f"complaintcore_get_store: {', '.join(others)}" if others else database


def _as_the_config_reads(config_dir: str, target: str) -> str:
    """The target as the configuration must name it: ``--to`` finds a SQLite file
    from the current directory, the configuration from its own directory.  A file
    inside that directory is named relative to it (the directory may move), any
    other by its full path; a URL, ``:memory:`` or an absolute path as given."""
    from complaintcore.adapters.stores import MEMORY, is_postgres_url

    if target == MEMORY or is_postgres_url(target) or "://" in target or os.path.isabs(target):
        return target
    return as_the_config_reads(config_dir, target)


def _upgrade(ctx: Ctx, database: str) -> None:
    """The owner's migration of a PostgreSQL desk's schema (no tenant, no copy)."""
    from complaintcore.adapters.stores import describe_database, is_postgres_url

    if not is_postgres_url(database):
        raise click.BadParameter(
            ctx.t("expected a postgresql:// URL: a SQLite file is migrated by any command"),
            param_hint="'--upgrade'",
        )
    try:
        from complaintcore.adapters.postgres_store import upgrade_schema
    except ImportError:
        raise StoreError(
            describe_database(database),
            "needs the postgres extra: pip install 'complaintcore[postgres]'",
        ) from None
    found, now = upgrade_schema(database)
    where = describe_database(database)
    if ctx.json:
        ctx.emit({"database": where, "from_version": found, "to_version": now})
    elif found == now:
        ctx.say(
            ctx.t(
                "{database}: schema version {version}, nothing to do", database=where, version=now
            )
        )
    else:
        ctx.say(
            ctx.t(
                "{database}: schema migrated from version {found} to {now}",
                database=where,
                found=found,
                now=now,
            )
        )
