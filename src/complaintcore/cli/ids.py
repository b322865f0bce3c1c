"""Complaint and issue ids as people type them.

An id copied from a chat message or typed with a Chinese input method comes in
full width (``Ｃ－２０２６…``), in lower case, or with a space or a ``，`` pasted
with it; staff ids are folded the same way (NFKC, case, spaces).  Only ids of
the desk's own form (``C-YYYYMMDD-`` and sixteen hex digits, ``I-`` before an
issue's) are folded: a host's own id scheme is taken as typed, spaces round it
aside.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

import click

__all__ = ["COMPLAINT_ID", "typed_id"]

_OWN_FORM = re.compile(r"(?i)(i-)?c-(\d{8})-([0-9a-f]{16})")
# what a paste brings round an id: spaces of any kind, punctuation, quotes, brackets
_AROUND = " \t\r\n\u3000\u200b\u200c\u200d\u2060\ufeff,.;:!?\"'“”‘’「」『』【】()[]<>《》、。"


def typed_id(text: str) -> str:
    """The desk's id for ``text`` as typed (see the module's docstring)."""
    folded = unicodedata.normalize("NFKC", text).strip(_AROUND)
    own = _OWN_FORM.fullmatch(folded)
    if own is None:
        return text.strip()
    return f"{'I-' if own[1] else ''}C-{own[2]}-{own[3].lower()}"


if TYPE_CHECKING:  # click >= 8.4 types its parameter types by value
    _IdParam = click.ParamType[str]
else:  # and older clicks cannot subscript them at run time
    _IdParam = click.ParamType


class _TypedId(_IdParam):
    name = "id"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        return typed_id(value) if isinstance(value, str) else str(value)


COMPLAINT_ID = _TypedId()
"""A click argument type for a complaint's or an issue's id."""
