"""The words complaintcore says to people, in their language (stdlib :mod:`gettext`).

Message catalogs live in ``complaintcore/locale/<lang>/LC_MESSAGES/complaintcore.mo``
(compiled from the ``.po`` sources when the package is built).  English is the
source language: every message id is the English text, so a message nobody has
translated reads in English.  Chinese (``zh``, the catalog ``zh_CN``) and
English (``en``) are shipped.

A host adds a language, or rewords a shipped one, without touching code: it
puts ``<lang>/LC_MESSAGES/complaintcore.mo`` into a directory named by the
``COMPLAINTCORE_LOCALE_PATH`` environment variable (several directories are
separated by ``os.pathsep``), or into the standard gettext location
``<sys.prefix>/share/locale``.  Such catalogs are searched first; a message they
lack falls back to the shipped catalog of the same language, then to English.

Which language: ``--lang`` on the command line; otherwise
:func:`language_from_env` reads ``COMPLAINTCORE_LANG``, then ``LANGUAGE``,
``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` as gettext does
(``zh_CN.UTF-8`` → ``zh``); otherwise English.

Labels that the core's enums carry in both languages (``zh``, ``en``) are
looked up in the catalogs too, with the enum's class name as message context;
labels that rule packs and reports carry as data, with the context ``label``
in a language other than Chinese and English.  So an added language can
translate them all.
"""

from __future__ import annotations

import functools
import gettext
import os
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from complaintcore.core.accountability import OutstandingSanction
    from complaintcore.core.derivation import DerivationStep, StepValue
    from complaintcore.core.models import LabelledEnum
    from complaintcore.core.rulepack import Duration, DutySpec, RulePack

__all__ = [
    "DOMAIN",
    "LIBRARY_REASONS",
    "LOCALE_PATH_ENV",
    "NC_",
    "NN_",
    "N_",
    "SHIPPED_DIR",
    "UNNAMED_KEY",
    "Translator",
    "available_languages",
    "catalog_dirs",
    "language_from_env",
    "resolve_language",
    "translator",
]

DOMAIN = "complaintcore"
"""The gettext domain: catalogs are ``complaintcore.mo``."""

LOCALE_PATH_ENV = "COMPLAINTCORE_LOCALE_PATH"
"""Directories of a host's own catalogs, searched before the shipped ones."""

SHIPPED_DIR = Path(__file__).with_name("locale")
"""The catalogs that come with complaintcore."""

_CATALOG_OF = {"zh": "zh_CN"}
"""A shipped language whose catalog has a longer name than its code."""

_RULED = re.compile(r"(.*\S) \(([A-Z][^()]*)\)", re.DOTALL)
"""A reason with the rule it applies in brackets at the end: a rule starts with a
capital (``VAL-4``, ``HOC 6.4-6.5``, ``SPSO MCHP stage 1``), so a hint in brackets
(``(also yes/no, 1/0, 是/否)``) is not kept in English as one (review s45E F02)."""
_POSITION = re.compile(r"(line|row) ([0-9]+)(?:, column ([^,:]+))?")
_CODES_OF = "codes of "
"""A reason's placeholder kind ``codes of <kind>``: a list of the pack's codes of
one of :data:`~complaintcore.core.rulepack.CODE_KINDS`, listed with their labels
(a staff file's unknown department: review s53R6 F01)."""
_TOML_PLACE = re.compile(
    r"(.*\S) \((?:at line ([0-9]+), column ([0-9]+)|at end of document)\)", re.DOTALL
)
"""Where the TOML reader (tomllib) says a slip is: ``(at line 9, column 12)``, or
``(at end of document)``."""

_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[_-]([A-Za-z0-9]{2,4}))?(?:\.[^@]*)?(?:@.*)?$")


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def NC_(context: str, message: str) -> str:
    """Mark a message with a context (``pgettext``) for extraction."""
    return message


def NN_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a plural form (``ngettext``) for extraction."""
    return singular, plural


UNIMPORTABLE_PLUGIN = N_(
    "installed plugin {name} (entry point {entry_point} of distribution {distribution}"
    " {version}) cannot be imported: {cause}; install what it needs, or uninstall"
    " {distribution}"
)
"""How an installed plugin that fails to import is refused (``PluginError``): its
entry point and distribution named, since the import error names neither."""

HOOKLESS_PLUGIN = N_(
    "installed plugin {name} (entry point {entry_point} of distribution {distribution}"
    " {version}) implements no complaintcore hook ({why}); mark its hook functions"
    " @hookimpl, or uninstall the distribution"
)
"""How an installed plugin that implements no hook is refused (``PluginError``;
review s51C F01): its entry point and distribution named; ``why`` (its
``.no_hook``) is one of the reasons of ``desk/plugins.py`` in :data:`LIBRARY_REASONS`."""

UNNAMED_KEY = N_("(a key that is not a field name)")
"""The path of a refusal about a file's key that does not look like a field name
(a JSONL key holding a name and a phone): named by its kind, never quoted (PRV-1),
and translated where a path is (:meth:`Translator.position`)."""


# --------------------------------------------------------------------------- finding catalogs


def _refused(path: str, expected: str, value: object) -> Exception:
    """A bad argument as the library's error (imported only when one is refused)."""
    from complaintcore.core.errors import InvalidInputError

    return InvalidInputError(path, f"expected {expected}, got {type(value).__name__}")


