"""A citizen's name typed in letters: its pinyin (``jx``, ``jix``, ``jixiang`` for 𠮷祥) or a
name written in Latin letters.

Names are stored as written, with no pinyin beside them, so the names of the searched dates
are read (from the date-and-name index alone, never the visits' rows) and spelled here, each
character by any reading pypinyin's dictionary knows, extension characters included.
A month of a busy station is a few thousand names and a few milliseconds; without dates it
is every name ever registered (a million visits: about a second), once per search.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import bindparam, or_, select
from sqlalchemy.orm import Session

from app.core.pinyin import spelled_as
from db.models import Visit


def spelled_names(
    session: Session, typed: str, date_from: dt.date | None, date_to: dt.date | None
) -> Any:
    """The condition on visits whose citizen's name starts with ``typed`` as written (a Latin
    name) or as spelled in pinyin, among the names registered between the dates (if given)."""
    names = select(Visit.citizen_name).distinct()
    if date_from is not None:
        names = names.where(Visit.local_date >= date_from)
    if date_to is not None:
        names = names.where(Visit.local_date <= date_to)
    spelled = [name for name in session.scalars(names) if spelled_as(name, typed)]
    # Written into the statement, not bound one by one: a letter searched over all years may
    # match more names than a statement may have parameters (65,535 on PostgreSQL).
    listed: Any = bindparam("spelled_names", spelled, expanding=True, literal_execute=True)
    return or_(
        Visit.citizen_name.startswith(typed.strip(), autoescape=True),
        Visit.citizen_name.in_(listed),
    )
