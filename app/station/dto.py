"""The station's settings as the settings page edits them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StationSettings:
    """The station's settings as the UI edits them."""

    name: str
    code: str
    address: str = ""
    hours: str = ""
    phone_consult: str = ""
    phone_supervision: str = ""
    phone_12389: str = "12389"
    phone_12345: str = "12345"
    paper_size: str = "A5"
    timezone: str = "Asia/Shanghai"
    lockout_attempts: int = 5
    lockout_minutes: int = 15
    rating_dimensions: str = "办事效率,服务态度,办理结果,规范廉洁"
    verify_days: int = 1
    rectify_days: int = 5
    callback_share: int = 10
    callback_period: str = "day"
    complaint_verify_days: int = 3
    complaint_handle_days: int = 10
    complaint_reply_days: int = 15
    review_after: str = "17:30"  # today's ledger can be reviewed from this local time
    idle_lock_minutes: int = 5  # the window locks after this long without input
    backup_folder: str = ""  # automatic backups go here; empty: beside the database
    backup_keep: int = 30  # automatic backups kept in that folder
    retain_contact_years: int = 3  # a finished matter's ID number, phone, signatures kept
    home_days_town: int = 5  # 上门服务 promise in working days, in town
    home_days_country: int = 10  # and in the countryside
    # Offered on every refusal (不予受理告知书) as where to seek redress: the 行政复议 body
    # (e.g. 示例市城南区人民政府) and the court for 行政诉讼 (e.g. 示例市城南区人民法院).
    redress_review_body: str = ""
    redress_court: str = ""

    @property
    def dimensions(self) -> tuple[str, ...]:
        """The rating dimensions, in order."""
        return tuple(d for d in self.rating_dimensions.replace("，", ",").split(",") if d.strip())
