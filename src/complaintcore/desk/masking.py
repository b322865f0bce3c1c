"""A complaint's record as staff who need not see personal data see it (PRV-1).

:meth:`Desk.view <complaintcore.desk.service.Desk.view>` hands such staff the
serialised complaint with the complainant's name, phone and room masked, and
those values, phone numbers and e-mail addresses redacted in every text.  A host
hook's failure is logged the same way (:func:`masked_traceback`).
"""

from __future__ import annotations

import json
import re
import traceback
import unicodedata
import urllib.parse
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any

from complaintcore.core.errors import shown_issue
from complaintcore.core.models import Complainant, mask
from complaintcore.core.privacy import Literals, literals_in, redact, shown_site
from complaintcore.core.rulepack import RulePack
from complaintcore.core.workflow import Command

__all__ = [
    "fellows_in",
    "issue_texts",
    "literals_of",
    "masked_record",
    "masked_traceback",
    "people_named",
    "with_encodings",
]


# Keys whose values are ids, codes, times and enums: everything else in a record
# is text someone typed (or derived from it) and is redacted in a masked view.
_STRUCTURAL = frozenset(
    {
        "type",
        "at",
        "actor",
        "received_at",
        "occurred_at",
        "due",
        "reply_due",
        "channel",
        "receiver",
        "receiver_unit",
        "site",
        "unit",
        "to_unit",
        "category",
        "cause",
        "department",
        "helpers",
        "handler",
        "rung",
        "from_rung",
        "to_rung",
        "trigger",
        "grade",
        "validity",
        "complaint_kind",
        "facts",
        "staff_id",
        "supervisor",
        "measure",
        "measure_kind",
        "owner",
        "same_complainant",
        "same_room",
        "same_matter",
        "repeated_by",
    }
)


# Keys that hold a code in most records but free text in these (record type, key).
_TYPED_TEXT = frozenset({("cause_analysed", "cause")})

# Keys naming the pack's clocks and duties, comma-separated (an escalation's
# ``reply,promise``).  A history written before ``decide`` checked them may hold
# anything typed there: a name the pack knows is shown, anything else masked
# (PRV-1).  Without the pack's names, a name shaped like a pack code is shown.
_CODE_LISTS = frozenset({"clock"})
_CODE = re.compile(r"[a-z][a-z0-9_]{0,39}")

# A concentrated issue's id (HDL-5): shown when the desk could have named it, masked
# otherwise -- typed by hand before ``Group`` refused anything but ``I-…``, it may be
# the complainant's phone or name (review s31C F04).
_ISSUE_KEYS = frozenset({"issue"})


def masked_record(
    data: dict[str, Any],
    pack: RulePack | None = None,
    *,
    others: Iterable[Complainant] = (),
    sites: Collection[str] = (),
) -> dict[str, Any]:
    """A serialised complaint with the complainant's data masked everywhere (PRV-1).

    The name, phone and room fields are masked, and in every other text of the
    intake and the events -- the building, summaries, notes, evidence names, event
    references, the host's idempotency key, texts events of later versions
    add -- the same values, phone numbers and e-mail addresses are redacted.
    Only ids, codes, times and enum values are left as they are.  With the
    desk's ``pack``, an escalation's ``clock`` naming anything but the pack's
    clocks and duties (typed before such names were checked) is masked too, and
    so is an issue id not of the desk's shape (:func:`~complaintcore.core.errors.shown_issue`).

    ``others`` are complainants of other complaints whose names, phones and rooms
    the texts may hold, redacted in them too: for a member of a concentrated
    issue, those of the issue's other members
    (:meth:`Desk.issue_complainants <complaintcore.desk.service.Desk.issue_complainants>`),
    since a text given to the whole issue (HDL-5) is copied into each member.

    ``sites`` are the site codes the desk names (:meth:`Desk.known_sites
    <complaintcore.desk.service.Desk.known_sites>`): the intake's and the
    complainant's ``site`` are shown when one of them, else redacted as free text
    (:func:`~complaintcore.core.privacy.shown_site`; review s47D F01): on a desk
    that names no site, any was taken, a name or a phone too.
    """
    codes = None if pack is None else {*pack.codes_of("clock"), *pack.codes_of("duty")}
    person = data["intake"]["complainant"]
    secrets = [person["name"], person["phone"], person["room"]]
    fellows = literals_of(others)
    if fellows:  # an issue's hundreds of names and rooms: only those its texts may hold
        secrets += literals_in("\n".join(_texts(data)), fellows)
    for key in ("name", "phone", "room"):
        person[key] = mask(person[key])
    if isinstance(person.get("building"), str):  # free text: a name or phone typed there
        person["building"] = redact(person["building"], also=secrets)
    for record in (data["intake"], person):  # a site the desk does not name is typed text
        if isinstance(record.get("site"), str) and record["site"]:
            record["site"] = shown_site(record["site"], sites, also=secrets)
    for record in (data["intake"], *data["events"]):
        for key, value in record.items():
            structural = key in _STRUCTURAL and (record.get("type"), key) not in _TYPED_TEXT
            if key in _CODE_LISTS:
                record[key] = _codes_shown(value, codes)
            elif key in _ISSUE_KEYS and isinstance(value, str) and value:
                record[key] = shown_issue(value)
            elif not structural and key != "complainant":
                record[key] = _redacted(value, secrets)
    return data


