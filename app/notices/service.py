"""One-time notices (一次性告知单) and pledges (容缺受理): issue once, signed, and binding.

``NoticeService`` is made of its use cases, each in a module of its own: issuing the notice
(``_issuing``), the materials brought back and voiding (``_follow_up``), breaches
(``_breaches``), lists and lookups (``_lookups``) and printing the slip (``_printing``); what
they share is in ``_base``.
"""

from __future__ import annotations

from app.notices._base import PLEDGE_TERMS as PLEDGE_TERMS
from app.notices._base import PROMISE as PROMISE
from app.notices._base import canonical_json as canonical_json
from app.notices._base import verify_notice as verify_notice
from app.notices._breaches import Breaches
from app.notices._follow_up import FollowUp
from app.notices._issuing import PNG_MAGIC as PNG_MAGIC
from app.notices._issuing import Issuing
from app.notices._issuing import notice_number as notice_number
from app.notices._lookups import Lookups
from app.notices._printing import Printing


class NoticeService(Issuing, FollowUp, Breaches, Lookups, Printing):
    """Issue, sign, print, fulfil, breach and void notices; the register and its rates."""
