"""``complaintcore outbox``: the messages that could not be delivered (dead letters),
and every message still waiting (``--pending``)."""

from __future__ import annotations

from collections.abc import Callable

import click

from complaintcore.cli.context import Ctx, json_option, now_option, os_user, pass_ctx
from complaintcore.cli.errors import ExitCode
from complaintcore.cli.fit import fitted_table, say_blocks
from complaintcore.core.errors import InvalidInputError
from complaintcore.desk.ports import OutboxItem, OutboxStore
from complaintcore.i18n import N_

__all__ = ["outbox"]


@click.group(help=N_("The outbox: list, retry or drop the messages no longer tried."))
def outbox() -> None:
    pass


@outbox.command(
    "list",
    help=N_(
        "Messages given up (dead letters): after the retry limit, or at once on an error "
        "no retry can mend; --pending lists every message not yet delivered or dropped "
        "instead, with when it is tried next."
    ),
)
@click.option(
    "--pending",
    is_flag=True,
    help=N_(
        "Every message not delivered or dropped: due, waiting for a retry, being sent, or given up."
    ),
)
@click.option(
    "--limit",
    type=click.IntRange(1, 1_000_000),
    default=100,
    show_default=True,
    help=N_("At most this many messages."),
)
@json_option
@now_option
@pass_ctx
def list_dead(ctx: Ctx, pending: bool, limit: int) -> None:
    desk = ctx.desk()
    now = ctx.now()
    if not pending:
        items = desk.dead_letters(limit)
    elif isinstance(desk.store, OutboxStore):
        items = desk.store.waiting(limit)
    else:  # a host's store that cannot list them all: those that are due
        items = desk.store.pending(now, limit)
    given_up = desk.retry.max_attempts

    def state(item: OutboxItem) -> str:
        if item.attempts >= given_up:
            return "dead"
        if item.next_attempt_at is None or item.next_attempt_at <= now:
            return "due"
        return "waiting"

    zone = ctx.zone()
    if ctx.json:
        ctx.emit(
            [
                {
                    "id": i.id,
                    "notifier": i.notifier,
                    "key": i.notification.key,
                    "complaint_id": i.notification.complaint_id,
                    "topic": i.notification.topic,
                    "recipient": i.notification.recipient,
                    "attempts": i.attempts_made,  # not the store's dead-letter mark
                    "state": state(i),
                    "next_attempt_at": (  # a dead letter is tried never again
                        i.next_attempt_at.astimezone(zone).isoformat()
                        if i.next_attempt_at is not None and state(i) != "dead"
                        else None
                    ),
                    "last_error": i.last_error,
                }
                for i in items
            ]
        )
        return
    if not items:
        ctx.say(ctx.t("no messages"))
        return
    columns = [
        ctx.t("id"), ctx.t("channel"), ctx.t("complaint"), ctx.t("topic"), ctx.t("recipient"),
        ctx.t("attempts"),
    ]  # fmt: skip
    if pending:
        columns.append(ctx.t("next try"))
    headings = [*columns, ctx.t("last error")]
    cells = []
    for i in items:
        n = i.notification
        row = [
            str(i.id), i.notifier, n.complaint_id, _topic(ctx, n.topic),
            n.recipient or ctx.t("(group)"),
            str(i.attempts_made),
        ]  # fmt: skip
        if pending:
            shown = state(i)
            if shown == "waiting" and i.next_attempt_at is not None:
                row.append(i.next_attempt_at.astimezone(zone).isoformat(timespec="seconds"))
            else:
                row.append(ctx.t("given up") if shown == "dead" else ctx.t("now"))
        cells.append([*row, i.last_error or "-"])
    # nothing cut, as list shows its rows (review s40C F02: cron mail is 80 columns
    # wide, and "C-2026…" named no complaint): the error wraps, else a block each
    table = fitted_table(headings, cells, ctx.out.width, flexible={len(headings) - 1})
    if table is not None:
        ctx.say(table)
    else:
        say_blocks(ctx.out, headings, cells)


def _topic(ctx: Ctx, topic: str) -> str:
    """A message's topic for people: its code in English (``assigned``, what ``--json``
    and a template hook name), its title in another language (``投诉已指派给您``),
    as the message's subject reads it (review s52R6 F02)."""
    from complaintcore.desk.messages import TOPICS

    title = TOPICS.get(topic)
    return topic if title is None else ctx.tr.pick(ctx.t(title), topic)