def literals_of(people: Iterable[Complainant]) -> list[str]:
    """The name, phone and room of each of ``people``: the literals to redact (PRV-1)."""
    return [v for p in people for v in (p.name, p.phone, p.room) if v]


def fellows_in(text: str, others: Sequence[Complainant] | Literals) -> list[str]:
    """The names, phones and rooms of ``others`` that ``text`` may hold (PRV-1): of
    complainants, as :func:`literals_in` finds them; of an issue's literals
    prepared once for many texts (:class:`~complaintcore.core.privacy.Literals`),
    the same, at a cost that does not grow with the issue (review s47G F03)."""
    if isinstance(others, Literals):
        return others.found_in(text)
    return literals_in(text, literals_of(others))


def people_named(text: str, people: Mapping[str, Complainant]) -> list[tuple[str, str]]:
    """Whose stored name, phone or room ``text`` holds (PRV-1): each ``(complaint id,
    kind)`` of ``people`` (each complaint's complainant), ``kind`` one of ``name``,
    ``phone``, ``room``, in the order of ``people``; what a masked view masks as
    theirs (:func:`redact` with the value), and a phone written with other digits,
    spaces, dashes or dots (``+86 138-1234-5671``), which a masked view masks as a
    phone of anyone.  Never the values themselves (review s56R5 F02)."""
    owners: dict[str, list[tuple[str, str]]] = {}
    for cid, person in people.items():
        for kind, value in (("name", person.name), ("phone", person.phone), ("room", person.room)):
            if value.strip():
                owners.setdefault(value, []).append((cid, kind))
    if not owners:
        return []
    plain = redact(text)
    named = {v for v in Literals(owners).found_in(text) if redact(text, also=(v,)) != plain}
    digits = _phone_digits(text)
    found: set[tuple[str, str]] = set()
    for value, whose in owners.items():
        for cid, kind in whose:
            if value in named or (kind == "phone" and _dialled(value, digits)):
                found.add((cid, kind))
    return [
        (cid, kind) for cid in people for kind in ("name", "phone", "room") if (cid, kind) in found
    ]


ISSUE_TEXTS: Mapping[str, tuple[str, ...]] = {
    "reply": ("message",),
    "apologise": ("apology", "reason", "remedy"),
    "acknowledge": ("definition", "remedy_sought", "apology"),
    "respond": ("message", "remedies"),
    "promise": ("note",),
    "extend": ("reason", "details"),
    "close": ("result",),
}
"""HDL-5, PRV-1: the fields of a command that its complainant is told, by command
name: what :meth:`Desk.act_on_issue <complaintcore.desk.service.Desk.act_on_issue>`
tells every member's complainant (review s56R7 F01).  A command's other texts
(a pause's reason, REC-4's unanswerable reason, a department's result, a cause)
are records for staff, masked for every member in each masked view and message."""


