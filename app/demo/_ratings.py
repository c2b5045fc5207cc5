"""好差评 at the counter, the callbacks of the month's sample and the rectifications."""

from __future__ import annotations

import datetime as dt

from app.core.dto import SessionUser
from app.demo._base import HistoryBase, signature_png
from app.ratings.service import RatingInput


class Ratings(HistoryBase):
    """Citizens rate at the counter, the callers reach the sample, the chief works 差评."""

    def level(self, base: int) -> int:
        """A level near ``base``: citizens mostly agree with themselves across dimensions."""
        return max(min(base, 3), min(5, base - (1 if self.rng.random() < 0.15 else 0)))

    def rate(self, vid: int, user: SessionUser, citizen: str) -> None:
        """Most citizens rate at the counter; a few decline, a few are unhappy."""
        roll = self.rng.random()
        if roll < 0.12:
            return  # left before the rating screen
        self.tick(dt.timedelta(minutes=1))
        if roll < 0.17:
            self.s.ratings.rate_on_site(user, vid, RatingInput(None, declined=True))
            return
        base = 5 if roll < 0.75 else 4 if roll < 0.92 else 3
        overall = base
        dims = {d: self.level(base) for d in self.dimensions}
        if self.rng.random() < 0.025:  # a 差评: one dimension or overall
            dims[self.rng.choice(self.dimensions)] = self.rng.choice((1, 2))
            overall = self.rng.choice((2, 3))
        comment = ""
        if overall <= 2 or min(dims.values()) <= 2:
            comment = self.rng.choice(
                ("排队时间太长", "民警解释不耐烦", "材料要求讲得不清楚，跑了两趟")
            )
        elif overall == 5 and self.rng.random() < 0.2:
            comment = self.rng.choice(("服务热情，办事快", "解释很清楚，谢谢"))
        strokes = tuple(
            tuple(
                (
                    float(20 + 45 * k + self.rng.randint(0, 15)),
                    float(65 + self.rng.randint(-25, 25)),
                    0.6,
                )
                for k in range(6)
            )
            for _ in range(2)
        )
        self.s.ratings.rate_on_site(
            user,
            vid,
            RatingInput(
                overall,
                tuple(dims.items()),
                comment,
                signer_name=citizen,
                strokes=strokes,
                png=signature_png(strokes),
                callback_requested=self.rng.random() < 0.03,
            ),
        )

    def call_back(self, day: dt.date) -> None:
        """The callers work through the month's sample within days (the last days' not all)."""
        pending = self.s.callbacks.worklist(self.chief, everyone=True)
        # A month's sample is called within its two working days, or a little later.
        quota = self.rng.randint(8, 14)
        if day >= self.last_day - dt.timedelta(days=2):
            quota //= 2  # the last days' callbacks are still on the lists
        for row in sorted(pending, key=lambda r: r.id)[:quota]:
            caller = next(u for u in self.users.values() if u.officer_id == row.assigned_to_id)
            self.clock.advance(dt.timedelta(minutes=2))
            roll = self.rng.random()
            if roll < 0.2:
                self.s.callbacks.log_attempt(caller, row.id, row.row_version, "no_answer")
            elif roll < 0.24:
                self.s.callbacks.log_attempt(caller, row.id, row.row_version, "wrong_number")
            elif roll < 0.28:
                self.s.callbacks.log_attempt(
                    caller, row.id, row.row_version, "refused", "群众表示很忙，不愿接受回访"
                )
            else:
                base = 5 if roll < 0.8 else 4 if roll < 0.93 else 3
                if row.kind == "phone" and self.rng.random() < 0.04:
                    base = 2  # unhappy once no one is watching: 差评 and often a pressure flag
                dims = tuple((d, self.level(base)) for d in self.dimensions)
                note = "本人接听，对办理结果满意" if base >= 4 else "本人接听，提出改进意见"
                if row.kind == "home":
                    note = "所领导上门，当面听取意见并解释"
                self.s.callbacks.log_attempt(
                    caller, row.id, row.row_version, "reached", note, RatingInput(base, dims)
                )

    def supervise(self, day: dt.date) -> None:
        """The chief works rectifications over the days: some in every state by the end."""
        for rect in self.s.rectifications.rectifications(self.chief):
            if rect.state == "closed":
                continue
            age = (day - rect.verify_due).days
            if rect.state == "open" and age >= 0:
                rect = self.s.rectifications.verify(
                    self.chief,
                    rect.id,
                    rect.row_version,
                    "调取窗口录音录像并询问当事民警，情况基本属实。",
                )
                if not rect.appeal_text and self.rng.random() < 0.25:
                    rated = next(u for u in self.users.values() if u.name == rect.rated_officer)
                    rect = self.s.rectifications.appeal(
                        rated,
                        rect.id,
                        "群众所需材料确属法定要求，本人已按告知单一次性告知，有录像为证。",
                    )
            elif rect.state == "verified" and age >= 2:
                self.s.rectifications.rectify(
                    self.chief, rect.id, rect.row_version,
                    "对当事民警进行提醒谈话，窗口增设材料清单展板。",
                    "当事民警已书面说明并改进，窗口材料清单已张贴。",
                )  # fmt: skip
            elif rect.state == "rectified" and age >= 3:
                if rect.appeal_text and not rect.appeal_decision:
                    rect = self.s.rectifications.decide_appeal(
                        self.chief, rect.id, self.rng.random() < 0.5, "经查看录像，民警告知规范。"
                    )
                if not rect.follow_up:
                    rect = self.s.rectifications.record_follow_up(
                        self.chief, rect.id, rect.row_version,
                        RatingInput(4, tuple((d, 4) for d in self.dimensions), "整改后满意"),
                    )  # fmt: skip
                if age >= 4:
                    self.s.rectifications.close(self.chief, rect.id, rect.row_version)
