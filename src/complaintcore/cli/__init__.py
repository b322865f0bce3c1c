"""The ``complaintcore`` command line (needs the ``cli`` extra: click and rich).

The entry point is :func:`complaintcore.cli.app.main`; ``complaintcore.cli.main``
stays importable for scripts that used it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["main"]


def __getattr__(name: str) -> Any:
    # Lazy: the report renderer in this package works without click installed.
    if name == "main":
        from complaintcore.cli.app import main

        return main
    raise AttributeError(f"module 'complaintcore.cli' has no attribute {name!r}")
