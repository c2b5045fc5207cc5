"""How many characters the services take in each kind of free text: one place for the
services that refuse longer text and the forms that show the count while typing (12/200)."""

from __future__ import annotations

REASON = 200
"""A reason in a sentence: handing over, refusing a handover, assigning, voiding, reassigning,
asking for a role change."""

NOTE = 500
"""A short account: the result, an answer, a guidance note, the missing materials, a ledger
correction's reason, a demand beyond a notice and its reason."""

HANDOVER_NOTE = 100
"""The note that goes with a matter handed to a colleague from the today page."""

UNIT = 100
"""The name of a unit or of one material."""

ADDRESS = 200
"""An address."""

GROUNDS = 1000
"""The grounds of a refusal and the redress open to the citizen."""

CASE_TEXT = 2000
"""What a complaint or a rectification records: the content, the finding, what was done, the
reply, an appeal and its answer."""

REVIEW_COMMENT = 1000
"""The chief's comment when signing the day's ledger."""

CATALOGUE_NAME = 60
"""A matter's name in the catalogue."""

CATALOGUE_TEXT = 2000
"""A matter's legal basis, conditions and procedure."""

FEE = 200
"""A matter's fee (免费 when free)."""

PLACE = 100
"""Where a matter is handled, and when (办理地点, 办理时间)."""

STATION_NAME = 60
"""The station's full name (…派出所), printed at the head of every slip."""

STATION_TEXT = 120
"""The station's address and office hours, printed on every citizen slip."""

OFFICER_NAME = 30
"""An officer's name."""

SIGNER = 40
"""The name of whoever signs a slip or the rating (签字人, 签名人)."""

SUMMARY = 200
"""A matter's summary (事由摘要), at registration and in a ledger correction."""

CATEGORY = 20
"""A catalogue matter's category (类别)."""

ITEM_NOTE = 200
"""The note beside one missing material on a one-time notice."""

HOLIDAY_NAME = 30
"""The name of a holiday or a make-up working day (春节、国庆节调休)."""

HOLIDAY_TITLE = 100
"""The title of the State Council's holiday notice a year's calendar was taken from."""

COMPLAINANT = 40
"""The name a complainant gives (匿名 when none)."""
