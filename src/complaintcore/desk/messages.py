"""What the desk tells people, rendered per recipient (PRV-1) in the desk's languages.

Each notification has a topic (``assigned``, ``escalated`` …).  Its subject and
body are rendered from a template per topic and language: the message catalogs'
default (:mod:`complaintcore.i18n`), or a :class:`NotificationTemplate` a host
plugin returns from the ``complaintcore_notification_template`` hook.  A desk
writes in its ``languages`` (Chinese then English by default): the subject is
``[<id>] `` and each language's subject joined by `` / ``, the body each
language's body, a blank line apart.

A message shows the complainant's name, phone and room only to recipients who
need them (:func:`complaintcore.desk.access.sees_personal_data`); everyone else
gets masked values, also where the complainant wrote them into the summary.
Templates see the values already masked, so no template can leak them.
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime

import attrs
import pluggy

from complaintcore.core import notes
from complaintcore.core.errors import FieldProblem, InvalidInputError
from complaintcore.core.models import Complainant, Complaint, LabelledEnum, mask
from complaintcore.core.privacy import Literals, redact, shown_site
from complaintcore.core.rulepack import RulePack
from complaintcore.desk.access import sees_personal_data
from complaintcore.desk.masking import fellows_in
from complaintcore.desk.plugins import AWAITABLE_ANSWER, asked, closed_awaitable
from complaintcore.desk.ports import Notification, StaffMember
from complaintcore.i18n import N_, Translator, available_languages, resolve_language, translator

__all__ = [
    "DEFAULT_LANGUAGES",
    "FIELDS",
    "TOPICS",
    "Detail",
    "Messages",
    "NotificationTemplate",
    "language_problems",
]

TOPICS: dict[str, str] = {
    "assigned": N_("A complaint has been assigned to you"),
    "escalated": N_("A complaint has been escalated"),
    "urgent": N_("Urgent: report at once (HDL-6)"),
    "help_requested": N_("Your department's help is requested (HDL-4)"),
    "help_given": N_("A helping department has recorded its part (HDL-4)"),
    "unassignable": N_("Nobody at the site can take a complaint on: arrange its handling (IN-2)"),
    "unanswerable": N_("A complaint cannot be answered at once (REC-4)"),
    "at_risk": N_("A complaint deadline is at risk (DL-7)"),
    "breached": N_("A complaint deadline has been missed (DL-7)"),
    "late_department": N_("A department missed its deadline (ESC-6)"),
    "meeting_agenda": N_("Major issue from a return visit: put on the meeting agenda (VIS-4)"),
    "unsatisfied_after_closure": N_(
        "Not satisfied at a return visit after closure: reopen or visit again (VIS-1)"
    ),
    "reopened": N_("A complaint has been reopened and is back in handling (VIS-1)"),
    "stage_left": N_("A complaint you held went to its next stage: it is no longer yours (ESC-5)"),
    "sign_off": N_("Written complaint closed: supervisor sign-off (REC-6)"),
    "duty_owed": N_("A duty is owed"),
    "duty_at_risk": N_("A duty is due soon (DL-7)"),
    "duty_overdue": N_("A duty is overdue (DL-7)"),
    "concentrated_issue": N_("Concentrated issue: one unified explanation for everyone (HDL-5)"),
    "group_incident": N_("Group incident: reported to you at once (HDL-6)"),
    "measure_owed": N_("A corrective or preventive measure is yours to carry out (IMP-1)"),
    "measure_at_risk": N_("A measure is due soon (IMP-1)"),
    "measure_overdue": N_("A measure is overdue (IMP-1)"),
    "raised_repeatedly": N_("A matter has been raised repeatedly (GRD-2)"),
    "severe_sanction": N_("Severe case reported to the company (PEN-2)"),
    "severe_month": N_("A staff member's month reached its limit: for the company (PEN-2)"),
}
"""Every topic the desk notifies about, with its title (a catalog message id)."""

NOTIFICATION_TOPICS: tuple[str, ...] = tuple(TOPICS)
"""The topics a ``complaintcore_notification_template`` hook is asked about."""

DEFAULT_LANGUAGES = ("zh", "en")
"""A desk's notification languages unless its configuration says otherwise."""

FIELDS = (
    "id",
    "topic",
    "title",
    "site",
    "summary",
    "category",
    "grade",
    "rung",
    "complainant",
    "name",
    "phone",
    "room",
    "details",
)
"""The ``{fields}`` a template may use.  ``name``, ``phone``, ``room``, ``summary``
and ``complainant`` are masked for a recipient who need not see them (PRV-1);
``details`` are the topic's extra lines (a trigger, a reason, a clock)."""

