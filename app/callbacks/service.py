"""回访: sampled phone callbacks and home visits, never by an officer who handled the matter.

The chief (or a deputy) samples a period's finished matters: a share from the settings,
stratified so that every officer and every matter type of the period is represented, and
always every on-site 差评 and every citizen who asked to be called. Each item goes to an
officer who did not handle the matter. Every attempt is logged; a reached citizen rates on
the five levels. A phone rating two or more levels below the on-site one flags the matter
(a sign of pressure at the counter); a 差评 by phone opens a rectification and a home visit.
"""

from __future__ import annotations

from app.callbacks._assignment import Assignment
from app.callbacks._lists import Lists
from app.callbacks._sampling import Candidate as Candidate
from app.callbacks._sampling import Sampling
from app.callbacks._sampling import choose_sample as choose_sample
from app.callbacks.dto import AttemptRow as AttemptRow
from app.callbacks.dto import BatchResult as BatchResult
from app.callbacks.dto import CallbackRow as CallbackRow
from app.callbacks.dto import Coverage as Coverage
from app.callbacks.rules import CALLER_ROLES as CALLER_ROLES
from app.callbacks.rules import DONE_SHOWN_DAYS as DONE_SHOWN_DAYS
from app.callbacks.rules import DONE_STATES as DONE_STATES
from app.callbacks.rules import HOME_OUTCOMES as HOME_OUTCOMES
from app.callbacks.rules import KINDS as KINDS
from app.callbacks.rules import MAX_UNANSWERED as MAX_UNANSWERED
from app.callbacks.rules import OUTCOMES as OUTCOMES
from app.callbacks.rules import PHONE_DUE_DAYS as PHONE_DUE_DAYS
from app.callbacks.rules import PRESSURE_GAP as PRESSURE_GAP
from app.callbacks.rules import REASONS as REASONS
from app.callbacks.rules import STATES as STATES


class CallbackService(Sampling, Assignment, Lists):
    """Sampling, the worklist, attempts, home visits and coverage.

    Composed of its use cases: sampling (``_sampling``), assignment and attempts
    (``_assignment``), the lists and coverage (``_lists``), over what they share (``_base``,
    ``_callers``); the words and numbers are in ``rules``, the rows in ``dto``.
    """
