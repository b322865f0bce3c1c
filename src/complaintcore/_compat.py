"""Import paths of complaintcore 0.1.0, kept working with a DeprecationWarning.

0.1.0 kept every module side by side (``complaintcore.models``,
``complaintcore.workflow`` …).  They now live in ``core/``, ``desk/`` and
``cli/``.  Rather than leave a stub file per old name in the tree, a meta-path
finder answers for the old names: importing one warns once and hands back a
module that forwards every attribute to the new home.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types
import warnings
from collections.abc import Sequence
from typing import Any

__all__ = ["MOVED", "install"]

_CORE = [
    "accountability",
    "calendar",
    "classification",
    "deadlines",
    "errors",
    "escalation",
    "grading",
    "models",
    "privacy",
    "rulepack",
    "stats",
    "validity",
    "workflow",
]
_DESK = ["access", "config", "hookspecs", "messages", "plugins", "ports"]

MOVED: dict[str, str] = {
    **{f"complaintcore.{m}": f"complaintcore.core.{m}" for m in _CORE},
    **{f"complaintcore.{m}": f"complaintcore.desk.{m}" for m in _DESK},
    "complaintcore.demo": "complaintcore.cli.demo",
    "complaintcore.report_html": "complaintcore.cli.report_html",
    "complaintcore.adapters._chain": "complaintcore.adapters.chain",
}
"""Old module name → where it lives now."""


class _Moved(types.ModuleType):
    """Stands in for a moved module; every attribute comes from the new one."""

    def __init__(self, name: str, target: str) -> None:
        super().__init__(name, f"Moved to {target}; import from complaintcore instead.")
        self.__dict__["_target"] = target

    def _module(self) -> types.ModuleType:
        return importlib.import_module(self.__dict__["_target"])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module(), name)

    def __dir__(self) -> list[str]:
        return dir(self._module())


class _Loader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return _Moved(spec.name, self.target)

    def exec_module(self, module: types.ModuleType) -> None:
        warnings.warn(
            f"{module.__name__} is deprecated since complaintcore 0.2: import from "
            f"'complaintcore' (or {self.target})",
            DeprecationWarning,
            stacklevel=2,  # warnings skips importlib's frames itself
        )


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: types.ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _Loader(new))


def install() -> None:
    """Answer for the old names (idempotent; called by ``import complaintcore``)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())
