"""Hook specifications: how a host plugs its own parts into complaintcore.

Every hook is called with keyword arguments.  The built-in adapters implement
the ``get_*`` hooks with ``trylast=True``, so any host plugin that returns a
value wins.  Each hook is documented in ``docs/hooks.md`` (a test checks).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from complaintcore.core.calendar import WorkingCalendar
    from complaintcore.core.classification import Classification
    from complaintcore.core.models import Complaint, Event
    from complaintcore.core.rulepack import CalendarSpec, RulePack
    from complaintcore.desk.config import DeskConfig
    from complaintcore.desk.messages import NotificationTemplate
    from complaintcore.desk.ports import ComplaintStore, Notifier, StaffDirectory

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("complaintcore")
hookimpl = pluggy.HookimplMarker("complaintcore")


# --------------------------------------------------------------------------- the parts


@hookspec(firstresult=True)
def complaintcore_get_store(config: DeskConfig) -> ComplaintStore | None:
    """Supply the complaint store: events, projection and outbox.

    :param config: the desk configuration.
    :returns: a :class:`~complaintcore.desk.ports.ComplaintStore`, or None to let
        another plugin answer.

    Stops at the first non-None result.  Built in: SQLite at ``config.database``
    (a ``postgresql://`` URL gives the PostgreSQL store, ``":memory:"`` the
    in-memory one), for ``config.tenant``.  A store keeps the contract that
    :class:`complaintcore.testing.StoreContract` checks.
    """


@hookspec(firstresult=True)
def complaintcore_get_staff_directory(config: DeskConfig) -> StaffDirectory | None:
    """Supply the staff directory: who works where, at which rung, and when.

    :param config: the desk configuration.
    :returns: a :class:`~complaintcore.desk.ports.StaffDirectory`, or None.

    Stops at the first non-None result.  Built in: ``config.staff_file`` (TOML
    or CSV), or an empty directory.
    """


@hookspec(firstresult=True)
def complaintcore_get_calendar(
    name: str, spec: CalendarSpec, config: DeskConfig
) -> WorkingCalendar | None:
    """Supply the working calendar a rule pack's clocks run on.

    :param name: the calendar's name in the pack (a country code such as
        ``"CN"``, or ``""`` for no public holidays).
    :param spec: the pack's whole ``[calendar]`` table.
    :param config: the desk configuration.
    :returns: a :class:`~complaintcore.core.calendar.WorkingCalendar`, or None.

    Stops at the first non-None result.  Built in: the ``holidays`` package.
    """


@hookspec
def complaintcore_get_notifiers(config: DeskConfig) -> Sequence[Notifier]:
    """Supply notification channels; every plugin's channels are used.

    :param config: the desk configuration.
    :returns: a list of :class:`~complaintcore.desk.ports.Notifier` (may be empty).

    Built in: the channels in ``config.notifiers`` (log by default).
    """
    return ()


@hookspec
def complaintcore_register_rule_packs(register: Callable[[str, RulePack], None]) -> None:
    """Offer extra rule packs by name.

    :param register: call ``register(name, pack)`` for each pack; the pack may be
        loaded with :func:`complaintcore.rules.load_pack` from the plugin's own file.
    """


# --------------------------------------------------------------------------- behaviour


@hookspec(firstresult=True)
def complaintcore_classify(complaint: Complaint, pack: RulePack) -> Classification | None:
    """Classify a complaint instead of the pack's keyword rules (CLS-1..4).

    :param complaint: the registered complaint.
    :param pack: the rule pack in use; the category returned must be one of its.
    :returns: a :class:`~complaintcore.core.classification.Classification`, or None to
        fall back to the keyword rules.

    Stops at the first non-None result.
    """


@hookspec(firstresult=True)
def complaintcore_notification_template(topic: str, lang: str) -> NotificationTemplate | None:
    """Word a notification topic your own way, in one language.

    :param topic: the topic (``assigned``, ``escalated``, ``at_risk`` …; every
        key of ``complaintcore.desk.messages.TOPICS``).
    :param lang: a language the desk writes in (``zh``, ``en``, or one a host
        added a catalog for).
    :returns: a :class:`~complaintcore.desk.messages.NotificationTemplate`, or None
        to keep the message catalogs' wording.

    Stops at the first non-None result.  Asked once per topic and language when
    the desk is built; a template with an unknown field is refused then.
    """


@hookspec
def complaintcore_on_events(complaint: Complaint, events: Sequence[Event]) -> None:
    """Hear about events after they are committed: audit, analytics, integration.

    :param complaint: the complaint after the events.
    :param events: the events just appended, in order.

    Called for every plugin; an exception here is logged and does not undo the
    committed events.  It runs before the commit's messages can be delivered, by
    any delivery pass, on a store that holds them meanwhile (a
    :class:`~complaintcore.desk.ports.ListenerHoldStore`: the built-in ones), at
    most ``LISTENER_HOLD`` (five minutes) after the write on the store's clock,
    whatever ``now`` the desk or a delivery pass runs at.
    """