_SUBJECT = "{title}"
_BODY = N_(
    "ID: {id}\n"
    "site: {site}\n"
    "summary: {summary}\n"
    "category: {category}; grade: {grade}; rung: {rung}\n"
    "complainant: {complainant}\n"
    "{details}"
)


@attrs.frozen
class NotificationTemplate:
    """How one topic reads in one language: ``str.format`` templates over :data:`FIELDS`.

    For example ``NotificationTemplate(subject="请处理：{title}", body="{summary}\\n{details}")``.
    A template may use only the named fields, without attribute or index access
    (``{id.x}``, ``{id[0]}``); the desk checks every template when it is built.
    """

    subject: str
    body: str


@attrs.frozen
class Detail:
    """One extra line of a notification: a label (a catalog message id) and its value.

    The value is text as written, an enum member (shown by its label), a pack
    code of ``kind`` ``department``, ``rung``, ``clock``, ``duty`` or ``stage`` (shown by
    the pack's label), a command's name (``kind`` ``command``), or a note the
    library may have written (``kind`` ``note``: one of
    :func:`complaintcore.core.notes.halves`' bilingual notes shows the reader's
    half, any other text as written).  A pack's rule id (``kind`` ``rule``) and
    a time the desk computed (``time``) and a site's code (``site``) are shown as
    they are, and are never
    read as text someone wrote.
    """

    label: str
    value: str | LabelledEnum
    kind: str = ""


def _key(complaint_id: str, topic: str, recipient: str, discriminator: str, scope: str = "") -> str:
    if scope:
        raw = f"scope|{scope}|{topic}|{recipient}|{discriminator}"
        return f"{topic}:{hashlib.sha256(raw.encode()).hexdigest()[:16]}"
    raw = f"{complaint_id}|{topic}|{recipient}|{discriminator}"
    return f"{complaint_id}:{topic}:{hashlib.sha256(raw.encode()).hexdigest()[:16]}"


def _check(text: object, path: str) -> str:
    """A template string that uses only :data:`FIELDS`; the error names the bad one."""
    if not isinstance(text, str):
        raise InvalidInputError(path, "must be text")
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise InvalidInputError(path, f"not a format string ({exc})") from None
    for _literal, name, spec, _conversion in parsed:
        if name is None:
            continue
        if name in FIELDS and spec and "{" in spec:  # could pull a field in through the spec
            raise InvalidInputError(
                path, f"{{{name}:{spec}}}: a field inside a format spec is not allowed"
            )
        if name not in FIELDS:
            allowed = ", ".join(FIELDS)
            raise InvalidInputError(path, f"unknown field {{{name}}}; expected one of {allowed}")
    return text


def language_problems(languages: Sequence[object]) -> list[FieldProblem]:
    """Every language without a catalog here, as ``languages[i]``.

    What only the installed catalogs (and ``COMPLAINTCORE_LOCALE_PATH``) know, so
    ``packs validate`` and ``init`` ask before a desk is written whose
    notifications could not be (a pack's ``languages = ["fr"]``).
    """
    known = ", ".join(available_languages())
    return [
        FieldProblem(f"languages[{i}]", f"no catalog; expected one of {known}")
        for i, lang in enumerate(languages)
        if not isinstance(lang, str) or resolve_language(lang) is None
    ]


def _asked(hook: pluggy.HookRelay, topic: str, lang: str, path: str) -> object:
    """The hook's template for ``topic`` in ``lang``; a hook that raised is a
    :class:`~complaintcore.core.errors.HookError` naming the topic and language it
    was asked for and the exception's type only, as every other hook's is: its text
    may quote a password or a person (PRV-1; review s55R2 F02).  Its own error is
    kept as the cause."""
    return asked(
        "complaintcore_notification_template",
        lambda: hook.complaintcore_notification_template(topic=topic, lang=lang),
        path,
    )


