"""Files that hold personal data, created readable by their owner alone.

A desk's SQLite database holds every complainant's name, phone and room, and its
staff file the staff's phones, e-mail addresses and webhooks: under the usual
umask 022 a file made with the default mode is readable by every local account,
which no access log records (review s50P F05).  So a new one is made 0600, or
0660 in a folder whose group is shared (set-group-ID: files made there take the
folder's group, the way a team shares a desk).  An existing file keeps the
permissions it has.
"""

from __future__ import annotations

import os
import stat

__all__ = ["open_private", "private_mode"]


def private_mode(path: str | os.PathLike[str]) -> int:
    """The permissions a new file at ``path`` gets: 0660 in a set-group-ID folder,
    else 0600 (the umask may take more away)."""
    folder = os.path.dirname(os.path.abspath(path))
    try:
        shared = os.stat(folder).st_mode & stat.S_ISGID
    except OSError:
        shared = 0
    return 0o660 if shared else 0o600


def open_private(path: str | os.PathLike[str], *, overwrite: bool = False) -> int:
    """A file descriptor for writing a new file at ``path`` with
    :func:`private_mode` (``overwrite``: an existing file is emptied and keeps its
    permissions).

    :raises FileExistsError: the file exists and ``overwrite`` is false.
    """
    flags = os.O_WRONLY | os.O_CREAT | getattr(os, "O_BINARY", 0)
    flags |= os.O_TRUNC if overwrite else os.O_EXCL
    return os.open(path, flags, private_mode(path))
