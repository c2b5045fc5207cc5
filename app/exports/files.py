"""Writing an output file atomically: a temporary file beside the target, then one rename."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from app.core.errors import ValidationError
from db.staging import remove_stale_parts

# Runs around the rename: e.g. an audit transaction that commits only if the rename worked.
Guard = Callable[[], AbstractContextManager[object]]


def check_target(target: Path, suffix: str, kind: str) -> Path:
    """``target`` with ``suffix`` if it can be written there; otherwise a Chinese refusal.

    Called before any slow work, so that a typo in the folder is known at once.
    """
    path = Path(target).expanduser()
    if path.is_dir():
        raise ValidationError(f"无法写入文件：“{path}”是一个文件夹，请换一个文件名。", "path")
    if path.suffix.lower() != suffix:
        raise ValidationError(f"{kind}的文件名请以 {suffix} 结尾。", "path")
    if not path.parent.is_dir():
        raise ValidationError(
            f"无法写入文件：文件夹“{path.parent}”不存在，请重新选择保存位置。", "path"
        )
    return path


def write_atomically(target: Path, content: bytes, guard: Guard | None = None) -> None:
    """Write ``content`` to ``target`` so that it is either whole or not there at all.

    The bytes go to a temporary file in the target's folder (a rename within one folder is
    atomic), which then replaces the target inside ``guard()``. When the guard fails on the way
    out (its transaction does not commit), the new file is removed again, so an export is on
    the audit trail exactly when it is on disk. On any failure the temporary file is gone and
    a ValidationError says in Chinese what to do.
    """
    target = Path(target)
    if target.is_dir():
        raise ValidationError(f"无法写入文件：“{target}”是一个文件夹，请换一个文件名。", "path")
    tmp = _stage(target, content)
    renamed = False
    try:
        with (guard or nullcontext)():
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise _refusal(target, exc) from None
            renamed = True
    except BaseException:
        if renamed:
            with contextlib.suppress(OSError):
                target.unlink()
        raise
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _stage(target: Path, content: bytes) -> Path:
    """The content in a hidden temporary file beside ``target`` (after removing what a
    killed export of the same name left there)."""
    remove_stale_parts(target.parent, f".{target.name}.")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise _refusal(target, exc) from None
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise _refusal(target, exc) from None
    return tmp


def _refusal(target: Path, exc: OSError) -> ValidationError:
    """What went wrong, in words a user can act on."""
    if not target.parent.is_dir() or exc.errno == errno.ENOENT:
        text = f"文件夹“{target.parent}”不存在，请重新选择保存位置。"
    elif target.is_dir() or exc.errno in (errno.EISDIR, errno.ENOTDIR):
        text = f"“{target}”是一个文件夹，请换一个文件名。"
    elif exc.errno == errno.ENOSPC:
        text = "磁盘空间不足，请清理磁盘或换一个保存位置。"
    elif isinstance(exc, PermissionError):
        text = (
            f"没有写入“{target}”的权限，或该文件正被其他程序（如 Excel、PDF 阅读器）打开。"
            "请关闭该文件或换一个保存位置。"
        )
    else:
        text = f"{target}。请检查保存位置和权限后重试。"
    return ValidationError(f"无法写入文件：{text}", "path")
