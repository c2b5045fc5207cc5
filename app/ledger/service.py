"""每日台账: the chief's daily ledger — read, review and sign, lock; corrections as addenda.

A day's ledger is a list of sections (visits, handovers, notices and breaches, pledges due,
ratings, callbacks, rectifications, complaints, corrections) and a summary block. The same
``Ledger`` drives the page, the PDF and the Excel export. Reviewing stores the ledger exactly
as the chief saw and signed it (JSON + SHA-256); from then on the day is locked by
``app.core.day_lock`` and the ledger of that day is shown from the stored copy, followed by the
corrections made later.

A day still in progress: today can be reviewed only from the station's closing hour
(``Station.review_after``). The review covers the record up to its own time. A walk-in after
it is still registered (a counter never turns a citizen away because of the paperwork): such
records are listed under the locked day as 审核后记录 (not signed) and carried into the next
day's ledger, where the next review signs them.
"""

from __future__ import annotations

from app.ledger._corrections import CORRECTABLE as CORRECTABLE
from app.ledger._corrections import Corrections
from app.ledger._printing import Printing
from app.ledger._reminders import Reminders
from app.ledger._review import Review
from app.ledger.dto import Ledger as Ledger
from app.ledger.dto import LedgerRow as LedgerRow
from app.ledger.dto import LedgerSection as LedgerSection
from app.ledger.dto import ReviewSignature as ReviewSignature


class LedgerService(Reminders, Review, Corrections, Printing):
    """Daily ledger, review and lock, unreviewed-day reminders, corrections.

    Composed by use case: reading the day's ledger and the shared checks (``_base``; the
    ledger itself is built in ``_build`` from ``_sections``), the reminders (``_reminders``),
    review and lock (``_review``), corrections (``_corrections``), prints and exports
    (``_printing``).
    """
