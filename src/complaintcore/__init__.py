"""complaintcore: owners' complaints, handled by the documented procedures."""

from __future__ import annotations

from complaintcore._version import __version__

__all__ = ["__version__"]
