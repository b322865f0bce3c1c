"""The plugin manager factory: no global, nothing loaded at import time."""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from complaintcore import hookspecs

__all__ = ["ENTRY_POINT_GROUP", "make_plugin_manager"]

ENTRY_POINT_GROUP = "complaintcore"
"""Third-party plugins declare ``[project.entry-points.complaintcore]``."""


def make_plugin_manager(
    plugins: Iterable[object] = (), *, load_entry_points: bool = True
) -> pluggy.PluginManager:
    """A fresh plugin manager with the built-in adapters and the host's plugins.

    Misspelt hook names in any plugin raise at once (``check_pending``), rather
    than being silently ignored.
    """
    from complaintcore.adapters import builtin

    pm = pluggy.PluginManager("complaintcore")
    pm.add_hookspecs(hookspecs)
    pm.register(builtin, name="complaintcore.builtin")
    for plugin in plugins:
        pm.register(plugin)
    if load_entry_points:
        pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
    pm.check_pending()
    return pm
