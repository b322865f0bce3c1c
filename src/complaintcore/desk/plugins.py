"""The plugin manager factory: no global, nothing loaded at import time."""

from __future__ import annotations

from collections.abc import Iterable

import pluggy

from complaintcore.core.errors import ComplaintCoreError
from complaintcore.desk import hookspecs

__all__ = ["ENTRY_POINT_GROUP", "PluginError", "make_plugin_manager"]

ENTRY_POINT_GROUP = "complaintcore"
"""Third-party plugins declare ``[project.entry-points.complaintcore]``."""


def make_plugin_manager(
    plugins: Iterable[object] = (), *, load_entry_points: bool = True
) -> pluggy.PluginManager:
    """A fresh plugin manager with the built-in adapters and the host's plugins.

    pluggy asks the plugin registered last first: the built-ins answer last
    (``trylast``), installed entry-point plugins next, and the plugins the host
    passes in first, since the host knows best.  A misspelt hook name or a wrong
    argument in any plugin raises :class:`PluginError` at once
    (``check_pending``) rather than being silently ignored.
    """
    from complaintcore.adapters import builtin

    pm = pluggy.PluginManager("complaintcore")
    pm.add_hookspecs(hookspecs)
    try:
        pm.register(builtin, name="complaintcore.builtin")
        if load_entry_points:
            pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        for plugin in plugins:
            pm.register(plugin)
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(exc.plugin, str(exc)) from None
    return pm


class PluginError(ComplaintCoreError, pluggy.PluginValidationError):
    """A plugin implements a hook that does not exist, or with wrong arguments."""