def _environment(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    if environ is None:
        return os.environ
    if not isinstance(environ, Mapping):
        raise _refused("environ", "a mapping of environment variables or None", environ)
    return environ


def catalog_dirs(environ: Mapping[str, str] | None = None) -> tuple[Path, ...]:
    """Where catalogs are looked for, first match first: the host's, then the shipped ones."""
    env = _environment(environ)
    dirs = [Path(p).absolute() for p in env.get(LOCALE_PATH_ENV, "").split(os.pathsep) if p]
    dirs += [Path(sys.prefix, "share", "locale"), Path(sys.base_prefix, "share", "locale")]
    dirs.append(SHIPPED_DIR)
    unique: list[Path] = []
    for d in dirs:
        if d not in unique:
            unique.append(d)
    return tuple(unique)


def _catalog_names(dirs: Iterable[Path]) -> set[str]:
    names: set[str] = set()
    for d in dirs:
        try:
            entries = list(d.iterdir())
        except OSError:
            continue
        names.update(e.name for e in entries if (e / "LC_MESSAGES" / f"{DOMAIN}.mo").is_file())
    return names


def _code(catalog: str) -> str:
    for code, name in _CATALOG_OF.items():
        if catalog == name:
            return code
    return catalog


def available_languages(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """The languages there are catalogs for: ``en``, ``zh`` and any a host added."""
    codes = {_code(name) for name in _catalog_names(catalog_dirs(environ))}
    codes.update(("en", "zh"))
    return ("zh", "en", *sorted(codes - {"zh", "en"}))


def resolve_language(tag: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The language code for a locale or language tag, if there is a catalog for it.

    ``zh_CN.UTF-8``, ``zh-CN`` and ``zh`` give ``zh``; ``en_GB`` gives ``en``;
    ``ja_JP.UTF-8`` gives ``ja_JP`` or ``ja``, whichever a host supplied.
    ``C`` and ``POSIX`` give ``en``.  An unknown language gives None.

    :raises InvalidInputError: ``tag`` is not text, or ``environ`` not a mapping.
    """
    if not isinstance(tag, str):
        raise _refused("tag", "a language code or locale tag such as zh or en_GB", tag)
    _environment(environ)
    text = tag.strip()
    if text in ("C", "POSIX") or text.startswith(("C.", "POSIX.")):
        return "en"
    match = _TAG.match(text)
    if match is None:
        return None
    lang = match[1].lower()
    region = match[2]
    candidates = [f"{lang}_{region.upper()}"] if region else []
    candidates.append(lang)
    names = _catalog_names(catalog_dirs(environ))
    for candidate in candidates:
        if candidate in names and candidate not in _CATALOG_OF.values():
            return candidate
        if candidate in ("en", "zh") or _CATALOG_OF.get(lang) == candidate:
            return lang
    return None


def language_from_env(environ: Mapping[str, str] | None = None) -> str:
    """The language the environment asks for, as gettext reads it; English otherwise.

    ``COMPLAINTCORE_LANG`` first, then the first of ``LANGUAGE`` (a colon-separated
    list), ``LC_ALL``, ``LC_MESSAGES`` and ``LANG`` that is set.

    :raises InvalidInputError: ``environ`` is not a mapping.
    """
    env = _environment(environ)
    own = env.get("COMPLAINTCORE_LANG", "")
    if own:
        return resolve_language(own, env) or "en"
    for var in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            for tag in value.split(":"):
                found = resolve_language(tag, env) if tag else None
                if found is not None:
                    return found
            return "en"
    return "en"


# --------------------------------------------------------------------------- translating


class Translator:
    """One language's catalogs, and how complaintcore's words and values read in it.

    Get one with :func:`translator`.  Calling it translates and fills in:
    ``t("{count} complaints", count=3)``.
    """

    def __init__(self, lang: str, catalogs: gettext.NullTranslations) -> None:
        self.lang = lang
        self._catalogs = catalogs

    def __repr__(self) -> str:
        return f"Translator({self.lang!r})"

    # ---------------------------------------------------------------- messages

    def gettext(self, message: str) -> str:
        return self._catalogs.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalogs.ngettext(singular, plural, n)

    def pgettext(self, context: str, message: str) -> str:
        return self._catalogs.pgettext(context, message)

    def __call__(self, message: str, /, **values: object) -> str:
        """``message`` in this language, with ``values`` filled into its ``{fields}``."""
        text = self._catalogs.gettext(message)
        return text.format(**values) if values else text

    def n(self, singular: str, plural: str, count: int, /, **values: object) -> str:
        """The singular or plural form this language uses for ``count``; ``{count}`` is filled."""
        return self._catalogs.ngettext(singular, plural, count).format(count=count, **values)

    # ---------------------------------------------------------------- labels

    def label(self, member: LabelledEnum) -> str:
        """An enum member's label: the catalog's, else the core's own zh or en label."""
        text = self._catalogs.pgettext(type(member).__name__, member.en)
        if text == member.en and self.lang == "zh":
            return member.zh
        return text

    def pick(self, zh: str, en: str, context: str = "label") -> str:
        """A label carried as data in both languages (a pack's category, a report row).

        In a language other than Chinese and English the English label is looked
        up in the catalog, with the context ``label`` unless another is given.
        """
        if self.lang == "zh":
            return zh
        return en if self.lang == "en" else self._catalogs.pgettext(context, en)

    def event(self, kind: str) -> str:
        """An event kind (``registered``, ``cause_analysed``) for people."""
        return self._catalogs.pgettext("event", kind.replace("_", " "))

    def field(self, name: str) -> str:
        """An event field's name (``to_unit``) for people."""
        return self._catalogs.pgettext("field", name.replace("_", " "))

    def command(self, name: str) -> str:
        """A workflow command's name (``assign``, ``record_cause``) for people."""
        return self._catalogs.pgettext("command", name.replace("_", " "))

    def yes_no(self, value: bool) -> str:
        return self._catalogs.gettext(N_("yes") if value else N_("no"))

    def department(self, code: str, pack: RulePack | None) -> str:
        if pack is not None and code and pack.has_department(code):
            d = pack.department(code)
            return self.pick(d.zh, d.en, "label")
        return code

    def rung(self, code: str, pack: RulePack | None) -> str:
        if pack is not None and code and pack.has_rung(code):
            r = pack.rung(code)
            return self.pick(r.zh, r.en, "label")
        return code

    def category(self, code: str, pack: RulePack | None) -> str:
        if pack is not None and any(c.code == code for c in pack.categories):
            c = pack.category(code)
            return self.pick(c.zh, c.en, "label")
        return code

    def clock(self, name: str, pack: RulePack | None) -> str:
        """A clock of the pack (``reply``) by its label; a duty's name by the duty's
        label (ESC-2, DL-7: an escalation's ``clock`` names the clocks and duties
        whose breach caused it, ``reply,apology``; review s46H F02)."""
        if pack is not None and any(c.name == name for c in pack.clocks):
            c = pack.clock(name)
            return self.pick(c.zh, c.en, "label")
        return self.duty(name, pack)

    def duty(self, name: str, pack: RulePack | None) -> str:
        """A duty of the pack (``apology``) by its label."""
        if pack is not None and any(d.name == name for d in pack.duties):
            d = pack.duty(name)
            return self.pick(d.zh, d.en, "label")
        return name

    def owner(self, duty: DutySpec, pack: RulePack | None = None) -> str:
        """Who owes a duty, for people: the handler, and/or a department at a rung.

        ``the handler or customer service (department head)``; the core keeps
        only the codes (:class:`~complaintcore.core.rulepack.DutySpec`).
        """
        parts = [self(N_("the handler"))] if duty.owner_handler else []
        department = self.department(duty.owner_department, pack)
        rung = self.rung(duty.owner_rung, pack)
        if department and rung:
            parts.append(self(N_("{department} ({rung})"), department=department, rung=rung))
        elif department or rung:
            parts.append(department or rung)
        return self(N_(" or ")).join(parts)

    def sanction_outstanding(self, owed: OutstandingSanction, *, listed: bool = False) -> str:
        """PEN-1, PEN-2: the sanction of the complaint's grade not recorded (none, or
        a lighter one of a lower grade): the line ``show`` prints; ``listed``: the
        item of ``report --staff``'s list, which names the complaint (the staff
        member by id only, PRV-1)."""
        values = {
            "id": owed.complaint_id,
            "staff": owed.staff_id,
            "grade": self.label(owed.due.grade),
            "measures": self._measures(m.value for m in owed.due.measures),
        }
        if owed.recorded is None:  # PEN-2: none recorded yet
            if listed:
                return self(
                    N_("{id} {staff}: grade {grade} calls for {measures}; none recorded"),
                    **values,
                )
            return self(
                N_(
                    "sanction outstanding (PEN-2): grade {grade} calls for {measures} for {staff};"
                    " none recorded"
                ),
                **values,
            )
        values["recorded_grade"] = self.label(owed.recorded.grade)
        values["recorded"] = self._measures(owed.recorded.measures)
        if listed:
            return self(
                N_(
                    "{id} {staff}: grade {grade} calls for {measures}; recorded: grade"
                    " {recorded_grade}, {recorded}"
                ),
                **values,
            )
        return self(
            N_(
                "sanction outstanding (PEN-2): grade {grade} calls for {measures} for {staff};"
                " recorded: grade {recorded_grade}, {recorded}"
            ),
            **values,
        )

    def _measures(self, codes: Iterable[str]) -> str:
        """PEN-1: a sanction's measures by their labels (a code no release knows, as is)."""
        from complaintcore.core.rulepack import Measure

        known = {m.value: m for m in Measure}
        return self(N_(", ")).join(self.label(known[c]) if c in known else c for c in codes)

    # ---------------------------------------------------------------- values

    def duration(self, d: timedelta, *, working: bool = False) -> str:
        """31h, 4h30m, 45m, in this language's words.

        ``working``: hours of working time (DL-1), which a language may word apart
        from hours on the clock (Chinese: 工作小时 beside 小时).
        """
        minutes = int(d.total_seconds()) // 60
        h, m = divmod(abs(minutes), 60)
        sign = "-" if minutes < 0 else ""
        if working:
            if not h and m:
                text = self._catalogs.pgettext("working time", NC_("working time", "{minutes}m"))
                return sign + text.format(minutes=m)
            if m:
                text = self._catalogs.pgettext(
                    "working time", NC_("working time", "{hours}h{minutes:02d}m")
                )
                return sign + text.format(hours=h, minutes=m)
            text = self._catalogs.pgettext("working time", NC_("working time", "{hours}h"))
            return sign + text.format(hours=h)
        if not h and m:
            return sign + self(N_("{minutes}m"), minutes=m)
        if m:
            return sign + self(N_("{hours}h{minutes:02d}m"), hours=h, minutes=m)
        return sign + self(N_("{hours}h"), hours=h)

    def length(self, d: Duration) -> str:
        """A pack's time limit or an extension (``12mo``, ``10d``, ``4h``) in words."""
        if d.months:
            return self.n("{count} month", "{count} months", d.months)
        if d.days:
            return self.n("{count} day", "{count} days", d.days)
        return self.duration(d.timedelta)

    def stage(self, code: str, pack: RulePack | None) -> str:
        """A stage of the pack (``stage_1``) by its label; ``""`` is the first stage."""
        if pack is not None and pack.stages and (not code or pack.has_stage(code)):
            s = pack.stage(code)
            return self.pick(s.zh, s.en, "label")
        if pack is not None:  # by its English label, as a reason names it (s58R3 F02)
            for s in pack.stages:
                if code == s.en:
                    return self.pick(s.zh, s.en, "label")
        return code

    def tag(self, name: str, pack: RulePack | None = None) -> str:
        """A clock's start or stop tag: the event, and what qualifies it."""
        from complaintcore.core.models import Grade, Kind, Outcome, Trigger, Validity

        kind, _, qualifier = name.partition(":")
        if name in _TAGS:  # a tag that is not an event kind
            return self._catalogs.pgettext("tag", _TAGS[name])
        event = self.event(kind)
        if not qualifier:
            return event
        shown = qualifier
        if kind in ("registered", "forwarded", "assigned"):  # a department's code
            shown = self.department(qualifier, pack)
        elif kind in ("breached", "extended"):
            shown = self.clock(qualifier, pack)
        elif pack is not None and pack.has_stage(qualifier):
            shown = self.stage(qualifier, pack)
        elif qualifier in _QUALIFIERS:
            shown = self._catalogs.pgettext("tag", _QUALIFIERS[qualifier])
        else:
            for enum in (Validity, Kind, Grade, Trigger, Outcome):
                member = next((m for m in enum if m.value == qualifier), None)
                if member is not None:
                    shown = self.label(member)
                    break
        return self(N_("{event} ({detail})"), event=event, detail=shown)

    def step(self, step: DerivationStep, pack: RulePack | None = None) -> str:
        """One step of a clock's derivation in this language."""
        count = step.count
        if step.plural and count is not None:
            template = self._catalogs.ngettext(step.message, step.plural, count)
        else:
            template = self._catalogs.gettext(step.message)
        return template.format(**{k: self._value(v, pack) for k, v in step.values})

    # ---------------------------------------------------------------- errors

    def error(self, exc: BaseException, pack: RulePack | None = None) -> str:
        """A library error as one line in this language.

        The frame comes from the error's structured fields (``path``,
        ``complaint_id``, ``command`` …); the library's common reasons are
        translated too (:data:`LIBRARY_REASONS`), any other reason stays as the
        library wrote it, in English.
        """
        from complaintcore.core import errors as e

        if isinstance(exc, e.UnknownComplaintError):
            return self(N_("no complaint with id '{id}'"), id=e.shown_id(exc.complaint_id))
        if isinstance(exc, e.AccessDeniedError) and not exc.complaint_id and exc.path:
            return self(  # refused at intake: no complaint was stored, the field is named
                N_("{path}: {actor} may not {command}: {reason}"),
                path=exc.path,
                actor=exc.actor,
                command=self.command(exc.command),
                reason=self.reason(exc.reason, pack),
            )
        if isinstance(exc, e.AccessDeniedError):
            return self(
                N_("complaint {id}: {actor} may not {command}: {reason}"),
                id=exc.complaint_id,
                actor=exc.actor,
                command=self.command(exc.command),
                reason=self.reason(exc.reason, pack),
            )
        if isinstance(exc, e.IllegalTransitionError) and not exc.complaint_id and exc.path:
            return self.problem(exc.path, exc.reason, pack)  # refused at intake: none stored
        if isinstance(exc, e.IllegalTransitionError) and not exc.of_state:
            return self(  # the state is not why (a sanction already recorded)
                N_("complaint {id}: cannot {command}: {reason}"),
                id=exc.complaint_id,
                command=self.command(exc.command),
                reason=self.reason(exc.reason, pack),
            )
        if isinstance(exc, e.IllegalTransitionError):
            return self(
                N_("complaint {id}: cannot {command} while {state}: {reason}"),
                id=exc.complaint_id,
                command=self.command(exc.command),
                state=self._state(exc.state, pack),
                reason=self.reason(exc.reason, pack),
            )
        if isinstance(exc, e.ConcurrencyConflictError):
            return self(  # what happened and what to do, not the version numbers
                N_(
                    "complaint {id} changed while this ran (someone else acted on it"
                    " first); nothing was written: check it with 'complaintcore show {id}'"
                    " and run the command again"
                ),
                id=exc.complaint_id,
            )
        if isinstance(exc, e.IncompleteRecordError):
            return self(
                N_("record is not registrable: {problems}"),
                problems=self._problems(exc.problems, pack),
            )
        if isinstance(exc, e.RulePackError):
            return self(
                N_("invalid rule pack {source}: {problems}"),
                source=exc.source,
                problems=self._problems(exc.problems, pack, limit=e.LISTED_PROBLEMS),
            )
        if isinstance(exc, e.SerializationError):
            return self(
                N_("cannot load {what}: {problems}"),
                what=exc.what,
                problems=self._problems(exc.problems, pack, limit=e.LISTED_PROBLEMS),
            )
        entry_point = getattr(exc, "entry_point", "")
        no_hook = getattr(exc, "no_hook", "")
        if isinstance(exc, e.ComplaintCoreError) and entry_point and no_hook:  # PluginError
            return self(  # an installed plugin that implements no hook (review s51C F01)
                HOOKLESS_PLUGIN,
                name=repr(getattr(exc, "plugin", "")),
                entry_point=entry_point,
                distribution=getattr(exc, "distribution", ""),
                version=getattr(exc, "version", ""),
                why=self.reason(no_hook, pack),
            )
        if isinstance(exc, e.ComplaintCoreError) and entry_point:  # PluginError
            return self(  # an installed plugin that cannot be imported
                UNIMPORTABLE_PLUGIN,
                name=repr(getattr(exc, "plugin", "")),
                entry_point=entry_point,
                distribution=getattr(exc, "distribution", ""),
                version=getattr(exc, "version", ""),
                cause=getattr(exc, "cause", ""),
            )
        if isinstance(exc, e.ComplaintCoreError) and hasattr(exc, "entry_point"):
            return self.reason(str(exc), pack)  # another PluginError: its message is its reason
        if isinstance(exc, e.MembersLeftUnlinkedError):
            members = [e.shown_id(m) for m in exc.members]
            if exc.unread:
                members.append(self(N_("its members (not read)")))
            return self(  # HDL-5: the receipt stands; the members are named by id (PRV-1)
                N_(
                    "complaint database {database}: {reason}; issue {issue}: left unlinked:"
                    " {members}"
                ),
                database=exc.database,
                reason=self.reason(exc.reason, pack),
                issue=e.shown_issue(exc.issue),
                members=self(N_(", ")).join(members),
            )
        if isinstance(exc, e.StoreError):
            return self(
                N_("complaint database {database}: {reason}"),
                database=exc.database,
                reason=self.reason(exc.reason, pack),
            )
        path, reason = getattr(exc, "path", None), getattr(exc, "reason", None)
        if isinstance(path, str) and isinstance(reason, str):
            return self.problem(path, reason, pack)
        if isinstance(exc, e.NoWorkingTimeError):  # where the calendar ends (review s54R1 F03)
            return self.reason(str(exc), pack)
        return str(exc)

    def problem(self, path: str, reason: str, pack: RulePack | None = None) -> str:
        """One bad field: ``path: reason``, the reason translated if it is a common one."""
        return self(
            N_("{path}: {reason}"), path=self.position(path), reason=self.reason(reason, pack)
        )

    def position(self, path: str) -> str:
        """A path that is a place in a file (``line 1, column 9``, ``row 4, column
        phone``) in this language, and so is a key named by its kind
        (:data:`UNNAMED_KEY`); a field's path (``complainant.room``) as it is."""
        if path == UNNAMED_KEY:
            return self(UNNAMED_KEY)
        found = _POSITION.fullmatch(path)
        if found is None:
            return path
        where, number, column = found.groups()
        if column is None:
            message = N_("line {line}") if where == "line" else N_("row {row}")
            return self(message, **{where: number})
        if where == "line":
            return self(N_("line {line}, column {column}"), line=number, column=column)
        if column.isdigit():  # a staff file's header cell by its number: Chinese words it
            # 第 1 行第 3 列, as a line's column, not 第 2 行 department 列 (review s53R6 F01)
            numbered = NC_("column number", "row {row}, column {column}")
            text = self._catalogs.pgettext("column number", numbered)
            return text.format(row=number, column=column)
        return self(N_("row {row}, column {column}"), row=number, column=column)

    def _problems(
        self, problems: Iterable[object], pack: RulePack | None, *, limit: int | None = None
    ) -> str:
        """The problems on one line; past ``limit``, only how many more there are.
        A reason the problem before gave too is not written out again (a staff
        file of another pack's ladder: each row's list of rungs, with labels)."""
        shown = []
        before = None
        for p in problems:
            path, reason = getattr(p, "path", None), getattr(p, "reason", None)
            if isinstance(path, str) and isinstance(reason, str):
                if reason == before:
                    shown.append(self(N_("{path}: the same"), path=self.position(path)))
                else:
                    shown.append(self.problem(path, reason, pack))
                before = reason
            else:
                shown.append(str(p))
                before = None
        if limit is not None and len(shown) > limit:
            more = self(N_("… and {count} more"), count=len(shown) - limit)
            shown = [*shown[:limit], more]
        return self(N_("; ")).join(shown)

    def reason(self, text: str, pack: RulePack | None = None) -> str:
        """A reason the library gave, translated when it is one of :data:`LIBRARY_REASONS`.

        A reason that ends with the pack's rule in brackets (``… (HOC 6.4-6.5)``)
        is translated without it and the rule kept as written.
        """
        found = self._known_reason(text, pack)
        if found is not None:
            return found
        ruled = _RULED.fullmatch(text)
        if ruled is not None:
            found = self._known_reason(ruled.group(1), pack)
            if found is not None:
                return self(N_("{reason} ({rule})"), reason=found, rule=ruled.group(2))
        about, colon, rest = text.partition(": ")
        if colon and about == "calendar":  # Desk.calendar_warnings: the calendar's own words
            found = self._known_reason(rest, pack)
            if found is not None:
                return self(N_("calendar: {reason}"), reason=found)
        return text

    def _known_reason(self, text: str, pack: RulePack | None) -> str | None:
        for message, pattern, kinds in _reason_patterns():
            match = pattern.fullmatch(text)
            if match is not None:
                groups = match.groupdict()
                values = {
                    k: self._reason_value(kinds.get(k, ""), v, pack) for k, v in groups.items()
                }
                for name, kind in kinds.items():
                    if kind == "codes":  # an enum's codes, named by {what}
                        values[name] = self._enum_codes(groups.get("what", ""), groups[name], pack)
                    elif kind.startswith(_CODES_OF):  # a pack kind's codes ("codes of rung")
                        what = kind.removeprefix(_CODES_OF)
                        values[name] = self._enum_codes(what, groups[name], pack)
                return self(message, **values)
        return None

    def codes(self, pairs: Iterable[tuple[str, str]]) -> str:
        """Codes one may type, quoted as click quotes choices, each with the label the
        screens show for it (``'complaint_handler' (客服专员)``): what to type,
        found by what one reads."""
        return self(N_(", ")).join(
            repr(code)
            if label == code
            else self(N_("{code} ({label})"), code=repr(code), label=label)
            for code, label in pairs
        )

    def _enum_codes(self, what: str, allowed: str, pack: RulePack | None = None) -> str:
        """The codes of the enum ``what`` names (``Channel``) with their labels, as the
        option taking them lists them (review s52R6 F06), and so the codes of the
        pack's own kinds (``unit``: a file's ``receiver_unit`` column takes a label
        too, as ``--receiver-unit`` does); others as written."""
        from complaintcore.core.models import LabelledEnum
        from complaintcore.core.rulepack import CODE_KINDS

        codes = allowed.split(", ")
        if pack is not None and what in CODE_KINDS:
            labels = {code: self.pick(zh, en) for code, zh, en in pack.labels_of(what)}
            if all(c in labels for c in codes):
                return self.codes((c, labels[c]) for c in codes)
            return self._listed(allowed)
        found = [e for e in _subclasses(LabelledEnum) if e.__name__ == what]
        members = {m.value: m for m in found[0]} if found else {}
        if not found or not all(c in members for c in codes):
            return self._listed(allowed)  # a site, say: as written, in the reader's list
        return self.codes((c, self.label(members[c])) for c in codes)

    def listed(self, items: Iterable[str]) -> str:
        """Items of a list in a message, with this language's list separator (``、``
        in Chinese: reviews s53R6 F01, s53R9 F04)."""
        return self(N_(", ")).join(items)

    def _listed(self, value: str) -> str:
        """A list as the library words it (``a, b``), in this language's separator."""
        return self.listed(value.split(", "))

    def _columns(self, value: str) -> str:
        """A file's column names, each with its Chinese name for a Chinese reader
        (``'received_at'（受理时间）``, the names a header row may use); as
        written in any other language (review s52R6 F06)."""
        from complaintcore.desk.importer import CHINESE_COLUMNS

        names = value.split(", ")
        if self.lang != "zh" or not all(n in CHINESE_COLUMNS for n in names):
            return value
        return self.codes((n, CHINESE_COLUMNS[n][0]) for n in names)

    def _reason_value(self, kind: str, value: str, pack: RulePack | None) -> str:
        from complaintcore.core.models import Outcome, Status

        if value == _WITHHELD:  # a value not quoted (PRV-1), whatever its kind
            return self(_WITHHELD)
        if kind == "commands":
            return self(N_(", ")).join(self.command(c) for c in value.split(", "))
        if kind == "command":
            return self.command(value)
        if kind == "duty":
            return self.duty(value, pack)
        if kind == "departments":  # HDL-4: the helping departments still owed
            return self(N_(", ")).join(
                self._reason_value("department", code, pack) for code in value.split(", ")
            )
        if kind in ("department", "rung"):
            code = value.strip("'")
            shown = self.department(code, pack) if kind == "department" else self.rung(code, pack)
            return value if shown == code else shown  # unknown to the pack: as written
        if kind == "status":
            member = next((m for m in Status if m.value == value), None)
            return self.label(member) if member is not None else value
        if kind == "stage":
            return self.stage(value, pack)
        if kind == "reason":  # a reason inside a frame ("the header row: …")
            return self.reason(value, pack)
        if kind == "position":  # a place in a file: "row 4"
            return self.position(value)
        if kind == "typed":  # what was typed, quoted, or withheld (PRV-1, s58R3 F03)
            return self(_NOT_SHOWN) if value == _NOT_SHOWN else value
        if kind == "quoted":  # a value quoted after a word, or nothing (" 'SR-201'")
            return value.strip()
        if kind in ("grade", "measures"):  # PEN-1: a grade, the measures of a sanction
            return self(N_(", ")).join(self._coded(kind, code) for code in value.split(", "))
        if kind == "clock":
            return self.clock(value, pack)
        if kind == "outcome":
            found = next((m for m in Outcome if m.en == value), None)
            return self.label(found) if found is not None else value
        if kind == "length":
            return self._length_text(value)
        if kind == "field":
            english, _, _native = value.partition(" (")
            return self._catalogs.pgettext("field", english)
        if kind == "what":  # a field or an enum's name: "site", "Channel"
            word = value.lower()
            for shown in (self._catalogs.pgettext("field", word), self._catalogs.gettext(word)):
                if shown != word:
                    return shown
            return value
        if kind == "toml":
            return self._toml_reason(value, pack)
        if kind == "columns":
            return self._columns(value)
        if kind == "list":  # names as the library lists them ("a, b"): the reader's separator
            return self._listed(value)
        if kind == "phones":
            return self(N_("; or ")).join(self._phone_kind(k) for k in value.split("; or "))
        if kind == "people_named":
            return self(N_("; ")).join(self._person_named(k) for k in value.split("; "))
        return value

    def _person_named(self, text: str) -> str:
        """One ``the name of complaint ID's complainant`` a refused reply holds (PRV-1)."""
        found = _PERSON_NAMED.fullmatch(text)
        if found is None:
            return text
        kinds = re.split(r", | and ", found.group(1))
        shown = [self._catalogs.pgettext("personal data", k) for k in kinds]
        return self(
            N_("the {data} of complaint {id}'s complainant"),
            data=found.group(1) if shown == kinds else self.listed(shown),
            id=found.group(2),
        )

    def _toml_reason(self, text: str, pack: RulePack | None) -> str:
        """The TOML reader's reason: its place in the file in this language; its
        own description of the slip too when it is one of ours (nested too deep),
        else as the reader words it (``Invalid value``)."""
        found = _TOML_PLACE.fullmatch(text)
        if found is None:
            return self.reason(text, pack)
        slip, line, column = found.groups()
        if line is None:
            return self(N_("{reason} (at the end of the file)"), reason=self.reason(slip, pack))
        return self(
            N_("{reason} (at {place})"),
            reason=self.reason(slip, pack),
            place=self.position(f"line {line}, column {column}"),
        )

    def _coded(self, kind: str, code: str) -> str:
        """A grade's or a measure's code as its label; an unknown code as written."""
        from complaintcore.core.models import Grade
        from complaintcore.core.rulepack import Measure

        enum: type[Grade] | type[Measure] = Grade if kind == "grade" else Measure
        member = next((m for m in enum if m.value == code), None)
        return self.label(member) if member is not None else code

    def _phone_kind(self, text: str) -> str:
        """One kind of number :func:`~complaintcore.core.validity.phone_kinds` names."""
        codes = re.fullmatch(r"(\+[\d/+]+) in international form", text)
        if codes is not None:
            return self(N_("{codes} in international form"), codes=codes.group(1))
        return self._catalogs.gettext(text) if text in _PHONE_KINDS else text

    def _length_text(self, text: str) -> str:
        """``12 months``, ``6 days`` or ``10d`` as the library wrote them, in this language."""
        from complaintcore.core.errors import InvalidInputError
        from complaintcore.core.rulepack import Duration

        m = re.fullmatch(r"(\d+)(?: (month|day)s?|(mo|d))", text)
        if m is not None:  # in its own unit, none used too: "0d" is 0 days, not 0h
            count = int(m.group(1))
            if (m.group(2) or m.group(3)) in ("month", "mo"):
                return self.n("{count} month", "{count} months", count)
            return self.n("{count} day", "{count} days", count)
        try:
            return self.length(Duration.parse(text))
        except InvalidInputError:
            return text

    def _state(self, state: str, pack: RulePack | None) -> str:
        """What an :class:`IllegalTransitionError` names as the state: a status or a rung."""
        from complaintcore.core.models import Status

        member = next((m for m in Status if m.value == state), None)
        if member is not None:
            return self.label(member)
        return self.rung(state, pack)

    def _value(self, value: StepValue, pack: RulePack | None) -> str:
        from complaintcore.core.derivation import DerivationStep, Tag, Worked
        from complaintcore.core.models import LabelledEnum

        if isinstance(value, datetime):  # in the pack's zone, as every time shown (s49O F02)
            return (value if pack is None else value.astimezone(_zone(pack))).isoformat()
        if isinstance(value, timedelta):
            return self.duration(value)
        if isinstance(value, Worked):
            return self.duration(value.time, working=True)
        if isinstance(value, Tag):
            return self.tag(value.name, pack)
        if isinstance(value, DerivationStep):
            return self.step(value, pack)
        if isinstance(value, tuple):
            return " / ".join(
                self.label(v) if isinstance(v, LabelledEnum) else self.tag(v.name, pack)
                for v in value
            )
        return str(value)


def _zone(pack: RulePack) -> ZoneInfo:
    """The pack's time zone (``ZoneInfo`` caches one object per name)."""
    return ZoneInfo(pack.calendar.timezone)


_QUALIFIERS = {
    "final": NC_("tag", "final"),
    "interim": NC_("tag", "interim"),
    "explanation": NC_("tag", "explanation"),
    "unanswerable": NC_("tag", "unanswerable"),
    "satisfied": NC_("tag", "satisfied"),
    "unsatisfied": NC_("tag", "unsatisfied"),
    "appointment": NC_("tag", "appointment"),
    "not_reached": NC_("tag", "not reached"),
    "written": NC_("tag", "written"),
    "oral": NC_("tag", "oral"),
    "incident": NC_("tag", "incident"),
    "responsible": NC_("tag", "responsible department"),
    "helper": NC_("tag", "helping department"),
}
"""Tag qualifiers that are neither a pack code nor an enum value (``replied:final``)."""

_PERSON_NAMED = re.compile(
    r"the ((?:name|phone|room)(?:(?:, | and )(?:name|phone|room))*)"
    r" of complaint (\S+)'s complainant"
)
"""One kind of a complainant's data a refused reply holds (review s56R5 F02)."""

_PERSONAL_DATA = (
    NC_("personal data", "name"),
    NC_("personal data", "phone"),
    NC_("personal data", "room"),
)
"""The kinds :data:`_PERSON_NAMED` names, for the catalogue."""

_TAGS = {"transferred": NC_("tag", "moved to another department")}
"""Tags that are not an event kind (``Assigned`` to another department: DL-3)."""


LIBRARY_REASONS: tuple[tuple[str, Mapping[str, str]], ...] = (
    # PRV-1: a text given to a whole issue names a member (reviews s56R5 F02, s56R7 F01)
    (
        N_(
            "holds {found}, which every other open complaint of the issue would be "
            "given too; nothing was recorded: leave it out, or, once a person has "
            "checked that the text names no one (a word may match a name), give it "
            "again as checked (member_data_checked=True; explain-all --checked-names) "
            "(PRV-1)"
        ),
        {"found": "people_named"},
    ),
    # the workflow refuses a step
    (N_("allowed now: {allowed}"), {"allowed": "commands"}),
    (N_("already with {unit}"), {"unit": "department"}),
    (
        N_(
            "once answered, a complaint is forwarded only to {unit}, for its register "
            "(IN-4, IN-5): reopen it to pass the work on"
        ),
        {"unit": "department"},
    ),
    (
        N_(
            "helping departments have recorded no part: {departments}; reply once they "
            "have (handle with their department), or reply without them (HDL-4)"
        ),
        {"departments": "departments"},
    ),
    (
        N_(
            "a valid complaint is closed only after its cause analysis: record it "
            "before finding the closed complaint valid (IMP-1)"
        ),
        {},
    ),
    (N_("only a final reply goes ahead without helping departments (HDL-4)"), {}),
    (
        N_(
            "consent: without the complainant's consent a bypass complaint is not "
            "forwarded: head office keeps it and handles it; assign it to head office "
            "staff (assign --handler with a head office staff id) (IN-6)"
        ),
        {},
    ),
    (N_("pack {pack} has no head office to send a complaint straight to (IN-6)"), {}),
    (
        N_(
            "pack {pack} has no stages: request_escalation, extend and respond "
            "belong to packs with stages; for a complainant not satisfied escalate "
            "(trigger dissatisfied, ESC-2) or reopen; for more time make a new promise "
            "(DL-5) or reply as unanswerable with an agreed date (REC-4)"
        ),
        {},
    ),
    (
        N_(
            "the receiver works at site {site}, not at head office: a complaint "
            "a site's staff took did not skip the site; name head office's receiver "
            "who took it, or leave via_head_office out (IN-6)"
        ),
        {},
    ),
    (
        N_(
            "the receiver is not in the staff directory and the staff member "
            "registering it works at site {site}, not at head office: a complaint "
            "a site's staff took did not skip the site; name head office's receiver "
            "who took it, or leave via_head_office out (IN-6)"
        ),
        {},
    ),
    (N_("only a valid complaint is graded (VAL-4)"), {}),
    (N_("cannot lower {current} to {grade} (GRD-6)"), {"current": "grade", "grade": "grade"}),
    (N_("the rules require at least {grade}: {rule}"), {"grade": "grade"}),
    (
        N_(
            "an internal complaint is one made through {made} (GRD-5): "
            "this one came through {channel}"
        ),
        {"made": "codes of Channel", "channel": "codes of Channel"},
    ),
    (N_("an internal complaint needs the finding {facts} (GRD-5)"), {"facts": "codes of Fact"}),
    (N_("a complaint unresolved past its month is major, not internal (DL-6)"), {}),
    (N_("pack {pack} has no rule for an internal complaint (GRD-5)"), {}),
    (N_("already paused"), {}),
    (N_("not paused"), {}),
    (
        N_(
            "an invalid complaint is closed only after the complainant "
            "is given an explanation (VAL-3)"
        ),
        {},
    ),
    (
        N_(
            "the complaint is at {rung}: escalate it to the top rung ({top}) before the "
            "top rung decides its closure (VIS-3)"
        ),
        {"rung": "rung", "top": "rung"},
    ),
    (
        N_(
            "the complaint is on no rung yet: escalate it to the top rung ({top}) before "
            "the top rung decides its closure (VIS-3)"
        ),
        {"top": "rung"},
    ),
    (N_("closure needs the complainant's confirmation or a top-rung decision (VIS-3)"), {}),
    (
        N_(
            "the complainant was not satisfied since the last closure they confirmed or "
            "the top rung decided: closure needs their confirmation or a top-rung "
            "decision, whatever the kind or validity found since (VIS-3)"
        ),
        {},
    ),
    (
        N_(
            "the top rung decides a closure only when satisfaction failed: record the "
            "unsatisfied return visit, visits not reaching the complainant ({attempts} "
            "since the last closure), or the escalation for dissatisfaction or a refused "
            "new time, first (VIS-3)"
        ),
        {},
    ),
    (
        N_(
            "the top rung decides a closure only when satisfaction failed: record the "
            "unsatisfied return visit, or the escalation for dissatisfaction or a "
            "refused new time, first (VIS-3)"
        ),
        {},
    ),
    (
        N_(
            "the top rung decides a closure only when satisfaction failed: record the "
            "unsatisfied return visit, visits not reaching the complainant ({attempts} "
            "since the last closure), the escalation for dissatisfaction or a refused new "
            "time, or the complainant's request for the next stage, first (VIS-3)"
        ),
        {},
    ),
    (
        N_(
            "the top rung decides a closure only when satisfaction failed: record the "
            "unsatisfied return visit, the escalation for dissatisfaction or a refused "
            "new time, or the complainant's request for the next stage, first (VIS-3)"
        ),
        {},
    ),
    (
        N_(
            "the complainant was satisfied at the last return visit: close with their "
            "confirmation, not by a top-rung decision (VIS-3)"
        ),
        {},
    ),
    (
        N_(
            "a closure is confirmed by the complainant or decided by the top rung, not both (VIS-3)"
        ),
        {},
    ),
    (N_("{clock} is still owed ({rule}): close once it is met"), {"clock": "clock"}),
    (N_("{clock} is still owed: close once it is met"), {"clock": "clock"}),
    (
        N_(
            "the sanction of grade {grade} is already recorded ({measures}); another "
            "is recorded only when the grade rises (PEN-2)"
        ),
        {"grade": "grade", "measures": "measures"},
    ),
    (N_("no stored complaint has this id"), {}),
    (
        N_("is not an issue id: an issue is named I- and the id of its earliest complaint (HDL-5)"),
        {},
    ),
    # escalating and sanctioning at the wrong moment: everyday mistakes at the shell
    (N_("already at the top rung (ESC-5)"), {}),
    (N_("{rung} is not above {current} (ESC-5)"), {"rung": "rung", "current": "rung"}),
    (
        N_(
            "to_rung {rung} is below {serious}, where a serious complaint is reported at"
            " once (ESC-2); leave to_rung out or name a rung at or above it"
        ),
        {"rung": "rung", "serious": "rung"},
    ),
    (N_("only a valid complaint carries a sanction (VAL-4)"), {}),
    (N_("the complaint has no grade yet"), {}),
    (N_("the complaint is not about a staff member (PEN-2)"), {}),
    # a stored complaint the pack no longer fits (a rung or category renamed in an upgrade)
    (
        N_("complaint {id} stands at rung {rung}, not on the pack's ladder (renamed or removed?)"),
        {},
    ),
    (
        N_(
            "complaint {id} is filed under category {category}, not among the pack's "
            "categories (renamed or removed?): classify it again"
        ),
        {},
    ),
    (N_("already signed off"), {}),
    # who may act (ESC-3, ESC-4, PRV-2, REC-6)
    (N_("unknown actor: not in the staff directory"), {}),
    (N_("unknown staff member: not in the staff directory"), {}),
    (N_("works at another site"), {}),
    (N_("the complaint is about this person (ESC-4)"), {}),
    (N_("sign-off needs a supervisor (REC-6)"), {}),
    (N_("no authority to see this record"), {}),
    # review s51R1 F02: refusals access.authorize and Desk.act give that read in
    # English under --lang zh (a closure decided below the top rung, the system id)
    (N_("only the top rung decides a closure without confirmation (VIS-3)"), {}),
    (N_("the id is reserved for the desk's own acts (sweeps)"), {}),
    (N_("the system actor is reserved for the desk's sweeps"), {}),
    (N_("rung {rung} is not on the {pack} ladder"), {"rung": "rung"}),
    (
        N_("rung {rung} is below {needed}, required for this complaint (ESC-3)"),
        {"rung": "rung", "needed": "rung"},
    ),
    (
        N_(
            "rung {rung} is below {needed}: a complaint about a staff member is answered"
            " at the rung that handles it (ESC-4)"
        ),
        {"rung": "rung", "needed": "rung"},
    ),
    (
        N_("{stage} is handled at {needed} or above, and rung {rung} is below it"),
        {"rung": "rung", "needed": "rung", "stage": "stage"},
    ),
    (  # DL-3, DL-5: an unanswerable reply's date past a running promise (review s54R11 F01)
        N_(
            "agreed_due {agreed} is later than the promise running to {due}, which only"
            " rung {needed} or above may move (DL-5, ESC-3): agree a date no later"
            " than it, or ask them to make a promise"
        ),
        {"agreed": "instant", "due": "instant", "needed": "rung"},
    ),
    (
        N_("rung {rung} is below the complaint's rung {current}"),
        {"rung": "rung", "current": "rung"},
    ),
    (
        N_("rung {rung} is below {needed}, the lowest allowed for this complaint (ESC-3/ESC-4)"),
        {"rung": "rung", "needed": "rung"},
    ),
    (N_("{rung} is below the current rung {current} (ESC-5)"), {"rung": "rung", "current": "rung"}),
    # what a command or an intake must carry
    (N_("every command needs the id of the person acting (REC-5)"), {}),
    (N_("the staff id of whoever took the complaint is missing (REC-5)"), {}),
    (N_("a reply needs a message"), {}),
    (N_("reopening needs a reason"), {}),
    (N_("evidence needs a reference"), {}),
    (N_("a reason is required (REC-4)"), {}),
    (N_("the handling result is empty (REC-1)"), {}),
    (N_("the cause analysis is empty (IMP-1)"), {}),
    (N_("corrective measures are empty (IMP-1)"), {}),
    (N_("closing needs the final result (REC-1, REC-2)"), {}),
    (N_("no responsible department: classify or name one"), {}),
    (N_("is later than now: a complaint not yet received"), {}),
    (
        N_(
            "is not a regular file (a pipe, standard input or a directory): save it to a file first"
        ),
        {},
    ),
    (
        N_(
            "is before the calendar's first year {first} ({zone}): no deadline can be"
            " computed; lower the rule pack's [calendar] first_year"
        ),
        {},
    ),
    (
        N_(
            "is before the calendar's first year {first} ({zone}): no deadline can be"
            " computed; extend the years of the calendar {hook} supplied"
        ),
        {},
    ),
    (
        N_(
            "is before the calendar's first year {first} ({zone}): no deadline can be"
            " computed; extend the years of the calendar given to the desk"
        ),
        {},
    ),
    (N_("is later than the time the complaint was received"), {}),
    (N_("is earlier than the complaint's last event"), {}),
    (N_("the appointed reply time must be in the future"), {}),
    (N_("a complainant reached gives an opinion: satisfied or not (VIS-2)"), {}),
    (N_("a complainant not reached gave no opinion (VIS-2)"), {}),
    (N_("a complainant not reached asked nothing to answer (VIS-2)"), {}),
    (N_("a visit that did not reach the complainant has no opinion (VIS-2)"), {}),
    (N_("a visit that did not reach the complainant found no problem (VIS-4)"), {}),
    (N_("a major issue for the meeting's agenda needs what the problem is (VIS-4)"), {}),
    (N_("a problem is recorded only as a major issue for the meeting (VIS-4)"), {}),
    (
        N_(
            "the complainant was found not satisfied with this valid complaint: it stays "
            "a valid complaint; close it with their confirmation or the top rung's "
            "decision (VIS-3, VAL-4)"
        ),
        {},
    ),
    (
        N_(
            "a closed service request or enquiry is not raised as a complaint: register"
            " the dissatisfaction as a new complaint"
        ),
        {},
    ),
    (
        N_(
            "a service request or enquiry has no stage to escalate: assess it as a"
            " complaint while it is open, or register the dissatisfaction as a new"
            " complaint"
        ),
        {},
    ),
    (N_("a follow-up visit after closure appoints no reply: reopen it first"), {}),
    (N_("must be a non-empty string"), {}),
    (N_("expected true or false"), {}),
    (N_("expected a list of facts"), {}),
    (N_("datetime must be timezone-aware (tzinfo is missing)"), {}),
    (N_("unknown department {department} in pack {pack}"), {"department": "department"}),
    (N_("unknown department {department}"), {"department": "department"}),
    (N_("unknown rung {rung} in pack {pack}"), {}),
    (N_("unknown unit {unit} in pack {pack}"), {}),
    (N_("unknown category {category} in pack {pack}"), {}),
    # what a clerk types at intake and in a file to import (review s31C F05); before
    # "unknown {what}; expected …", which would take the unknown column half-translated
    (N_("is too long: {length} characters, at most {max} allowed"), {}),
    (N_("contains a control character at position {position} (not allowed in text)"), {}),
    (N_("contains a lone surrogate at position {position} (not allowed in text)"), {}),
    (N_("not in the staff directory; name the person by their staff id"), {}),
    # outbox retry / drop by hand (review s31E F01, F02)
    (
        N_(
            "is being sent (claimed until {until} UTC): retry or drop it once that send has settled"
        ),
        {},
    ),
    (N_("the item was delivered or dropped already"), {}),
    (N_("the year must be between {first} and {last}"), {}),
    (
        N_(
            "the file is UTF-16 (it starts with a UTF-16 byte order mark);"
            " save it as UTF-8 or GB18030"
        ),
        {},
    ),
    (N_("repeats column {column}"), {"column": "columns"}),  # review s52R12 F02
    (N_("has no name, and line {line} has a value in it"), {}),
    (N_("has no name"), {}),
    (
        N_(
            "an Excel 'sep=' line declares {separator} as the separator, but only commas"
            " are read; save the file as 'CSV UTF-8 (comma delimited)'"
        ),
        {},
    ),
    # a header between semicolons or tabs, a workbook named .csv (review s53R4 F03)
    (
        N_(
            "the header names its columns between {separator}, but only commas"
            " separate cells; save the file as 'CSV UTF-8 (comma delimited)'"
        ),
        {},
    ),
    (N_("is an Excel workbook, not CSV text; save it as 'CSV UTF-8 (comma delimited)'"), {}),
    (
        N_("not a header row; the first line must name the columns: {columns}"),
        {"columns": "columns"},
    ),
    (
        N_(
            "unknown column (the first line must be a header row naming the columns);"
            " expected one of {allowed}"
        ),
        {"allowed": "columns"},
    ),
    (N_("{cells} cells but the header has {header}"), {}),
    # a header ending in empty columns (…,receiver,,) counts its named ones (review s52R8 F03)
    (
        N_(
            "{cells} cells but the header names {header} columns,"
            " then {empty} empty ones a row may leave out"
        ),
        {},
    ),
    (N_('a quoted cell is not closed (an unbalanced ")'), {}),
    # the encodings and the quotes of a file to import (review s45E F01)
    (N_("the header row: {reason}"), {"reason": "reason"}),
    (
        N_("is not {encoding} text (byte {byte}); choose the file's encoding ({encodings})"),
        {},
    ),
    (
        N_(
            "is utf-8 text in a {encoding} file (its encoding differs from the file's);"
            " save it in the file's encoding"
        ),
        {},
    ),
    (N_("longer than {bytes} bytes (not read)"), {}),
    (
        N_(
            "cannot be detected: the file is neither UTF-8 nor GB18030 text (it reads like"
            " cp1252 or Big5); choose it ({encodings})"
        ),
        {},
    ),
    (N_("cannot be detected on a stream; choose one"), {}),
    (N_('a quoted cell is not closed before the next row (an unbalanced ")'), {}),
    (N_("a quoted cell is not closed within {count} characters"), {}),
    (N_('more cells than the header has (an unbalanced " may join lines)'), {}),
    (N_("has a cell longer than {count} characters"), {}),
    (N_("is not valid CSV (a quote inside an unquoted cell?)"), {}),
    (N_("is a number too long to be a field"), {}),
    (N_("expected csv or jsonl"), {}),
    (N_("must be text"), {}),
    (N_("repeated key"), {}),
    (N_("unknown key"), {}),
    (N_("already used for complaint {complaint_id}, whose content differs"), {}),
    (N_("unknown key; did you mean {name}?"), {}),
    (
        N_(
            "unknown key; expected one of {allowed};"
            " a host's or plugin's own setting goes in the [plugins] table"
        ),
        {},
    ),
    (N_("unknown key; expected one of {allowed}"), {}),  # a config's key (review s49C F03)
    (N_("must be 'full' or 'normal'"), {}),  # [sqlite] synchronous (review s49N F01)
    (N_("must be a JSON object"), {}),
    (N_("not JSON we read (nested too deeply)"), {}),
    (N_("not JSON we read (a number too long)"), {}),
    (N_("not JSON ({reason})"), {}),
    (N_("a promised time must be in the future"), {}),
    (N_("{staff} is at rung {rung}"), {"rung": "rung"}),
    # a staff file's duty hours, ids and encoding (review s45E F02)
    (N_("part {part}: {reason}"), {"reason": "reason"}),
    (N_("expected hours such as 09:00-18:00"), {}),
    (N_("unexpected text between hour ranges"), {}),
    (N_("unexpected text after the hours"), {}),
    (N_("weekdays at the end have no hours (expected e.g. 'Sat 09:00-12:00')"), {}),
    (N_("unknown weekday; {hint}"), {"hint": "reason"}),
    (N_("no weekdays; {hint}"), {"hint": "reason"}),
    (N_("expected Mon..Sun, 周一..周日, a range such as Mon-Fri, daily or weekdays"), {}),
    (N_("time out of range (00:00 to 23:59, or 24:00 as an end)"), {}),
    (N_("start and end are equal (for the whole day write 00:00-24:00)"), {}),
    (N_("is reserved for the desk's own acts (sweeps)"), {}),
    (N_("duplicate staff id{id} (first at {position})"), {"id": "quoted", "position": "position"}),
    (N_("expected true or false (also yes/no, 1/0, 是/否)"), {}),
    (N_("expected a string"), {}),
    # a pack's dates: a duty's applies_from, a year's days (re-review s54R13)
    (N_("expected a date such as 2024-10-01"), {}),
    (N_("expected a date without a time of day"), {}),
    (N_("expected a date, got {type}"), {}),
    (N_("expected a string (quote phone numbers and ids)"), {}),
    (N_("expected a string such as 'Mon-Fri 09:00-18:00' or a list of them"), {}),
    (N_("expected a string such as 'Mon-Fri 09:00-18:00'"), {}),
    (N_("expected a list of tables"), {}),
    (N_("expected a table of staff fields"), {}),
    (N_("no staff members"), {}),
    (N_("not valid TOML: {reason}"), {"reason": "toml"}),
    # the desk's config file, named before its problem (review s49C F03)
    (N_("{file}: not valid TOML: {reason}"), {"reason": "toml"}),
    (N_("{file}: not UTF-8 text (byte {byte})"), {}),
    (N_("{file}: cannot be read ({reason})"), {}),
    (N_("tables and arrays nested more than {depth} deep"), {}),
    (N_("unknown key (expected only [[staff]] tables)"), {}),
    (N_("missing; expected [[staff]] tables"), {}),
    (N_("expected an array of tables ([[staff]])"), {}),
    (N_("malformed CSV: {reason}"), {}),
    (N_("empty; expected a header row naming the columns"), {}),
    (N_("empty; expected one JSON object a line"), {}),  # review s53R4 F06
    (N_("no staff rows below the header"), {}),
    (N_("not a header row; the first row must name the columns: {columns}"), {}),
    (N_("not UTF-8 text (byte {byte}); in Excel use Save As 'CSV UTF-8'"), {}),
    (N_("not UTF-8 text (byte {byte})"), {}),
    # a staff file's rows (review s31C F05)
    (N_("not a phone number (digits, optional +, spaces, dashes)"), {}),
    (N_("not an email address"), {}),
    (N_("not an http(s) URL"), {}),
    (N_("must not contain spaces"), {}),
    (N_("must not contain an invisible character ({code})"), {}),  # review s53R11 F02
    (N_("required; missing or empty"), {}),
    (N_("header lacks required column(s) {columns}"), {}),
    # a staff file's value under a header cell of no name (review s53R4 F04)
    (N_("has no name, and row {row} has a value in it"), {}),
    (N_("unknown column; expected {allowed}"), {}),
    (N_("not a department of {pack} (expected one of: {codes})"), {"codes": "codes of department"}),
    (N_("not a rung of the {pack} ladder (expected one of: {codes})"), {"codes": "codes of rung"}),
    (N_("unknown {what} {value}; expected one of {allowed}"), {}),
    (N_("unknown {what}; expected one of {allowed}"), {"what": "what", "allowed": "codes"}),
    (
        N_(
            "names no clock or duty of pack {pack}; expected one or more of {allowed},"
            " separated by commas"
        ),
        {},
    ),
    # the desk's files and a host's plugins (what the hooks answer)
    (N_("no file at {path}"), {}),
    (N_("cannot read the file: {reason}"), {}),
    (
        N_(
            "answered with an awaitable (a coroutine?); complaintcore calls hooks "
            "synchronously and needs the answer itself"
        ),
        {},
    ),
    (N_("expected a list of notifiers, got one {type} (return [it])"), {}),
    (N_("expected a list of notifiers, got {type}"), {}),
    (N_("expected the channel's name"), {}),
    (N_("plugin {plugin}: notifiers[{index}].name: expected the channel's name"), {}),
    (N_("expected seconds as a number, got {type}"), {}),
    (N_("must be a finite number of seconds, at most a day (86400)"), {}),
    (N_("must be a finite number of seconds, 0 or more"), {}),
    (N_("expected a sequence of complaint ids"), {}),
    # an installed plugin's hook the desk could never run (desk/plugins.py; review s50F F04)
    (
        N_(
            "plugin {plugin}: {hook} is a generator function (it yields); complaintcore calls"
            " hooks synchronously and would never run its body (make it a plain function:"
            " return instead of yield)"
        ),
        {},
    ),
    (
        N_(
            "plugin {plugin}: {hook} is an async def; complaintcore calls hooks synchronously"
            " and would never run it (make it a plain function: run async work with"
            " asyncio.run, or hand it to your event loop)"
        ),
        {},
    ),
    # a plugin that implements no hook (desk/plugins.py; reviews s50F F03, s51C F01)
    (N_("plugin {plugin} implements no complaintcore hook ({why})"), {"why": "reason"}),
    (N_("{hooks} is not marked @hookimpl"), {}),
    (N_("{hooks} are not marked @hookimpl"), {}),
    (N_("{names} are not complaintcore hooks"), {}),
    (N_("{name} is not a complaintcore hook (did you mean {hook}?)"), {}),
    (N_("{name} is not a complaintcore hook"), {}),
    (N_("no function of it is a complaintcore hook marked @hookimpl"), {}),
    (N_("two notifiers share the name {name}"), {}),
    (N_("{name}: send is a {type}, not a function to call"), {}),
    (N_("{name}: send({parameters}) cannot be called as send(notification, recipient)"), {}),
    (N_("the hook raised {type}"), {}),
    (N_("{field}: a field inside a format spec is not allowed"), {}),
    # a staff directory's answers (desk/checked_directory.py)
    (N_("get(): expected a StaffMember or None, got {type}"), {}),
    (N_("members(): expected a sequence (tuple or list) of StaffMember, got {type}"), {}),
    (N_("members()[{index}]: expected a StaffMember, got {type}"), {}),
    (N_("members()[{index}].staff_id: {id} is reserved for the desk's own acts (sweeps)"), {}),
    (N_("{member}: expected text (str), got {type}"), {}),
    (N_("{member}: expected a tuple or list of DutyWindow, got {type}"), {}),
    (N_("{member}: expected true or false, got {type}"), {}),
    (
        N_(
            "members()[{index}].staff_id: folds to the same id as members()[{other}]"
            " (a directory may not hold two ids that differ only in case, width or spaces)"
        ),
        {},
    ),
    (N_("{method} raised {type}"), {}),
    (
        N_(
            "get({asked}) answered {found}, another person (only case, width and spaces"
            " may differ from the id asked for)"
        ),
        {},
    ),
    # the store: SQLite's result codes, PostgreSQL's SQLSTATE classes, a missing
    # or mismatched database (the driver's code in brackets is kept as written)
    (N_("is closed"), {}),  # a desk or store used after close() (review s46G F01)
    (N_("is locked by another writer and stayed locked past the timeout; try again"), {}),
    (N_("is locked by another connection of this process; try again"), {}),
    (N_("is read-only (file or folder permissions, or a read-only medium)"), {}),
    (N_("could not be read or written (input/output error of the disk)"), {}),
    (N_("is corrupt (malformed database image); restore a backup, then run verify"), {}),
    (N_("could not be written: the disk is full (or the file reached its size limit)"), {}),
    (N_("cannot be opened (missing folder, or no permission)"), {}),
    (N_("refused a change that would break its integrity (REC-5)"), {}),
    (N_("is not an SQLite database (another kind of file, or encrypted)"), {}),
    (N_("SQLite failed"), {}),
    (
        N_(
            "is no longer the file this process opened (removed, moved or replaced while it"
            " ran); stop every process using the desk, then start them again"
        ),
        {},
    ),
    (
        N_(
            "does not exist; restore it, or set `database` to where it is"
            " (only `complaintcore init` creates a desk's database)"
        ),
        {},
    ),
    (
        N_(
            "keeps no complaintcore schema {schema} (not restored yet, or a mistyped ?schema=);"
            " restore it, or set `database` to where it is"
            " (only `complaintcore init` creates a desk's database)"
        ),
        {},
    ),
    (
        N_(
            "has schema version {found}, but this complaintcore supports up to "
            "{supported}; upgrade complaintcore to open it"
        ),
        {},
    ),
    (
        N_(
            "has schema version {found}, but this complaintcore needs {target}, and this"
            " database role may not migrate it; have the tables' owner run:"
            " complaintcore migrate --upgrade {owner}"
        ),
        {},
    ),
    # the tables' owner refused a version that must see every tenant, after the
    # tables changed owner (postgres_store._needs_seeing_role; review s53R3 F01)
    (
        N_(
            "has schema version {found}, but this complaintcore needs {target}, and this"
            " database role owns the tables but does not see every tenant (row-level security"
            " on tenants: version 19's policy owner_counts names {roles}); run the upgrade as"
            " a superuser or as a role that policy names: complaintcore migrate --upgrade {url}"
        ),
        {"roles": "list"},
    ),
    (
        N_(
            "has schema version {found}, but this complaintcore needs {target}, and this"
            " database role owns the tables but does not see every tenant (row-level security"
            " on tenants, and version 19's policy owner_counts names no role now); run the"
            " upgrade as a superuser: complaintcore migrate --upgrade {url}"
        ),
        {},
    ),
    # open_store's refusals before any driver is asked (review s53R15 F03)
    (N_("is neither a postgresql:// URL nor a SQLite file name"), {}),
    (N_("is a libpq key=value string; write it as a postgresql:// URL"), {}),
    (N_("needs the postgres extra: pip install 'complaintcore[postgres]'"), {}),
    (N_("expected a lower-case SQL name (a-z, 0-9, _)"), {}),
    (N_("cannot be reached (is the server running, and the host and port right?)"), {}),
    (N_("refused the login (wrong user or password)"), {}),
    (N_("does not exist (wrong database name?)"), {}),
    (N_("refused the operation: the database role lacks a privilege"), {}),
    (
        N_("refused the operation as not supported for this database role or server (0A000)"),
        {},
    ),
    (N_("is out of resources (disk full, memory, or too many connections)"), {}),
    (N_("is shutting down or cancelled the operation; try again"), {}),
    (
        N_("is starting up, shutting down or recovering and accepts no connections now; try again"),
        {},
    ),
    (N_("rolled the transaction back (serialization failure or deadlock); try again"), {}),
    (
        N_(
            "lost the connection during the operation (a restart, a failover, or its session"
            " was ended); try again"
        ),
        {},
    ),
    (N_("no connection became free in time (server down or overloaded)"), {}),
    (N_("is not a valid connection string"), {}),
    (N_("complaint {id}: stored record cannot be read ({what}); run verify"), {}),
    (N_("no outbox item with this id"), {}),
    (
        N_("already keeps complaints or messages of tenant {tenant}; copy into an empty desk"),
        {},
    ),
    (
        N_(
            "the copy does not match the source (chains, counts or messages): rolled back,"
            " nothing was copied"
        ),
        {},
    ),
    (N_("is the desk's own database: copy to another file or schema"), {}),
    (N_("the target is an older copy: copy again into an empty desk"), {}),
    (N_("unknown parameter; the pack declares: {known}"), {"known": "list"}),
    (N_("unknown parameter; the pack declares no parameters"), {}),
    (N_("the pack declares no parameters"), {}),
    (N_("no catalog; expected one of {known}"), {"known": "list"}),
    # the working calendar (DL-1..4): its zone, its region, its end
    (
        N_(
            "{country} names no bank-holiday list: the UK's nations keep different bank"
            " holidays; name one of GB-ENG, GB-WLS, GB-SCT or GB-NIR"
        ),
        {},
    ),
    (
        N_(
            "the calendar counts working hours in {zone}, the rule pack {pack} in"
            " {pack_zone}: build it for {wanted}"
        ),
        {},
    ),
    (
        N_(
            "calendar: built from the holidays of {region}, but the rule pack {pack} names"
            " {named}: deadlines count {same}'s days off"
        ),
        {},
    ),
    (
        N_(
            "calendar: the working calendar ends with {year} ({zone}): deadlines in working"
            " time after 31 December {last} cannot be computed, so complaints whose"
            " working-time clocks reach them are refused and sweeps report them failed;"
            " from 1 January {next} no sweep runs, and deadlines in clock time or months"
            " after it are acted on once the calendar is extended; extend the rule pack's"
            " [calendar] last_year"
        ),
        {},
    ),
    (
        N_(
            "calendar: the working calendar ends with {year} ({zone}): deadlines in working"
            " time after 31 December {last} cannot be computed, so complaints whose"
            " working-time clocks reach them are refused and sweeps report them failed;"
            " from 1 January {next} no sweep runs, and deadlines in clock time or months"
            " after it are acted on once the calendar is extended; extend the years of"
            " the calendar {hook} supplied"
        ),
        {},
    ),
    (
        N_(
            "calendar: the working calendar ends with {year} ({zone}): deadlines in working"
            " time after 31 December {last} cannot be computed, so complaints whose"
            " working-time clocks reach them are refused and sweeps report them failed;"
            " from 1 January {next} no sweep runs, and deadlines in clock time or months"
            " after it are acted on once the calendar is extended; extend the years of"
            " the calendar given to the desk"
        ),
        {},
    ),
    # years the holiday source has no make-up days (调休) for (WorkingCalendar.coverage_warning)
    (
        N_(
            "the holiday source has no make-up-day (调休) data for {years}:"
            " deadlines there count unannounced make-up working days as days off and"
            " unannounced bridge holidays as working days; type each year's days in"
            " ([[calendar.by_year]] of the rule pack) once announced"
        ),
        {"years": "years"},
    ),
    (
        N_(
            "the holiday source has no make-up-day (调休) data for {years}:"
            " deadlines there count unannounced make-up working days as days off and"
            " unannounced bridge holidays as working days; nor for {later}: deadlines"
            " reaching those years are refused; type each year's days in"
            " ([[calendar.by_year]] of the rule pack) once announced"
        ),
        {"years": "years", "later": "years"},
    ),
    (
        N_(
            "the holiday source has no make-up-day (调休) data for {years}:"
            " deadlines reaching those years are refused; type each year's days in"
            " ([[calendar.by_year]] of the rule pack) once announced"
        ),
        {"years": "years"},
    ),
    # where the working calendar ends (WorkingCalendar, a clock's deadline, a sweep's now)
    (N_("{first}-{last} in {zone}"), {"first": "year", "last": "year", "zone": "zone"}),
    (
        N_(
            "{first}-{last} in {zone}; {refused} refused: the holiday source has no"
            " make-up-day (调休) data there and the rule pack refuses such deadlines"
        ),
        {"first": "year", "last": "year", "zone": "zone", "refused": "years"},
    ),
    (
        N_("fewer than {n} working days after {date} in a calendar covering {years}"),
        {"n": "number", "date": "date", "years": "reason"},
    ),
    (
        N_("no working day on or after {date} in a calendar covering {years}"),
        {"date": "date", "years": "reason"},
    ),
    (N_("{when} is outside the calendar ({years})"), {"when": "instant", "years": "reason"}),
    (
        N_("not enough working time after {when} in the calendar ({years})"),
        {"when": "instant", "years": "reason"},
    ),
    (
        N_(
            "clock {clock}: {reason}; the calendar ends on {last}-12-31 until {next}'s days"
            " are typed into [[calendar.by_year]] of the rule pack"
        ),
        {"clock": "clock", "reason": "reason", "last": "year", "next": "years"},
    ),
    (
        N_(
            "clock {clock}: {reason}; the calendar ends on {last}-12-31"
            " (calendar.last_year of the rule pack)"
        ),
        {"clock": "clock", "reason": "reason", "last": "year"},
    ),
    (  # a host's calendar, of other years than the pack's (review s56L3 F01, s56R3 F05)
        N_(
            "clock {clock}: {reason}; the calendar ends on {last}-12-31, not at the rule"
            " pack's [calendar] last_year {year}: extend the years of the calendar given"
            " to the desk"
        ),
        {"clock": "clock", "reason": "reason", "last": "year", "year": "year"},
    ),
    (
        N_(
            "duty {duty}: {reason}; the calendar ends on {last}-12-31 until {next}'s days"
            " are typed into [[calendar.by_year]] of the rule pack"
        ),
        {"duty": "duty", "reason": "reason", "last": "year", "next": "years"},
    ),
    (
        N_(
            "duty {duty}: {reason}; the calendar ends on {last}-12-31"
            " (calendar.last_year of the rule pack)"
        ),
        {"duty": "duty", "reason": "reason", "last": "year"},
    ),
    (  # a host's calendar, of other years than the pack's (review s56L3 F01, s56R3 F05)
        N_(
            "duty {duty}: {reason}; the calendar ends on {last}-12-31, not at the rule"
            " pack's [calendar] last_year {year}: extend the years of the calendar given"
            " to the desk"
        ),
        {"duty": "duty", "reason": "reason", "last": "year", "year": "year"},
    ),
    (
        N_(
            "outside the calendar's years ({years}); the calendar ends on {last}-12-31"
            " until {next}'s days are typed into [[calendar.by_year]] of the rule pack"
        ),
        {"years": "reason", "last": "year", "next": "years"},
    ),
    (
        N_(
            "outside the calendar's years ({years}); the calendar ends on {last}-12-31"
            " until {next}'s days are typed into [[calendar.by_year]] of the rule pack"
            " and its [calendar] last_year extended to {year}"
        ),
        {"years": "reason", "last": "year", "next": "years", "year": "year"},
    ),
    (
        N_("outside the calendar's years ({years}); extend the rule pack's [calendar] last_year"),
        {"years": "reason"},
    ),
    (  # a host's calendar (review s55R2 F01)
        N_(
            "outside the calendar's years ({years}); the calendar {hook} supplied ends on"
            " {last}-12-31: extend the years it builds"
        ),
        {"years": "reason", "last": "year"},
    ),
    (  # Desk(calendar=...), of other years than the pack's (review s56R3 F05)
        N_(
            "outside the calendar's years ({years}); the calendar given to the desk ends"
            " on {last}-12-31: extend its years"
        ),
        {"years": "reason", "last": "year"},
    ),
    (N_("outside the calendar's years ({years})"), {"years": "reason"}),
    # an office's typos: a phone, a time, a schema name, a period report
    (
        N_("{field} is not a recognised number ({kinds}) (REC-1)"),
        {"field": "field", "kinds": "phones"},
    ),
    (
        N_(
            "expected a date-time, year first, like 2025-11-14T17:30, 2025-11-14 17:30"
            " or 2025/11/14 17:30 (never day or month first: 11/12/2025 is ambiguous)"
        ),
        {},
    ),
    (
        N_(
            "expected a date or date-time, year first, like 2025-11-14, 2025/11/14"
            " or 2025/11/14 17:30 (never day or month first: 11/12/2025 is ambiguous)"
        ),
        {},
    ),
    (
        N_(
            "a number, not a date-time (an Excel serial date?):"
            " format the column as yyyy-mm-dd hh:mm"
        ),
        {},
    ),
    (
        N_(
            "changed while it was being imported; run the import again"
            " (rows already stored come back as duplicates)"
        ),
        {},
    ),
    (N_("a date alone: give the time of day too, like 2025-11-14T17:30"), {}),
    (N_("pack {pack} declares no indicators"), {}),
    (N_("unknown schema; did you mean {name}?"), {}),
    (
        N_(
            "unknown schema; names are 'intake', 'command', 'command:<name>', "
            "'event', 'event:<kind>'"
        ),
        {},
    ),
    # duties and concentrated issues (DL-5, REC-2, IN-6, HDL-5)
    (N_("duty {duty} needs it recorded ({rule})"), {"duty": "duty"}),
    (N_("duty {duty} needs it recorded"), {"duty": "duty"}),
    (N_("say what the apology was (DL-5)"), {}),
    (N_("give the specific reason the promise was not kept (DL-5)"), {}),
    (N_("propose a specific remedy (DL-5)"), {}),
    (N_("a written report needs its reference"), {}),
    (N_("only a written report has a reference"), {}),
    (
        N_(
            "a bypass complaint stays with head office until the complainant consents "
            "to the site handling it (IN-6)"
        ),
        {},
    ),
    (N_("a final reply answers the complaint; drop the reason (REC-4)"), {}),
    (
        N_(
            "a reply that cannot solve the complaint at once agrees a new date with "
            "the complainant (DL-3)"
        ),
        {},
    ),
    (
        N_(
            "only a reply that cannot solve the complaint at once agrees a new date "
            "(give its reason, REC-4); otherwise make a promise (DL-5)"
        ),
        {},
    ),
    (N_("name the concentrated issue"), {}),
    (N_("is not an issue id: an issue is named I- and the id of its earliest complaint"), {}),
    (N_("must include the complaint itself"), {}),
    (N_("at least one complainant"), {}),
    (N_("already part of another concentrated issue"), {}),
    (N_("the complaint is not part of this concentrated issue"), {}),
    (N_("expected the id of a concentrated issue"), {}),
    (N_("no open complaint belongs to this issue"), {}),
    # improvement and repeats (IMP-1, IMP-3)
    (N_("a valid complaint is closed only after its cause analysis (IMP-1)"), {}),
    (N_("say what the measure does (IMP-1)"), {}),
    (N_("name the staff member responsible (IMP-1)"), {}),
    (N_("a measure's due date must be in the future"), {}),
    (N_("no measure with this number on the complaint"), {}),
    (N_("measure {measure} is already done"), {}),
    (N_("say what was done (IMP-1)"), {}),
    (N_("a complaint does not repeat itself"), {}),
    (N_("name at least one earlier complaint"), {}),
    (N_("a closed complaint records links only: its raisings stay as they were"), {}),
    # HDL-1: receipt acknowledged in a pack without stages
    (N_("its receipt is already acknowledged to the complainant"), {}),
    # staged procedures (packs with stages); a trailing " (rule)" is kept as written
    (N_("pack {pack} has no stages"), {}),
    (N_("{stage} is already acknowledged"), {"stage": "stage"}),
    (N_("{stage} is already answered"), {"stage": "stage"}),
    (N_("{stage} is the last stage"), {"stage": "stage"}),
    (
        N_(
            "a closed complaint is not reopened under a staged procedure: a complainant "
            "still dissatisfied asks for {stage} with {command}; a new issue is a new complaint"
        ),
        {"stage": "stage", "command": "command"},
    ),
    (
        N_(
            "a closed complaint is not reopened under a staged procedure: {stage} is the "
            "last stage and the procedure is complete; a new issue is a new complaint"
        ),
        {"stage": "stage"},
    ),
    (N_("acknowledging {stage} needs it recorded"), {"stage": "stage"}),
    (N_("handled an earlier stage; {stage} needs a different person"), {"stage": "stage"}),
    (
        N_("the issue arose more than {limit} before the complaint was received"),
        {"limit": "length"},
    ),
    # a late request to escalate (review s58R3 F02): the windows it came after
    (
        N_(
            "the time limit for {stage} ended at the end of {last}: the request came more"
            " than {after} after the response at {answered} on {answered_on} and more than"
            " {limit} after the issue arose on {arose_on}"
        ),
        {
            "stage": "stage",
            "last": "date",
            "after": "length",
            "answered_on": "date",
            "answered": "stage",
            "limit": "length",
            "arose_on": "date",
        },
    ),
    (
        N_(
            "the time limit for {stage} ended at the end of {last}: the request came more"
            " than {after} after the response at {answered} on {answered_on}"
        ),
        {
            "stage": "stage",
            "last": "date",
            "after": "length",
            "answered_on": "date",
            "answered": "stage",
        },
    ),
    (
        N_(
            "the time limit for {stage} ended at the end of {last}: the request came more"
            " than {limit} after the issue arose on {arose_on}"
        ),
        {"stage": "stage", "last": "date", "limit": "length", "arose_on": "date"},
    ),
    (
        N_(
            "the time limit for {stage} ended at the end of {last}: the request came more"
            " than {limit} after the complaint was received on {received_on}"
        ),
        {"stage": "stage", "last": "date", "limit": "length", "received_on": "date"},
    ),
    # a length that is none (Duration.parse): what was typed only when shaped like one
    (N_("expected e.g. '30m', '6h', '3d' or '1mo', got {got}"), {"got": "typed"}),
    (N_("clock {clock} is not running"), {"clock": "clock"}),
    (N_("clock {clock} cannot be extended in {pack}"), {"clock": "clock"}),
    (N_("clock {clock} is extended in {unit}"), {"clock": "clock"}),
    (N_("an extension must be longer than nothing"), {}),
    (N_("an extension of {clock} needs it recorded"), {"clock": "clock"}),
    (
        N_(
            "an extension of {clock} by {by} would end at or before now:"
            " give one that ends after now"
        ),
        {"clock": "clock", "by": "length"},
    ),
    (
        N_("extensions of {clock} may add up to {cap} at most, {used} used"),
        {"clock": "clock", "cap": "length", "used": "length"},
    ),
    (
        N_("extensions of {clock} past {cap} need it recorded (good reason only)"),
        {"clock": "clock", "cap": "length"},
    ),
    # who agreed an extension (review s55R4 F01)
    (N_("the person extending cannot agree their own extension: name who agreed it"), {}),
    (
        N_(
            "{staff} at rung {rung} may not agree it: an extension of {clock} is agreed"
            " at {need} or above"
        ),
        {"rung": "rung", "clock": "clock", "need": "rung"},
    ),
    (N_("a response needs its answer"), {}),
    (N_("an empty remedy"), {}),
    (N_("a complaint {outcome} needs the remedy recorded"), {"outcome": "outcome"}),
    # REC-1: the record of an intake
    (N_("{field} is missing (REC-1)"), {"field": "field"}),
    (N_("{field} is missing (IN-1)"), {"field": "field"}),
    # ... and every malformed one names the field and the rule too (review s49I F01)
    (N_("{field} must be text (REC-1)"), {"field": "field"}),
    (N_("{field} contains control characters (REC-1)"), {"field": "field"}),
    (N_("{field} is too long (at most {max} characters) (REC-1)"), {"field": "field"}),
    (N_("{field} must contain a letter or Chinese character (REC-1)"), {"field": "field"}),
    (
        N_(
            "{field} may contain only letters, digits, Chinese characters, "
            "'-', '#', '/' and spaces (REC-1)"
        ),
        {"field": "field"},
    ),
    (
        N_("{field} may contain only letters, digits, spaces and - # / , . ' ’ ( ) (REC-1)"),
        {"field": "field"},
    ),
    (N_("{field} must contain a digit (REC-1)"), {"field": "field"}),
    (N_("{field} must be a datetime (REC-1)"), {"field": "field"}),
    (N_("{field} must be timezone-aware (REC-1)"), {"field": "field"}),
    # complaintcore demo into a directory that has a desk already
    (N_("an earlier demo is here: replace it (--force) or choose another directory"), {}),
    (N_("exists and is not a demo: choose another directory"), {}),
)
"""The library's common reasons, as message ids with ``{fields}`` where the reason varies.

A reason the library gives is matched against each in turn; the fields' values
are shown as commands, departments, rungs … in the reader's language (the
second member says which).  A test checks every one against the library's source.
"""

_PHONE_KINDS = frozenset(
    (
        N_("mainland mobile, landline with area code, or 400/800 number"),
        N_("a UK number (07700 900123, 020 7946 0000 or +44 …)"),
        N_("an international number in +<country code> form"),
        N_("no numbers are allowed by the rule pack"),
    )
)
"""The kinds of phone number a rule pack allows, as the library words them."""

_RECORD_FIELDS = (
    NC_("field", "room number"),
    NC_("field", "flat or unit"),  # a pack whose room_style is "address" (review s54R12 F01)
    NC_("field", "complainant name"),
    NC_("field", "contact phone"),
    NC_("field", "date and time received"),
    NC_("field", "summary of the complaint"),
    NC_("field", "channel"),
)
"""The REC-1 fields (and IN-1's channel) as the library's reasons name them
(``room number (房号)``)."""

_VIEW = NC_("command", "view")
"""Seeing a record is refused like a command (PRV-2)."""

_BE_ASSIGNED = NC_("command", "be assigned")
"""ESC-3, ESC-4: an ``Assign`` refused for its handler, not for who assigns
(``SR-103 may not be assigned: the complaint is about this person``)."""

_NOT_SHOWN = N_("(not shown: it may be personal data)")
"""What :meth:`~complaintcore.core.rulepack.Duration.parse` puts in a reason for a
value it may not quote (PRV-1): translated wherever the reason is."""

_WITHHELD = N_("(not shown: not a code)")
"""What :func:`~complaintcore.core.errors.shown_code` puts in a reason for a value
it may not quote (PRV-1): translated wherever the reason is."""


_VALUE = {
    "years": r"\d{4}(?:(?:-|, )\d{4})*",
    "quoted": r"(?: '[^']*')?",
    "year": r"\d{4}",
    "number": r"\d+",
    "date": r"\d{4}-\d\d-\d\d",
    "instant": r"\d{4}-\d\d-\d\dT[\d:.]+(?:[+-]\d\d:\d\d|Z)?",
    "zone": r"[A-Za-z][\w+-]*(?:/[\w+-]+)*",
}
"""What a placeholder of a kind matches, where "anything" would swallow the text
around it (a list of years: ``2027-2030`` or ``2027, 2029``), or where it may be
empty (a staff id quoted only when it looks like one: ``duplicate staff id 'SR-201'``)."""


@functools.cache
def _reason_patterns() -> tuple[tuple[str, re.Pattern[str], Mapping[str, str]], ...]:
    compiled = []
    for message, kinds in LIBRARY_REASONS:
        parts = re.split(r"\{(\w+)\}", message)
        regex = "".join(
            re.escape(part)
            if i % 2 == 0
            else f"(?P<{part}>{_VALUE.get(kinds.get(part, ''), '.+?')})"
            for i, part in enumerate(parts)
        )
        compiled.append((message, re.compile(regex, re.DOTALL), kinds))
    return tuple(compiled)


def _catalog_languages(lang: str) -> list[str]:
    shipped = _CATALOG_OF.get(lang)
    return [shipped, lang] if shipped else [lang]


def _load(lang: str, dirs: tuple[Path, ...]) -> gettext.NullTranslations:
    chain: gettext.NullTranslations | None = None
    for d in dirs:
        try:
            found = gettext.translation(DOMAIN, d, languages=_catalog_languages(lang))
        except OSError:
            continue
        if chain is None:
            chain = found
        else:
            chain.add_fallback(found)
    return chain if chain is not None else gettext.NullTranslations()


def translator(lang: str = "en", environ: Mapping[str, str] | None = None) -> Translator:
    """The translator for a language code or locale tag (``zh``, ``zh_CN.UTF-8``, ``en``).

    A language without a catalog reads in English.

    :raises InvalidInputError: ``lang`` is not text, or ``environ`` not a mapping.
    """
    if not isinstance(lang, str):
        raise _refused("lang", "a language code or locale tag such as zh or en_GB", lang)
    code = resolve_language(lang, environ) or "en"
    return Translator(code, _load(code, catalog_dirs(environ)))


def _subclasses(cls: type[LabelledEnum]) -> Iterator[type[LabelledEnum]]:
    """Every enum with labels (``Channel``, ``Validity``), subclasses of subclasses too."""
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)
