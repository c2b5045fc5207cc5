"""更新说明: what changed in each version, and whether this PC has been told yet.

The notes are data (``resources/release_notes.json``, newest first); the newest entry is the
version this program is (a test holds it to pyproject's version). What this PC last showed
is remembered per PC, not per officer, in a small owner-only JSON file beside this PC's
settings (app.station.workstation's folder, ``STATIONDESK_CONFIG_DIR`` moves it): the first officer
to log in after an upgrade is told, the others can read it under 帮助 → 更新说明.

The first start of a new version says it was upgraded, where the database was backed up
before migrating (``Database.backup``, when a SQLite file was migrated) and what changed since
the version this PC last showed. A fresh install (nothing remembered, nothing migrated) is
told nothing: the version is recorded silently. Nothing remembered but a database migrated
after a backup: a release from before this file existed was upgraded, and the current
version's notes are shown. Every problem reading or writing the file is logged, never in the
way of the start.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from app.core.errors import StationDeskError, ValidationError
from app.station.workstation import config_folder
from resources import RESOURCES_DIR

logger = logging.getLogger(__name__)

NOTES_FILE = RESOURCES_DIR / "release_notes.json"
SEEN_FILE_NAME = "release_notes_seen.json"
FORMAT_VERSION = 1
_VERSION = re.compile(r"\d+(\.\d+){0,3}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class ReleaseNotesProblem(StationDeskError):
    """The shipped notes cannot be read (a broken installation); the message says which file."""


@dataclass(frozen=True)
class ReleaseNote:
    """One version: its number, its date (YYYY-MM-DD) and what an officer would notice."""

    version: str
    date: str
    items: tuple[str, ...]

    def heading(self) -> str:
        """``0.1.0（2026年12月4日）``."""
        year, month, day = (int(part) for part in self.date.split("-"))
        return f"{self.version}（{year}年{month}月{day}日）"


@dataclass(frozen=True)
class Announcement:
    """What the first start of a version tells: the notes since the version this PC last
    showed (none when only the database was migrated) and the backup made before migrating."""

    version: str
    notes: tuple[ReleaseNote, ...]
    backup: Path | None

    @property
    def upgraded(self) -> bool:
        return bool(self.notes)

    def headline(self) -> str:
        """What happened, in Chinese (the dialog's title)."""
        if self.upgraded:
            return f"派出所窗口服务台账已升级到 {self.version}"
        return f"数据库已更新为 {self.version} 版的结构"

    def backup_line(self) -> str:
        """Where the database was copied before migrating ("" when no copy was made)."""
        if self.backup is None:
            return ""
        return f"{'升级' if self.upgraded else '更新'}前已自动备份数据库到：{self.backup}"

    def summary(self) -> str:
        """The headline and the backup, in one Chinese sentence or two."""
        return "。".join(part for part in (self.headline(), self.backup_line()) if part) + (
            "" if self.backup is not None else "。"
        )


def version_key(version: str) -> tuple[int, ...]:
    """``"0.10.2"`` → ``(0, 10, 2)`` (trailing zeros dropped: 1.0 == 1.0.0); ValueError if
    it is not 1–4 dot-separated numbers."""
    text = version.strip() if isinstance(version, str) else ""
    if not _VERSION.fullmatch(text):
        raise ValueError(f"not a version: {version!r}")
    parts = [int(part) for part in text.split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def parse_notes(data: Any) -> tuple[ReleaseNote, ...]:
    """The notes from the file's JSON, newest first; ValueError naming what is wrong."""
    if not isinstance(data, list) or not data:
        raise ValueError("the notes must be a non-empty list")
    notes: list[ReleaseNote] = []
    for entry in data:
        if not isinstance(entry, dict):
            raise ValueError(f"not an object: {entry!r}")
        version, date, items = entry.get("version"), entry.get("date"), entry.get("items")
        if not isinstance(version, str):
            raise ValueError(f"version missing: {entry!r}")
        version_key(version)
        if not isinstance(date, str) or not _DATE.fullmatch(date):
            raise ValueError(f"date of {version} is not YYYY-MM-DD: {date!r}")
        if (
            not isinstance(items, list)
            or not items
            or not all(isinstance(i, str) and i.strip() for i in items)
        ):
            raise ValueError(f"items of {version} must be a non-empty list of texts")
        notes.append(ReleaseNote(version.strip(), date, tuple(i.strip() for i in items)))
    keys = [version_key(n.version) for n in notes]
    if keys != sorted(set(keys), reverse=True):
        raise ValueError("versions must be unique and newest first")
    return tuple(notes)


@cache
def load_notes(path: Path = NOTES_FILE) -> tuple[ReleaseNote, ...]:
    """Every version's notes, newest first (read once)."""
    try:
        return parse_notes(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        logger.error("release notes %s: %s", path, exc)
        raise ReleaseNotesProblem(
            f"无法读取更新说明文件 {path}，安装可能不完整。请重新安装 StationDesk。"
        ) from None


def current_version() -> str:
    """The version this program is: the newest entry of the notes."""
    return load_notes()[0].version


def notes_since(
    previous: str | None, notes: tuple[ReleaseNote, ...] | None = None
) -> tuple[ReleaseNote, ...]:
    """The entries newer than ``previous``, newest first; None (an unknown earlier version):
    the newest entry only. A ``previous`` that is not a version counts as unknown."""
    notes = load_notes() if notes is None else notes
    if previous is not None:
        try:
            before = version_key(previous)
        except ValueError:
            previous = None
        else:
            return tuple(n for n in notes if version_key(n.version) > before)
    return notes[:1]


# ---- what this PC last showed ----------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """What this PC remembers. ``known``: the file was there (readable or not): the program
    has run on this PC before. ``version`` None: nothing usable was in it."""

    known: bool = False
    version: str | None = None
    backup: str | None = None


def seen_file() -> Path:
    return config_folder() / SEEN_FILE_NAME


def load_seen() -> Seen:
    """What this PC last showed; a damaged or unreadable file is logged and counts as an
    unknown earlier version (the current notes are shown once more rather than never)."""
    path = seen_file()
    try:
        raw = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):  # never written (or nowhere to write it)
        return Seen()
    except (OSError, UnicodeDecodeError) as exc:
        logger.warning("cannot read %s: %s", path, exc)
        return Seen(known=True)
    try:
        data = json.loads(raw)
        version = data["version"]
        version_key(version)
        backup = data.get("backup")
        if backup is not None and not isinstance(backup, str):
            raise ValueError("backup is not a path")
    except (ValueError, KeyError, TypeError) as exc:
        logger.warning("damaged %s (%s): the current notes are shown again", path, exc)
        return Seen(known=True)
    return Seen(True, version, backup)


def remember(version: str, backup: Path | None = None) -> bool:
    """Record that this PC has shown ``version`` (and ``backup``): written atomically,
    owner-only. False (logged) when it cannot be written."""
    from app.exports.files import write_atomically

    path = seen_file()
    content = {"format": FORMAT_VERSION, "version": version}
    if backup is not None:
        content["backup"] = str(backup)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # mkstemp makes the temporary file 0600; the rename keeps it so.
        write_atomically(path, json.dumps(content, ensure_ascii=False).encode("utf-8"))
    except (OSError, ValidationError) as exc:
        logger.warning("cannot remember the shown version in %s: %s", path, exc)
        return False
    with contextlib.suppress(OSError):
        os.chmod(path, 0o600)
    return True


def pending(backup: Path | None) -> Announcement | None:
    """What this start should tell, or None (a fresh install is recorded here, silently).

    ``backup``: the copy this start made before migrating (``Database.backup``). The caller
    shows the announcement and then calls ``announced``; until then the next start (or the
    next login of this process) gets the same announcement.
    """
    version = current_version()
    seen = load_seen()
    if not seen.known and backup is None:
        remember(version)  # a fresh install: nothing to tell
        return None
    if seen.version is None:
        notes = notes_since(None)
    elif version_key(seen.version) < version_key(version):
        notes = notes_since(seen.version)
    else:
        notes = ()
    new_backup = backup if backup is not None and str(backup) != seen.backup else None
    if not notes and new_backup is None:
        if seen.version != version:  # an older program run after a newer one
            remember(version, Path(seen.backup) if seen.backup else None)
        return None
    return Announcement(version, notes, new_backup)


def announced(announcement: Announcement) -> None:
    """The announcement was shown: this PC will not show it again."""
    remember(announcement.version, announcement.backup)
