"""Walk-in intake under first-contact responsibility (首接责任制): register, own, hand over.

``VisitService`` is composed of its use cases, each in a module of its own: registration
(``_registration``), ownership and handovers (``_ownership``), the matter's course and clock
(``_course``, ``_clock``, ``_moves``), lists and search (``_lists``) and slips (``_slips``), on
the checks, steps and rows they share (``_base``, ``_rows``). The helpers other features use
inside their own transactions stay importable from here.
"""

from __future__ import annotations

from app.visits._base import CALENDAR_REUSE_SECONDS as CALENDAR_REUSE_SECONDS
from app.visits._clock import due_soon_limit as due_soon_limit
from app.visits._clock import pause_clock as pause_clock
from app.visits._clock import resume_clock as resume_clock
from app.visits._course import Course
from app.visits._lists import SURNAME_BY_DATE_SPAN as SURNAME_BY_DATE_SPAN
from app.visits._lists import Lists
from app.visits._moves import SAME_SITTING as SAME_SITTING
from app.visits._moves import SAME_SITTING_START as SAME_SITTING_START
from app.visits._moves import TRANSITION_REASON_MAX as TRANSITION_REASON_MAX
from app.visits._moves import accept_visit as accept_visit
from app.visits._moves import move_visit as move_visit
from app.visits._moves import open_notice as open_notice
from app.visits._moves import stamp_start as stamp_start
from app.visits._ownership import Ownership
from app.visits._ownership import offer_handover as offer_handover
from app.visits._registration import Registration
from app.visits._registration import next_number as next_number
from app.visits._registration import serial_for as serial_for
from app.visits._rows import late_supplements as late_supplements
from app.visits._rows import waiting_minutes as waiting_minutes
from app.visits._slips import Slips
from app.visits._slips import where_to_go as where_to_go


class VisitService(Registration, Ownership, Course, Lists, Slips):
    """Every use case of a walk-in matter; each is one transaction with its audit event.

    Made as every service is made, ``VisitService(sessions, clock)`` (``VisitBase``'s).
    """