def issue_texts(command: Command) -> list[tuple[str, str]]:
    """``(field, text)`` for each non-empty free-text field of ``command``
    (:data:`ISSUE_TEXTS`); an item of a tuple of texts as ``field[i]``."""
    out: list[tuple[str, str]] = []
    for field in ISSUE_TEXTS.get(command.name, ()):
        value = getattr(command, field)
        if isinstance(value, str):
            if value.strip():
                out.append((field, value))
        else:
            out.extend((f"{field}[{i}]", v) for i, v in enumerate(value) if v.strip())
    return out


_PHONE_GLUE = frozenset(" -./()+\u00a0\u3000\u2010\u2011\u2012\u2013\u2014\u2212\uff0d\t")
"""What may stand between a phone's digits as people write it."""


def _phone_digits(text: str) -> str:
    """``text`` with every digit (of any script) as an ASCII digit, the spaces and
    dashes between them left out, and anything else a break (``|``)."""
    out = []
    for char in text:
        digit = unicodedata.decimal(char, None)
        if digit is not None:
            out.append(str(digit))
        elif char not in _PHONE_GLUE:
            out.append("|")
    return "".join(out)


def _dialled(phone: str, digits: str) -> bool:
    """Whether a stored phone of seven digits or more is among ``digits``
    (:func:`_phone_digits`), with or without its country code 86."""
    own = _phone_digits(phone).replace("|", "")
    forms = {own}
    for code in ("0086", "86"):
        if own.startswith(code) and len(own) - len(code) >= 7:
            forms.add(own[len(code) :])
    return any(len(f) >= 7 and f in digits for f in forms)


def _texts(value: Any) -> Iterator[str]:
    """Every text in a serialised record, however deep."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _texts(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _texts(v)


def _codes_shown(value: Any, codes: set[str] | None) -> Any:
    if not isinstance(value, str):
        return value if value is None else mask(str(value))
    known = _CODE.fullmatch if codes is None else codes.__contains__
    return ",".join(n if known(n) else mask(n) for n in value.split(","))


def _redacted(value: Any, secrets: Sequence[str]) -> Any:
    if isinstance(value, str):
        return redact(value, also=secrets)
    if isinstance(value, list):
        return [_redacted(v, secrets) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v, secrets) for k, v in value.items()}
    return value


def masked_traceback(exc: BaseException, secrets: Sequence[str]) -> str:
    """A host hook's exception as the desk logs it (PRV-1): its traceback, the
    exceptions it was raised from and their notes included, with ``secrets`` (the
    complainant's name, phone and room), phone numbers and e-mail addresses
    redacted.  A host's error may quote what it was given -- a classifier
    service's URL holding the summary, a CRM's "no owner <name>" -- and a log
    reaches files and error trackers that staff who need not see personal data
    read, so the desk logs this text instead of the exception itself.  The secrets
    are masked as a URL or a JSON document quotes them too."""
    text = "".join(traceback.format_exception(exc)).rstrip("\n")
    return redact(text, also=with_encodings(secrets))


def with_encodings(secrets: Sequence[str]) -> list[str]:
    """``secrets`` and the forms a client quotes them in (PRV-1): a host's error text
    (a hook's, a channel's) may hold them as a URL or a JSON document does."""
    quoted = [q for v in secrets for q in _encoded(v.strip()) if q != v.strip()]
    return [*secrets, *quoted]


def _encoded(value: str) -> tuple[str, ...]:
    """How a client quotes a value it was given: in a URL (``%E7%8E%8B``,
    ``Margaret%20Thompson`` or ``+``; a slash kept, as ``quote`` does by default
    for a path, or encoded), in JSON (``\\u738b``), and as the repr of its bytes in
    UTF-8 or GB18030 (``\\xe7\\x8e\\x8b``, ``\\xcd\\xf5``: an HTTP client's error
    quoting the request body, review s45D F07)."""
    return (
        urllib.parse.quote(value, safe=""),
        urllib.parse.quote(value),
        urllib.parse.quote_plus(value, safe=""),
        json.dumps(value)[1:-1],
        *(_bytes_shown(value, codec) for codec in ("utf-8", "gb18030")),
    )


def _bytes_shown(value: str, codec: str) -> str:
    """``value`` encoded as a ``bytes`` repr shows it, without ``b'`` and ``'``."""
    return repr(value.encode(codec, errors="replace"))[2:-1]