def _ids(ctx: Ctx, ids: tuple[int, ...], every: bool) -> list[int]:
    if every and ids:
        raise click.UsageError(
            ctx.t("give message ids or --all-dead, not both"), click.get_current_context()
        )
    if every:
        return [i.id for i in ctx.desk().dead_letters(1_000_000)]
    if not ids:
        raise click.UsageError(
            ctx.t("give the ids of the messages (see 'outbox list'), or --all-dead"),
            click.get_current_context(),
        )
    return list(ids)


@outbox.command("retry", help=N_("Send messages again, their attempts counted afresh."))
@click.argument("ids", nargs=-1, type=click.IntRange(1, 2**63 - 1))
@click.option("--all-dead", "every", is_flag=True, help=N_("Every dead letter."))
@json_option
@now_option
@pass_ctx
def retry(ctx: Ctx, ids: tuple[int, ...], every: bool) -> None:
    desk = ctx.desk()
    chosen = _ids(ctx, ids, every)
    now = ctx.now()
    done, refused = _each(ctx, chosen, "retried", lambda i: desk.retry_message(i, now))
    if not ctx.json:
        ctx.say(ctx.n("{count} message to be sent again", "{count} messages to be sent again",
                      len(done)))  # fmt: skip
    _end(ctx, {"retried": done}, refused, deliver=True)  # the retried ones sent at once


def _each(
    ctx: Ctx, chosen: list[int], word: str, do: Callable[[int], None]
) -> tuple[list[int], list[dict[str, object]]]:
    """``do`` to every id, each on its own (review s51R1 F01): one that cannot be
    retried or dropped (unknown, settled, being sent) is refused with its reason and
    the others are still done, so a typo among the ids neither undoes nor hides the
    work on the rest.  A store failure part-way reports what was done before it."""
    done: list[int] = []
    refused: list[dict[str, object]] = []
    ctx.partial = lambda: {word: list(done), "refused": list(refused)}
    for item_id in chosen:
        try:
            do(item_id)
        except InvalidInputError as exc:
            refused.append({"id": item_id, "reason": ctx.tr.reason(exc.reason, ctx.pack())})
        else:
            done.append(item_id)
    return done, refused


def _end(
    ctx: Ctx, document: dict[str, object], refused: list[dict[str, object]], *, deliver: bool
) -> None:
    """The result of ``retry`` or ``drop``: with refusals, each id and why on standard
    error (the document's ``refused`` under ``--json``) and exit status 1."""
    if not refused:
        if ctx.json:
            ctx.emit(document)
        if deliver:
            ctx.deliver_after()  # after the result: the change is stored
        return
    lines = [ctx.t("{id}: {reason}", id=r["id"], reason=r["reason"]) for r in refused]
    if not ctx.json:
        for line in lines:
            click.echo(line, err=True)
    ctx.failed(
        ExitCode.REFUSED,
        "MessagesRefused",
        ctx.t("; ").join(lines),
        {**document, "refused": refused},
        deliver=deliver,
    )


@outbox.command("drop", help=N_("Give messages up for good; they stay on record with the reason."))
@click.argument("ids", nargs=-1, type=click.IntRange(1, 2**63 - 1))
@click.option("--all-dead", "every", is_flag=True, help=N_("Every dead letter."))
@click.option("--reason", required=True, help=N_("Why they are dropped (kept with them)."))
@click.option(
    "--actor",
    default="",
    help=N_("Your staff id, kept with the drop (the operating-system user is kept too)."),
)
@json_option
@now_option
@pass_ctx
def drop(ctx: Ctx, ids: tuple[int, ...], every: bool, reason: str, actor: str) -> None:
    from complaintcore.adapters.chain import check_reason

    desk = ctx.desk()
    if not reason.strip():
        raise InvalidInputError("--reason", ctx.t("say why the messages are dropped"))
    try:  # once, before any id (review s51D R11-F01: each id was "refused" for it)
        reason = check_reason(reason)
    except InvalidInputError as exc:
        raise InvalidInputError("--reason", exc.reason) from None
    staff_id = ""
    if actor.strip():
        member = desk.member(actor)
        if member is None:
            raise InvalidInputError("--actor", ctx.t("no such staff member in the staff file"))
        staff_id = member.staff_id
        ctx.check_identity(staff_id, "", "drop")  # --actor is the account's own staff id
    chosen = _ids(ctx, ids, every)
    now = ctx.now()
    user = os_user()
    done, refused = _each(
        ctx,
        chosen,
        "dropped",
        lambda i: desk.drop_message(i, now, reason, actor=staff_id, os_user=user),
    )
    if not ctx.json:
        ctx.say(ctx.n("{count} message dropped", "{count} messages dropped", len(done)))
    _end(ctx, {"dropped": done}, refused, deliver=False)
