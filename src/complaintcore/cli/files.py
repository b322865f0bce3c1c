"""Files the command line writes where the user says (``report --output``,
``verify --checkpoint``): links another user planted refused, and every write a
new directory entry put in place in one step.

A symbolic link is followed only to a file that exists, and not when it sits in
a shared folder (world-writable and sticky, as ``/tmp``) and belongs to neither
the user running the command nor the folder's owner: the rule Linux's
``fs.protected_symlinks`` applies to ``open``, applied here too, since a
replacement in the resolved folder would pass it by (review s50P F04).  A file is
replaced by renaming a new one over it, never rewritten in place, so another
name of the same file (a hard link, a bind-mounted path) keeps what it held
(review s50P F01).
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

import click

if TYPE_CHECKING:
    from complaintcore.cli.context import Ctx

__all__ = ["planted_link", "refuse_planted", "replace_file", "same_file"]


def refuse_planted(ctx: Ctx, path: str, param_hint: str) -> None:
    """A usage error naming ``param_hint`` for a link :func:`planted_link` refuses."""
    why = planted_link(path)
    if why == "dangling":
        message = ctx.t("is a symbolic link to a file that does not exist; give the file itself")
    elif why == "foreign":
        message = ctx.t(
            "is a symbolic link another user made in a shared folder; give the file itself"
        )
    else:
        return
    raise click.BadParameter(message, param_hint=param_hint)


def planted_link(path: str) -> Literal["dangling", "foreign"] | None:
    """Why ``path`` may not be followed: ``"dangling"``, a symbolic link to nothing
    (a file that does not exist, a loop); ``"foreign"``, a link in a shared folder
    made by another user than this one or the folder's owner; else ``None`` (not a
    link, or one to follow)."""
    try:
        link = os.lstat(path)
    except OSError:
        return None  # nothing there: a new file
    if not stat.S_ISLNK(link.st_mode):
        return None
    if not os.path.exists(path):
        return "dangling"
    geteuid = getattr(os, "geteuid", None)  # not on Windows, which has no sticky folders
    if geteuid is None:
        return None
    try:
        folder = os.stat(os.path.dirname(os.path.abspath(path)))
    except OSError:
        return None
    shared = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
    if shared and link.st_uid not in (geteuid(), folder.st_uid):
        return "foreign"
    return None


def same_file(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` are one file (one device and inode: a hard link, a
    bind mount or a link to it); ``False`` while either does not exist."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def replace_file(
    path: str,
    data: bytes,
    *,
    mode: int = 0o666,
    keep: Callable[[int, os.stat_result], None] | None = None,
) -> None:
    """Put a new file at ``path`` (a link's target, where it is one) in one step:
    ``data`` goes into a temporary file in the same folder, which is synced and
    renamed over the old.  An existing file's permissions are kept (``keep``, given
    the new file's descriptor and the old file's status, may keep more: its
    owner); a new one has ``mode`` less the umask.  An ``OSError`` names
    ``path``, never the temporary file."""
    target = os.path.realpath(path)
    folder, name = os.path.split(target)
    try:
        old: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        old = None
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, path) from None
    tmp = ""
    try:
        fd, tmp = _new_file(folder, name, mode)
        with os.fdopen(fd, "wb") as fh:
            if old is not None:
                if keep is not None:
                    keep(fh.fileno(), old)  # before the mode: chown may clear bits
                os.fchmod(fh.fileno(), stat.S_IMODE(old.st_mode))
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        if tmp:
            _remove(tmp)
        raise OSError(exc.errno, exc.strerror, path) from None
    except BaseException:
        if tmp:
            _remove(tmp)
        raise


def _new_file(folder: str, name: str, mode: int) -> tuple[int, str]:
    """A new, empty temporary file next to ``name``, created with ``mode`` less the
    umask (``mkstemp`` would make it 0600 whatever the umask)."""
    for _ in range(100):
        tmp = os.path.join(folder or ".", f".{name}.{secrets.token_hex(6)}.tmp")
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
            return os.open(tmp, flags, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(17, "no free temporary name", os.path.join(folder, name))


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
