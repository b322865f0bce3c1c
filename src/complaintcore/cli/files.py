"""Files the command line writes where the user says (``report --output``,
``verify --checkpoint``): links another user planted refused, and every write a
new directory entry put in place in one step.

A symbolic link is followed only to a file that exists, and not when it sits in
a shared folder (world-writable and sticky, as ``/tmp``) and belongs to neither
the user running the command nor the folder's owner: the rule Linux's
``fs.protected_symlinks`` applies to ``open``, applied here too, since a
replacement in the resolved folder would pass it by (review s50P F04).  A regular
file is replaced by renaming a new one over it, so another name of the same file
(a hard link) keeps what it held (review s50P F01), and the new one keeps the
old one's permissions, group and, as root, owner (review s50R F03).  What cannot
be renamed over (a single-file bind mount, a file in a folder this user may not
write) is written in place, and so are devices, FIFOs and ``/dev/stdout``, as
every Unix tool writes them (review s50R F01, F02): the desk's own files are
refused by identity before either.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from typing import TYPE_CHECKING, Final, Literal

import attrs
import click

if TYPE_CHECKING:
    from complaintcore.cli.context import Ctx

__all__ = [
    "Written",
    "planted_link",
    "refuse_planted",
    "replace_file",
    "same_file",
    "warn_if_group_lost",
]


def warn_if_group_lost(ctx: Ctx, written: Written, option: str, path: object) -> None:
    """A warning on standard error when a replaced file's group could not be kept:
    the new file has the user's group, with the same permissions (review s47H F04)."""
    if written.group_kept:
        return
    text = ctx.t(
        "{option} {path}: its group could not be kept (this user is not in it);"
        " the file now has the user's group, with the same permissions",
        option=option,
        path=path,
    )
    click.echo(ctx.t("warning: {text}", text=text), err=True)


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


@attrs.frozen
class Written:
    """How :func:`replace_file` put its data at a path.

    ``how``: ``"renamed"``, a new file renamed over the old (or put there);
    ``"in place"``, the existing file opened and written (a device, a FIFO, a
    file that could not be renamed over); ``"descriptor"``, written on this
    process's open ``descriptor`` (``/dev/stdout``, ``/dev/fd/N``).
    ``group_kept``: ``False`` when a replaced file's group could not be given to
    the new one (a group this user is not in).
    """

    how: Literal["renamed", "in place", "descriptor"]
    group_kept: bool = True
    descriptor: int | None = None


#: A rename that cannot happen where writing the file can: a mount point (a
#: single-file bind mount), another file system, a folder this user may not write.
_IN_PLACE_ERRNOS: Final = frozenset({errno.EBUSY, errno.EXDEV, errno.EACCES, errno.EPERM})


def replace_file(path: str, data: bytes, *, mode: int = 0o666) -> Written:
    """Put ``data`` at ``path`` (a link's target, where it is one).

    A regular file, or none yet, gets a new file in one step: ``data`` goes into
    a temporary file in the same folder, which is synced and renamed over the old.
    A replaced file's permissions, group and (as root) owner are kept; a new one
    has ``mode`` less the umask.  Where the temporary file cannot be made (a
    folder this user may not write) or the rename fails (EBUSY on a bind-mounted
    file, EXDEV), an existing file is written in place instead (review s50R F02).
    Anything else (a device, a FIFO) and a path through a process's descriptors
    (``/dev/stdout``, ``/proc/self/fd/N``) is opened and written as every Unix
    tool does (a socket cannot be: its open fails with ENXIO, and ``report
    --output`` refuses one first; review s51R3 F04), never replaced by a regular
    file; this process's own descriptor is written on directly, so ``>>`` still
    appends (review s50R F01).
    The caller refuses the desk's own files first.  An ``OSError`` names
    ``path``, never the temporary file."""
    through, descriptor = _through_descriptor(path)
    try:
        if descriptor is not None:
            _write_descriptor(descriptor, data)
            return Written("descriptor", descriptor=descriptor)
        try:
            old: os.stat_result | None = os.stat(path)
        except FileNotFoundError:
            old = None
        if old is not None and (through or not stat.S_ISREG(old.st_mode)):
            _write_in_place(path, data, regular=stat.S_ISREG(old.st_mode))
            return Written("in place")
        return _rename_into_place(os.path.realpath(path), data, mode, old)
    except OSError as exc:
        raise OSError(exc.errno, exc.strerror, path) from None


