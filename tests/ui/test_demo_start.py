"""Starting straight into the demo station builds it once in its own file."""

from __future__ import annotations

from pathlib import Path

import pytest

import ui.application as application
from app import demo
from app.demo import DEMO_OFFICERS, DEMO_PASSWORD


def test_demo_start_builds_the_demo_station_once(
    qapp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    # A fresh user: the data folder does not exist yet (platformdirs honours XDG_DATA_HOME).
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "fresh-user"))
    # Two weeks of history instead of half a year: the same path through the GUI's build,
    # without its minute and a half (the history itself is tested in test_demo_realism).
    monkeypatch.setattr(demo, "history_days", lambda today, months=6: 14)

    opened = application._open(None, demo=True)
    assert opened is not None
    db, services, hint = opened
    try:
        assert services.auth.login(DEMO_OFFICERS[0][0], DEMO_PASSWORD).name == DEMO_OFFICERS[0][1]
        assert DEMO_PASSWORD in hint and DEMO_OFFICERS[2][0] in hint
        officers_before = len(
            services.officers.list_officers(services.auth.login(DEMO_OFFICERS[0][0], DEMO_PASSWORD))
        )
    finally:
        db.dispose()

    again = application._open(None, demo=True)
    assert again is not None
    db2, services2, _ = again
    try:
        chief = services2.auth.login(DEMO_OFFICERS[0][0], DEMO_PASSWORD)
        assert len(services2.officers.list_officers(chief)) == officers_before == len(DEMO_OFFICERS)
    finally:
        db2.dispose()
