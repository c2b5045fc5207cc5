"""Hidden ``.part`` files left by a write that was killed halfway (power cut, task manager).

Exports and backups are written to a hidden temporary file beside the target and renamed
into place only when complete, so a killed write never leaves a half file under the real
name; but the temporary file stayed, hidden, possibly gigabytes for a backup. The next
write of the same kind into the same folder removes such leftovers. A leftover younger than
``older_than`` seconds is kept: it may be another counter's write still under way.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

STALE_AFTER_SECONDS = 15 * 60


def remove_stale_parts(folder: Path, prefix: str, older_than: float = STALE_AFTER_SECONDS) -> int:
    """Delete ``folder``'s files named ``prefix…`` that hold ``.part`` and are older than
    ``older_than`` seconds; returns how many went. Problems reading the folder are ignored
    (the write itself will say what is wrong)."""
    removed = 0
    limit = time.time() - older_than
    try:
        candidates = [p for p in folder.iterdir() if p.name.startswith(prefix)]
    except OSError:
        return 0
    for path in candidates:
        if ".part" not in path.name[len(prefix) :]:
            continue
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
    return removed