class Messages:
    """The desk's notification texts: its languages and each topic's templates.

    :param languages: the languages every notification is written in, in order;
        each must have a catalog (``zh``, ``en`` or one a host added).
    :param plugin_manager: asked once per topic and language for a template
        (``complaintcore_notification_template``); None uses the catalogs' own.
    :raises InvalidInputError: a language without a catalog, a host template
        with an unknown field (``notification_template.assigned.zh.subject``).
    :raises HookError: a template hook that raised
        (``notification_template.assigned.zh``).
    """

    def __init__(
        self,
        languages: Sequence[str] = DEFAULT_LANGUAGES,
        plugin_manager: pluggy.PluginManager | None = None,
    ) -> None:
        if isinstance(languages, str) or not languages:
            raise InvalidInputError("languages", "expected a non-empty list of languages")
        for problem in language_problems(languages):
            raise InvalidInputError(problem.path, problem.reason)
        codes: list[str] = []
        for lang in languages:
            code = resolve_language(lang)
            if code is not None and code not in codes:
                codes.append(code)
        self.languages = tuple(codes)
        self._translators = {code: translator(code) for code in codes}
        for code, t in self._translators.items():  # a host's catalog may reword the default
            _check(t.gettext(_BODY), f"catalog.{code}.notification_body")
        self._templates: dict[tuple[str, str], NotificationTemplate] = {}
        hook = plugin_manager.hook if plugin_manager is not None else None
        for topic in TOPICS:
            for code in codes:
                path = f"notification_template.{topic}.{code}"
                found = _asked(hook, topic, code, path) if hook is not None else None
                if found is None:
                    continue
                if closed_awaitable(found):
                    raise InvalidInputError(path, AWAITABLE_ANSWER)
                if not isinstance(found, NotificationTemplate):
                    raise InvalidInputError(path, "expected a NotificationTemplate")
                _check(found.subject, f"{path}.subject")
                _check(found.body, f"{path}.body")
                self._templates[topic, code] = found
        # the catalogs' default body per language, read once (checked above)
        self._bodies = {code: t.gettext(_BODY) for code, t in self._translators.items()}
        # translated labels by language, topic, category, grade and rung, for one pack
        # at a time: a bulk batch's notifications mostly repeat them
        self._labels: dict[tuple[str, ...], tuple[str, str, str, str]] = {}
        self._labels_pack: RulePack | None = None
        self._last_hidden: tuple[tuple[str, tuple[str, ...]], str] = (("", ()), "")
        # the other members one complaint's texts name, for its next message (s56R5 F01)
        self._last_found: tuple[str, Sequence[Complainant] | Literals, tuple[str, ...]] = (
            "",
            (),
            (),
        )

    def template(self, topic: str, lang: str) -> NotificationTemplate:
        """The template of ``topic`` in ``lang``: the host's, else the catalog's."""
        own = self._templates.get((topic, lang))
        if own is not None:
            return own
        return NotificationTemplate(_SUBJECT, self._bodies[lang])

    def render(
        self,
        complaint: Complaint,
        topic: str,
        recipient: StaffMember,
        pack: RulePack,
        *,
        at: datetime,
        discriminator: str,
        detail: Sequence[str | Detail] = (),
        group: bool = False,
        scope: str = "",
        others: Sequence[Complainant] | Literals = (),
        sites: Callable[[], Collection[str]] = frozenset,
        rung: str = "",
    ) -> Notification:
        """One notification; ``discriminator`` makes the dedupe key (same -> sent once).

        The key is the complaint's unless a ``scope`` is given: then one message
        per scope, topic and recipient, whichever complaint raised it (PEN-2: a
        person's month is reported once, by whichever sanction finds it severe).

        A ``detail`` given as text is shown as it is, in every language.  With
        ``group``, the post for a group chat: everyone it concerns gets the
        same key (no recipient in it, none on the notification), and personal
        data is masked, as for a recipient who need not see it: a group's
        readers are not known to the desk (PRV-1).  ``others`` are complainants
        of other complaints its texts may name, masked there too in a masked
        message: the other members of its concentrated issue (HDL-5), whose
        names a text given to the whole issue or the summary may hold (review
        s56R5 F01), or their literals prepared once for the issue.
        ``sites`` gives the site codes the desk names
        (a function such as :meth:`Desk.known_sites
        <complaintcore.desk.service.Desk.known_sites>` itself, not its result),
        called only for a masked message: any other site is free text a name or a
        phone may have been typed into, redacted as ``show`` redacts it (review
        s47D F01).  ``rung``: the rung the message names, when not the complaint's
        own now (an escalation the same commit went on past, review s51R1 F04); who
        sees personal data is read from the complaint as it is.
        """
        person = complaint.intake.complainant
        full = not group and sees_personal_data(recipient, complaint, pack)
        secrets: tuple[str, ...] = () if full else (person.name, person.phone, person.room)
        if others and not full:  # only the names and rooms its texts may hold
            written = [d if isinstance(d, str) else d.value for d in detail]
            # the summary (review s56R5 F01), a site typed as free text, a written detail
            site_typed = complaint.intake.site or person.site
            texts = [
                complaint.intake.summary,
                site_typed,
                *(w for w in written if isinstance(w, str)),
            ]
            text = "\n".join(texts)
            seen = self._last_found
            if seen[0] == text and (seen[1] is others or seen[1] == others):
                found = seen[2]
            else:  # one complaint's messages come one after another
                found = tuple(fellows_in(text, others))
                self._last_found = (text, others, found)
            secrets += found

        def hide(text: str) -> str:
            return text if full else redact(text, also=secrets)

        summary = complaint.intake.summary
        if not full:
            # the same masked summary for every language and every recipient who
            # need not see it: one complaint's messages come one after another
            last = self._last_hidden
            if last[0] == (summary, secrets):
                summary = last[1]
            else:
                hidden = hide(summary)
                self._last_hidden = ((summary, secrets), hidden)
                summary = hidden
        shown = {
            "name": person.name if full else mask(person.name),
            "phone": person.phone if full else mask(person.phone),
            "room": person.room if full else mask(person.room),
        }
        site = complaint.intake.site or person.site
        if site and not full:  # a site the desk does not name is typed text (PRV-1)
            shown["site"] = shown_site(site, sites(), also=secrets)
        subjects, bodies = [], []
        for lang in self.languages:
            t = self._translators[lang]
            values = {
                **self._values(complaint, topic, pack, t, lang, rung or complaint.state.rung),
                **shown,
                "summary": summary,
                "complainant": f"{shown['name']} {shown['phone']} {shown['room']}",
                "details": "\n".join(
                    _detail(d, t, pack) if _as_it_is(d) else hide(_detail(d, t, pack))
                    for d in detail
                ),
            }
            template = self.template(topic, lang)
            subjects.append(template.subject.format_map(values).strip())
            bodies.append(template.body.format_map(values).strip("\n"))
        data = (
            ("complainant_name", person.name),
            ("complainant_phone", person.phone),
            ("complainant_room", person.room),
        )
        to = "" if group else recipient.staff_id
        return Notification(
            key=_key(complaint.id, topic, to, discriminator, scope),
            complaint_id=complaint.id,
            topic=topic,
            recipient=to,
            subject=f"[{complaint.id}] {' / '.join(subjects)}",
            body="\n\n".join(bodies),
            created_at=at,
            data=data if full else (),
        )

    def _values(
        self, complaint: Complaint, topic: str, pack: RulePack, t: Translator, lang: str, rung: str
    ) -> Mapping[str, str]:
        state = complaint.state
        person = complaint.intake.complainant
        if pack is not self._labels_pack:
            self._labels.clear()
            self._labels_pack = pack
        key = (lang, topic, state.category, state.grade.value if state.grade else "", rung)
        labels = self._labels.get(key)
        if labels is None:
            labels = (
                t(TOPICS[topic]),
                t.category(state.category, pack) if state.category else "-",
                t.label(state.grade) if state.grade else "-",
                t.rung(rung, pack) if rung else "-",
            )
            if len(self._labels) < _LABELS_KEPT:
                self._labels[key] = labels
        title, category, grade, rung = labels
        return {
            "id": complaint.id,
            "topic": topic,
            "title": title,
            "site": complaint.intake.site or person.site or "-",
            "category": category,
            "grade": grade,
            "rung": rung,
        }


