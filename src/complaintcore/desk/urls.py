"""Web addresses as logs, errors and reprs may show them.

Pure string handling (no I/O; kept out of the core, which imports no urllib).
A webhook's secret may sit in its query
(``?key=…``, ``?access_token=…``) or in its path (Slack's
``/services/T…/B…/<token>``, Discord's ``/api/webhooks/<id>/<token>``, Feishu's
``/open-apis/bot/v2/hook/<token>``, a host's own endpoint): only what names the
server is shown (review s50P F02).
"""

from __future__ import annotations

import urllib.parse

__all__ = ["endpoint_shown"]


def endpoint_shown(url: str) -> str:
    """``url`` as ``scheme://host[:port]``, with ``/…`` standing for any path and
    query: no token either may hold is shown.  A login before the host is starred
    (``***@``); a text that is no URL is ``…`` (empty stays empty)."""
    if not url:
        return ""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket
        return "…"
    if not parts.scheme or not parts.netloc:
        return "…"
    _login, at, host = parts.netloc.rpartition("@")
    shown = f"{parts.scheme}://{'***@' if at else ''}{host}"
    rest = url[url.index("//") + 2 + len(parts.netloc) :]  # the path, query and fragment
    return f"{shown}/…" if rest.strip("/") else shown
