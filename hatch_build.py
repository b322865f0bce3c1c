"""Build hook: compile the message catalogs (``.po`` → ``.mo``) into wheels and editable installs.

The ``.po`` sources under ``src/complaintcore/locale`` are what the repository
keeps; the compiled ``.mo`` files gettext reads are made here, next to them,
whenever a wheel is built (``pip install .``, ``python -m build``) or an
editable install is made (``pip install -e .``).  A translation whose
``{fields}`` do not match its message id fails the build, as ``msgfmt -c`` would.
Babel is a build requirement (``[build-system]``), never a run-time one.
"""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

LOCALE = Path("src", "complaintcore", "locale")


def compile_catalogs(root: Path) -> list[Path]:
    """Write every ``<lang>/LC_MESSAGES/*.mo`` from its ``.po``; the ``.mo`` paths, sorted."""
    try:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po
    except ImportError as exc:  # a build without isolation, in an environment without Babel
        raise RuntimeError(
            "compiling the message catalogs needs Babel: pip install 'babel>=2.18' "
            "(a build requirement in pyproject.toml)"
        ) from exc

    written = []
    for po in sorted((root / LOCALE).glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        problems = [
            f"{po}: {message.id!r}: {error}"
            for message, errors in catalog.check()
            for error in errors
        ]
        problems += [
            f"{po}: {message.id!r}: {error}" for message, error in _unknown_fields(catalog)
        ]
        if problems:
            raise ValueError("bad translations:\n" + "\n".join(problems))
        mo = po.with_suffix(".mo")
        with mo.open("wb") as fh:
            write_mo(fh, catalog)
        written.append(mo)
    return written


def _fields(text: str) -> set[str]:
    """The ``{fields}`` of a ``str.format`` template (``{value!r}`` → ``value``)."""
    return {
        name.split("!")[0].split(":")[0].split(".")[0].split("[")[0]
        for _, name, _, _ in string.Formatter().parse(text)
        if name is not None
    }


def _unknown_fields(catalog: Any) -> list[tuple[Any, str]]:
    """Translations that name a ``{field}`` their message does not fill (a crash when shown)."""
    found = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = (message.id,) if isinstance(message.id, str) else message.id
        strings = (message.string,) if isinstance(message.string, str) else message.string
        try:
            known = set().union(*(_fields(i) for i in ids))
            for text in strings:
                extra = _fields(text) - known
                if extra:
                    found.append((message, f"unknown fields {sorted(extra)}"))
        except ValueError as exc:  # an unmatched brace
            found.append((message, f"not a format string: {exc}"))
    return found


class CatalogsBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    """Compile the catalogs before hatchling collects the package's files."""

    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return  # an sdist carries the .po sources; its wheel compiles them
        root = Path(self.root)
        for mo in compile_catalogs(root):
            # .mo files are not in git (.gitignore), so name them for the wheel
            build_data["artifacts"].append(mo.relative_to(root).as_posix())
