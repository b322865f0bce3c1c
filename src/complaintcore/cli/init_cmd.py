"""``complaintcore init``: a new desk (config, sample staff file, database).

The database is a SQLite file beside the config unless ``--database`` names a
PostgreSQL server (``postgresql://…``); ``--tenant`` registers the desk's
tenant in it, also in a database that already keeps other tenants' desks.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import click

from complaintcore.cli.context import (
    Ctx,
    as_the_config_reads,
    is_pack_file,
    json_option,
    pass_ctx,
    require_pack,
)
from complaintcore.cli.errors import one_line
from complaintcore.core.errors import ComplaintCoreError, InvalidInputError, RulePackError
from complaintcore.i18n import N_

if TYPE_CHECKING:
    from complaintcore.core.rulepack import RulePack
    from complaintcore.desk.ports import ComplaintStore

__all__ = ["init"]


@click.command(
    help=N_("Create a desk: config, sample staff file and database (SQLite or PostgreSQL).")
)
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option(
    "--pack", default="cn-property", show_default=True, help=N_("Rule pack name or file.")
)
@click.option(
    "--database",
    default="complaints.sqlite3",
    show_default=True,
    help=N_("A SQLite file (beside the config) or a postgresql:// URL (password: PGPASSWORD)."),
)
@click.option(
    "--tenant",
    default="default",
    show_default=True,
    help=N_("The company or estate group whose desk this is (one database keeps many)."),
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
def init(
    ctx: Ctx,
    directory: str,
    pack: str,
    database: str,
    tenant: str,
    force: bool,
    params: tuple[str, ...],
) -> None:
    from complaintcore.adapters.staff import write_sample_staff
    from complaintcore.adapters.stores import describe_database, open_store
    from complaintcore.cli.packs import environment_problems
    from complaintcore.desk import Desk
    from complaintcore.desk.config import DeskConfig, load_config
    from complaintcore.desk.ports import check_tenant
    from complaintcore.rules import load_pack

    require_pack(ctx, pack)
    parameters = _parameters(ctx, params)
    # fail early on a bad pack or parameter, and on what only the environment knows
    # (the holiday source, the message catalogs): nothing is written for a pack
    # the desk could not open
    rules = load_pack(pack, parameters=parameters or None)
    found = environment_problems(rules)
    if found:
        raise RulePackError(pack, found)
    languages = _languages(ctx, rules)
    check_tenant(tenant)
    root = Path(directory)
    written = _as_seen_from(root, pack)
    config = root / "complaintcore.toml"
    staff = root / "staff.toml"
    if config.exists() and not force:
        raise InvalidInputError(
            "config", ctx.t("{path} exists; use --force to overwrite", path=config)
        )
    keep_staff = _staff_kept(ctx, staff, rules, force)
    where = DeskConfig(database=database, base_dir=str(root)).resolve(database)
    with _undone_on_failure(ctx, root, config, staff, where) as opened:
        root.mkdir(parents=True, exist_ok=True)
        # The database first: a wrong URL or a server that is down leaves no config
        # behind.  The tenant is registered on purpose here; opening a desk later
        # refuses a database that keeps other tenants' desks but not this one.
        # The store stays open until the end, so a failure can take the tenant back.
        opened.store = open_store(where, tenant=tenant, create_tenant=True)
        if not keep_staff:
            staff.unlink(missing_ok=True)
            write_sample_staff(staff, pack=rules.name)
        table = "".join(f"{json.dumps(k)} = {json.dumps(v)}\n" for k, v in parameters.items())
        _write_private(
            config,
            "# complaintcore desk configuration\n"
            f"database = {json.dumps(database, ensure_ascii=False)}\n"
            + (f"tenant = {json.dumps(tenant)}\n" if tenant != "default" else "")
            + f"pack = {json.dumps(written, ensure_ascii=False)}\n"
            'staff_file = "staff.toml"\n'
            f"languages = {json.dumps(languages)}   # notifications, in order (docs/i18n.md)\n\n"
            "[notifiers]\nlog = true\n" + (f"\n[pack_parameters]\n{table}" if table else ""),
        )
        Desk.from_config(load_config(config)).close()
    if ctx.json:
        ctx.emit(
            {
                "config": str(config),
                "staff_file": str(staff),
                "database": describe_database(where),
                "tenant": tenant,
                "pack": written,
                "pack_parameters": parameters,
                "languages": languages,
            }
        )
        return
    ctx.say(ctx.t("initialised {path}", path=str(config)))


def _write_private(path: Path, text: str) -> None:
    """The configuration, in UTF-8, made readable by its owner alone (it is where
    webhook URLs and their tokens go; review s50P F05); one kept by ``--force``
    keeps its permissions."""
    from complaintcore.adapters.private_files import open_private

    with os.fdopen(open_private(path, overwrite=True), "wb") as fh:
        fh.write(text.encode("utf-8"))


def _staff_kept(ctx: Ctx, staff: Path, pack: RulePack, force: bool) -> bool:
    """Whether ``init`` keeps the staff file there rather than write the sample.

    The desk reads the file against the pack's ladder and departments, so a kept
    file must fit them, and the sample is written only where it fits (a pack file
    with a ladder of its own has none): else refused before anything is written.
    """
    from complaintcore.adapters.staff import load_sample_staff, load_staff_file
    from complaintcore.core.errors import SerializationError

    try:
        load_sample_staff(pack=pack)
        fits = True
    except SerializationError:
        fits = False
    keep = staff.exists() and not (force and fits)
    if keep and staff.is_file():
        load_staff_file(staff, pack=pack)
    elif not keep and not fits:
        raise InvalidInputError(
            "staff_file",
            ctx.t(
                N_(
                    "no sample staff file fits pack {pack}: write {path} for its rungs "
                    "({rungs}) and departments ({departments}) first, then run init again "
                    "(docs/staff-directory.md)"
                ),
                pack=pack.name,
                path=str(staff),
                rungs=", ".join(r.code for r in pack.ladder),
                departments=", ".join(d.code for d in pack.departments),
            ),
        )
    return keep


def _as_seen_from(root: Path, pack: str) -> str:
    """A pack file named on the command line is found from the current directory; the
    configuration finds its files from its own: a file inside the desk's directory
    is written relative to it (the directory may move), any other by its full path."""
    if not is_pack_file(pack):
        return pack
    return as_the_config_reads(root, pack)


def _languages(ctx: Ctx, pack: RulePack) -> list[str]:
    """The desk's notification languages: the pack's (English for the UK and Scottish
    packs; Chinese, then English if it names none), with ``--lang``, when given,
    first."""
    from complaintcore.desk.messages import DEFAULT_LANGUAGES

    base = list(pack.languages or DEFAULT_LANGUAGES)
    if not ctx.lang_given:
        return base
    return [ctx.lang, *(lang for lang in base if lang != ctx.lang)]


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


@runtime_checkable
class _Registering(Protocol):
    """A store that can take back the tenant its opening registered (SQLite, PostgreSQL)."""

    @property
    def registered_tenant(self) -> bool: ...

    def unregister_tenant(self) -> bool: ...


class _Opened:
    """The store ``init`` opened (and registered the tenant in), for the undo."""

    store: ComplaintStore | None = None


@contextmanager
def _undone_on_failure(
    ctx: Ctx, root: Path, config: Path, staff: Path, database: str
) -> Iterator[_Opened]:
    """Put the directory and the database back as they were if ``init`` fails half-way.

    A desk whose config is written but which cannot open fails every later command
    with the same error; without the files the next ``init`` starts clean.  Files
    that were there before (``--force``) get their old text back; a SQLite file
    made here is removed, and a tenant this run registered on PostgreSQL or in a
    SQLite file that was there is unregistered if nothing of it was stored, so the
    database does not list a tenant without a desk.
    """
    made = [d for d in (root, *root.parents) if not d.exists()]  # by mkdir(parents=True)
    kept = {path: path.read_bytes() for path in (config, staff) if path.is_file()}
    sqlite = None
    if "://" not in database and database != ":memory:":
        # as the system will find it once the new directories are made: through
        # "new/../shared.db" an existing file is not there yet, and was removed
        sqlite = Path(os.path.realpath(database))
    made_db = sqlite is not None and not sqlite.exists()
    opened = _Opened()
    try:
        yield opened
    except BaseException:
        if opened.store is not None:
            if not made_db:  # a file made here is removed whole, below
                _unregister(ctx, opened.store)
            opened.store.close()
        for path in (config, staff):
            if path in kept:
                path.write_bytes(kept[path])
            else:
                path.unlink(missing_ok=True)
        if made_db and sqlite is not None:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{sqlite}{suffix}").unlink(missing_ok=True)
        for folder in made:  # innermost first
            try:
                os.rmdir(folder)
            except OSError:  # something else is in it now: leave it
                break
        raise
    if opened.store is not None:
        opened.store.close()


def _unregister(ctx: Ctx, store: ComplaintStore) -> None:
    """Take back the tenant ``store`` registered if nothing of it is stored (the store
    checks, in one transaction); when the database refuses (a role without
    ``DELETE``, a server gone), say so on standard error: ``init``'s own error,
    reported next, is what failed."""
    if not isinstance(store, _Registering) or not store.registered_tenant:
        return
    try:
        store.unregister_tenant()
    except ComplaintCoreError as exc:
        text = ctx.t(
            N_("tenant {tenant} stays registered in the database: {error}"),
            tenant=store.tenant,
            error=one_line(exc, ctx.tr),
        )
        click.echo(ctx.t("warning: {text}", text=text), err=True)
