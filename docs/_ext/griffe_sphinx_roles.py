"""Griffe extension: Sphinx roles in docstrings become mkdocstrings cross-references.

complaintcore's docstrings use ``:class:`Desk``` and ``:func:`~complaintcore.monthly_report```
and the like.  mkdocstrings does not read roles, so this turns each into an
optional autoref: a link where the target is on a page, plain code otherwise.
Loaded by mkdocs.yml; not part of the site or the package.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|meth|func|mod|attr|data|exc|obj):`(~?)([\w.]+)(\(\))?`")


def _target(obj: griffe.Object, name: str) -> str:
    """The full path of ``name`` as seen from ``obj``; the name itself if unknown."""
    head, _, rest = name.partition(".")
    for scope in (obj, obj.parent):
        if scope is None:
            continue
        try:
            resolved = scope.resolve(head)
        except (griffe.NameResolutionError, AttributeError):
            continue
        return f"{resolved}.{rest}" if rest else resolved
    return name


def _rewrite(obj: griffe.Object) -> None:
    docstring = obj.docstring
    if docstring is None or ":`" not in docstring.value:
        return

    def link(match: re.Match[str]) -> str:
        short, name, call = match.group(1), match.group(2), match.group(3) or ""
        title = (name.rsplit(".", 1)[-1] if short else name) + call
        return f'<autoref identifier="{_target(obj, name)}" optional><code>{title}</code></autoref>'

    docstring.value = _ROLE.sub(link, docstring.value)


class SphinxRoles(griffe.Extension):
    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        todo: list[griffe.Object] = [pkg]
        while todo:
            obj = todo.pop()
            _rewrite(obj)
            todo.extend(m for m in obj.members.values() if not m.is_alias)
