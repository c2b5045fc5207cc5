"""One-time notices (一次性告知单) and 容缺 pledges, and the materials brought back."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from app.core.dto import SessionUser
from app.demo._base import HistoryBase, signature_png
from app.notices.dto import NewNotice, SignatureInput


class Notices(HistoryBase):
    """Missing materials noted on a notice the citizen signs, then brought back (or not)."""

    def one_time_notice(
        self, vid: int, user: SessionUser, citizen: str, pledge: bool = False
    ) -> None:
        """Mark materials missing, the citizen signs; a notice pauses the clock, a pledge not."""
        draft = self.s.notices.draft(user, vid)
        if pledge:
            missing = {n for n, i in enumerate(draft.items) if not i.is_key}
        else:
            missing = set(
                self.rng.sample(
                    range(len(draft.items)), k=min(len(draft.items), self.rng.choice((1, 1, 2)))
                )
            )
        items = tuple(
            replace(i, state="missing") if n in missing else i for n, i in enumerate(draft.items)
        )
        new = NewNotice(
            vid, draft.row_version, items, supplement_deadline=draft.latest_deadline, pledge=pledge
        )
        _content, digest = self.s.notices.content(user, new)
        strokes = tuple(
            tuple(
                (
                    float(20 + 40 * k + self.rng.randint(0, 20)),
                    float(60 + self.rng.randint(-30, 30)),
                    0.6,
                )
                for k in range(6)
            )
            for _ in range(2)
        )
        signature = SignatureInput(citizen, strokes, signature_png(strokes), digest)
        self.s.notices.issue(user, replace(new, signature=signature))

    def materials_brought_back(self, vid: int, user: SessionUser, day: dt.date, ver: int) -> None:
        """The citizen brings the missing materials back (now and then only some, or one more
        turns out to be needed); without an open notice the matter simply resumes."""
        notices = self.s.notices.for_visit(user, vid)
        # The citizen often comes back to whoever is free at the counter.
        clerk = self.rng.choice(self.counter_staff)
        if notices and notices[0].state in ("open", "overdue"):
            notice = notices[0]
            if self.rng.random() < 0.08:
                notice = self.s.notices.record_breach(
                    clerk, notice.id, "单位出具的在职证明", "用证单位临时提出"
                )
            owed = [i.id for i in notice.items if i.owed]
            if len(owed) > 1 and self.rng.random() < 0.2:
                notice = self.s.notices.record_return(
                    clerk, notice.id, notice.row_version, owed[:1]
                )
                self.later(day + dt.timedelta(days=2), "resume", vid, user)
                return
            self.s.notices.record_return(clerk, notice.id, notice.row_version, owed)
            resumed = self.s.visits.get(user, vid)
        else:
            resumed = self.s.visits.resume(user, vid, ver, "群众补齐材料")
        self.plan_completion(day, vid, user, resumed.row.due_date)

    def pledged_materials_brought(
        self, vid: int, user: SessionUser, day: dt.date, due: dt.date | None
    ) -> None:
        """The pledged materials arrive: the notice is settled and the matter goes on."""
        notices = self.s.notices.for_visit(user, vid)
        if notices and notices[0].state in ("open", "overdue"):
            owed = [i.id for i in notices[0].items if i.owed]
            self.s.notices.record_return(user, notices[0].id, notices[0].row_version, owed)
            self.plan_completion(day, vid, user, due)
