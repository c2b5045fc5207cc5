"""投诉 and 表扬: the ledger; a supervisor not concerned takes each complaint to its close.

``ComplaintService`` is made of its use cases, each in a module of its own: reading the ledger
(``_reading``), recording a letter (``_recording``) and the complaint's workflow
(``_workflow``); what they share is in ``_base``, the data in ``dto``.
"""

from __future__ import annotations

from app.complaints._base import ANONYMOUS as ANONYMOUS
from app.complaints._base import overdue_steps as overdue_steps
from app.complaints._reading import Reading
from app.complaints._recording import OLDEST_DAYS as OLDEST_DAYS
from app.complaints._recording import Recording
from app.complaints._workflow import _STEPS as _STEPS
from app.complaints._workflow import Workflow
from app.complaints.dto import CHANNELS as CHANNELS
from app.complaints.dto import FINDINGS as FINDINGS
from app.complaints.dto import KIND_LABELS as KIND_LABELS
from app.complaints.dto import NO_REPLY as NO_REPLY
from app.complaints.dto import OUTCOMES as OUTCOMES
from app.complaints.dto import REPLY_METHODS as REPLY_METHODS
from app.complaints.dto import STATE_LABELS as STATE_LABELS
from app.complaints.dto import ComplaintRow as ComplaintRow
from app.complaints.dto import ComplaintSummary as ComplaintSummary
from app.complaints.dto import NewComplaint as NewComplaint


class ComplaintService(Reading, Recording, Workflow):
    """Records complaints and praise; the chief or a deputy takes each complaint to its close."""