_LABELS_KEPT = 4096
"""Label sets a desk keeps (languages x topics x categories x grades x rungs in use)."""


_AS_IT_IS = frozenset({"rule", "time", "site"})
"""Detail kinds the desk writes itself, shown as they are even where personal data is
masked: a room ``20`` masked in a due time left ``**25-11-**T18:00`` (review s47J F01);
a site's code (``site``: where a complaint was received, review s55R6 F02)."""


def _as_it_is(detail: str | Detail) -> bool:
    return isinstance(detail, Detail) and detail.kind in _AS_IT_IS


def _detail(detail: str | Detail, t: Translator, pack: RulePack) -> str:
    if isinstance(detail, str):
        return detail
    value = detail.value
    if isinstance(value, LabelledEnum):
        shown = t.label(value)
    elif detail.kind == "department":
        shown = t.department(value, pack)
    elif detail.kind == "rung":
        shown = t.rung(value, pack)
    elif detail.kind == "clock":
        shown = t.clock(value, pack)
    elif detail.kind == "stage":
        shown = t.stage(value, pack)
    elif detail.kind == "duty":
        shown = t.duty(value, pack)
    elif detail.kind == "command":
        shown = t.command(value)
    elif detail.kind == "note":
        found = notes.halves(value, pack)
        shown = value if found is None else t.pick(*found, "note")
    else:
        shown = value
    return t("{label}: {value}", label=t(detail.label), value=shown)
