"""A Babel extraction method for the core (used by ``pybabel extract``, never at run time).

The core marks nothing for translation, yet people see its words: the labels of
its enums (``Status.CLOSED`` → "closed"), the kinds of its events and their
field names, the names of its commands.  This method reads them from the source
as Babel's own ``python`` method reads marked messages (which it also does, for
the derivation steps), and gives each the context the shell looks it up with
(:class:`complaintcore.i18n.Translator`): the enum's class name, ``event``,
``field`` or ``command``.  ``pyproject.toml`` (``[tool.babel]``) maps
``core/*.py`` to it.
"""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

__all__ = ["extract"]

Message = tuple[Any, ...]
"""``(lineno, funcname, message or (context, message), comments)``, as Babel takes them."""

_ENUM_BASES = {"LabelledEnum"}
_EVENT_BASE = "Event"
_COMMAND_BASE = "Command"
_COLUMNS = {"at", "actor"}
"""Event fields every timeline shows as columns of its own."""


def extract(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[Message]:
    """Babel's ``python`` extraction plus the enum labels, event kinds and field names."""
    from babel.messages.extract import extract_python

    yield from extract_python(fileobj, keywords, comment_tags, options)  # type: ignore[arg-type]
    fileobj.seek(0)
    tree = ast.parse(fileobj.read())
    events = _subclasses(tree, _EVENT_BASE)
    commands = _subclasses(tree, _COMMAND_BASE)
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            bases = {_name(b) for b in node.bases}
            if bases & _ENUM_BASES:
                yield from _enum_labels(node)
            elif node.name in events:
                yield from _event_words(node)
            elif node.name in commands:
                yield from _command_name(node)


def _name(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _subclasses(tree: ast.Module, base: str) -> set[str]:
    """Subclasses of ``base`` (directly or not) defined in this module."""
    found: set[str] = set()
    classes = [n for n in tree.body if isinstance(n, ast.ClassDef)]
    changed = True
    while changed:
        changed = False
        for node in classes:
            bases = {_name(b) for b in node.bases}
            if node.name not in found and bases & ({base} | found):
                found.add(node.name)
                changed = True
    return found


def _enum_labels(node: ast.ClassDef) -> Iterator[Message]:
    for stmt in node.body:
        if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Tuple)):
            continue
        parts = stmt.value.elts
        if len(parts) == 3 and all(
            isinstance(p, ast.Constant) and isinstance(p.value, str) for p in parts
        ):
            _value, zh, en = (str(p.value) for p in parts if isinstance(p, ast.Constant))
            yield stmt.lineno, "pgettext", (node.name, en), [f"zh: {zh}"]


def _event_words(node: ast.ClassDef) -> Iterator[Message]:
    for stmt in node.body:
        if not (isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)):
            continue
        name = stmt.target.id
        if "ClassVar" in ast.unparse(stmt.annotation):
            if name == "kind" and isinstance(stmt.value, ast.Constant):
                kind = str(stmt.value.value)
                yield stmt.lineno, "pgettext", ("event", kind.replace("_", " ")), []
        elif name not in _COLUMNS and not name.startswith("_"):
            yield stmt.lineno, "pgettext", ("field", name.replace("_", " ")), []


def _command_name(node: ast.ClassDef) -> Iterator[Message]:
    for stmt in node.body:
        if (
            isinstance(stmt, ast.AnnAssign)
            and isinstance(stmt.target, ast.Name)
            and stmt.target.id == "name"
            and isinstance(stmt.value, ast.Constant)
        ):
            name = str(stmt.value.value)
            yield stmt.lineno, "pgettext", ("command", name.replace("_", " ")), []
