"""The ``complaintcore`` command line (needs the ``cli`` extra: click and rich).

The entry point is :func:`complaintcore.cli.app.main`; ``complaintcore.cli.main``
stays importable for scripts that used it.  Without the extra, loading either
prints the install hint and exits with status 2.  The rest of this package
(``demo``, ``report_html``) works without click and rich.

Layout: ``app`` (the group, error handling), ``context`` (what commands share),
``errors`` (exit codes), ``localize`` and ``text`` (click in the reader's
language; messages themselves are catalog msgids, see :mod:`complaintcore.i18n`),
``progress``, ``fit`` (tables within the terminal's width, nothing cut);
one module per command group: ``init_cmd``, ``demo_cmd``, ``receive``,
``listing`` (list, show), ``act``, ``issues`` (explain-all), ``sweep``, ``deliver``,
``outbox``, ``verify``, ``audit``, ``report`` (with
``report_terminal`` and ``report_html`` rendering it), ``packs``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from complaintcore.cli.app import main

__all__ = ["main"]

if not TYPE_CHECKING:  # hidden from type checkers: they would type every name as Any

    def __getattr__(name: str) -> Any:
        # Lazy: the report renderer and the demo in this package work without click installed.
        if name == "main":
            from complaintcore.cli.app import main

            return main
        raise AttributeError(f"module 'complaintcore.cli' has no attribute {name!r}")
