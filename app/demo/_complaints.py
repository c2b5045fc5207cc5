"""Complaints and praise letters, and the chief working complaints through the 四必 steps."""

from __future__ import annotations

import datetime as dt

from app.complaints.service import NewComplaint
from app.demo._base import HistoryBase
from app.demo._station import DEMO_OFFICERS

COMPLAINTS = (
    ("12345", "反映办理居住证时窗口民警态度生硬，解释不耐心。"),
    ("12389", "反映窗口要求提供告知单以外的材料，多跑了一趟。"),
    ("所长信箱", "建议增加周六办理户籍业务的窗口。"),
    ("当面", "反映排队等候时间过长，取号后等了一个多小时。"),
    ("电话", "反映开具证明时被要求到其他单位盖章，与规定不符。"),
    ("来信", "反映身份证领取通知短信未收到，白跑一趟。"),
)
PRAISE = (
    ("来信", "感谢窗口民警耐心指导，为行动不便的老人上门采集照片。"),
    ("所长信箱", "表扬窗口民警利用午休时间为我加急办理户口迁移。"),
)


class DemoComplaints:
    """Complaints received every few days and worked through the 四必 steps by the chief."""

    def __init__(self, history: HistoryBase) -> None:
        self.h = history

    def day(self, day: dt.date) -> None:
        h = self.h
        staff = h.counter_staff
        recorder = h.users[DEMO_OFFICERS[1][0]]  # the deputy keeps the complaint ledger
        # Some every week, and one each of the last days: every state is on the list.
        if h.rng.random() < 0.3 or day >= h.last_day - dt.timedelta(days=8):
            channel, text = h.rng.choice(COMPLAINTS)
            concerned = h.rng.choice([u for u in staff if u != recorder])
            name, _number, phone = h.person()
            h.s.complaints.record(
                recorder,
                NewComplaint("complaint", channel, day, text, name, phone, concerned.officer_id),
            )
        if h.rng.random() < 0.08 or (day >= h.last_day - dt.timedelta(days=10) and not h.praised):
            h.praised = True
            channel, text = h.rng.choice(PRAISE)
            praised = h.rng.choice([u for u in staff if u != recorder])
            name, _number, phone = h.person()
            h.s.complaints.record(
                recorder,
                NewComplaint("praise", channel, day, text, name, phone, praised.officer_id),
            )
        for row in h.s.complaints.list_complaints(h.chief, kind="complaint"):
            if row.state == "closed" or row.handler_id != h.chief.officer_id:
                continue
            age = (day - row.received_on).days
            h.clock.advance(dt.timedelta(minutes=1))
            if row.state == "received" and age >= 1:
                finding = h.rng.choice(("属实", "部分属实", "不属实", "不属实"))
                h.s.complaints.verify(
                    h.chief, row.id, row.row_version, finding, "调取录像、询问当事民警和在场群众。"
                )
            elif row.state == "verified" and age >= 2:
                outcome = "澄清正名" if row.finding == "不属实" else h.rng.choice(("改进", "追责"))
                h.s.complaints.handle(
                    h.chief, row.id, row.row_version, outcome, "已按规定处理并在所务会通报。"
                )
            elif row.state == "handled" and age >= 4:
                h.s.complaints.reply(
                    h.chief, row.id, row.row_version, "电话", "已向投诉人反馈核查和处理结果。"
                )
            elif row.state == "replied" and age >= 8:
                h.s.complaints.close(h.chief, row.id, row.row_version)