def _rename_into_place(target: str, data: bytes, mode: int, old: os.stat_result | None) -> Written:
    folder, name = os.path.split(target)
    try:
        fd, tmp = _new_file(folder, name, mode)
    except PermissionError:  # a folder this user may not write
        if old is None:
            raise
        _write_in_place(target, data, regular=True)
        return Written("in place")
    try:
        with os.fdopen(fd, "wb") as fh:
            kept = True
            if old is not None:
                kept = _keep_owner(fh.fileno(), old)  # before the mode: chown may clear bits
                os.fchmod(fh.fileno(), stat.S_IMODE(old.st_mode))
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        if old is None or exc.errno not in _IN_PLACE_ERRNOS:
            raise
        _write_in_place(target, data, regular=True)
        return Written("in place")
    except BaseException:
        _remove(tmp)
        raise
    return Written("renamed", group_kept=kept)


def _keep_owner(fd: int, old: os.stat_result) -> bool:
    """Give the new file ``fd`` the replaced one's group (and owner, as root);
    ``False`` when the group could not be given (a group this user is not in)."""
    fchown = getattr(os, "fchown", None)  # not on Windows, where no group is kept
    if fchown is None:
        return True
    new = os.fstat(fd)
    uid = old.st_uid if os.geteuid() == 0 else -1  # only root may give a file away
    if new.st_gid == old.st_gid and uid in (-1, new.st_uid):
        return True
    try:
        fchown(fd, uid, old.st_gid)
    except PermissionError:
        return False
    return True


def _write_in_place(path: str, data: bytes, *, regular: bool) -> None:
    """Open the existing ``path`` (never created here) and write ``data`` into it,
    truncating a regular file first, as ``cp`` or a shell's ``>`` would."""
    flags = os.O_WRONLY | getattr(os, "O_BINARY", 0) | (os.O_TRUNC if regular else 0)
    with os.fdopen(os.open(path, flags), "wb") as fh:
        fh.write(data)
        fh.flush()
        if regular:
            os.fsync(fh.fileno())


def _write_descriptor(descriptor: int, data: bytes) -> None:
    """Write on this process's open ``descriptor``, where it is now (a copy of it:
    closing the copy leaves standard output open)."""
    with os.fdopen(os.dup(descriptor), "wb") as fh:
        fh.write(data)
        fh.flush()


def _through_descriptor(path: str) -> tuple[bool, int | None]:
    """Whether ``path`` leads through a process's descriptor folder
    (``/dev/stdout`` -> ``/proc/self/fd/1``, ``/dev/fd/N``, ``/proc/PID/fd/N``),
    and the descriptor's number where the process is this one.  Followed a link
    at a time: ``realpath`` would give the file behind the descriptor (the file
    standard output was redirected to), or a name such as ``pipe:[123]``."""
    current = os.path.abspath(path)
    for _ in range(40):  # as the kernel's limit on links followed
        folder = os.path.realpath(os.path.dirname(current))
        current = os.path.join(folder, os.path.basename(current))
        parts = folder.split(os.sep)
        if len(parts) >= 4 and parts[1] == "proc" and parts[-1] == "fd":
            mine = parts[2] in ("self", str(os.getpid())) and len(parts) == 4
            name = os.path.basename(current)
            return True, int(name) if mine and name.isdigit() else None
        try:
            link = os.readlink(current)
        except OSError:
            return False, None
        current = os.path.normpath(os.path.join(folder, link))
    return False, None


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
