"""What a written refusal (不予受理告知书) cites and tells the citizen: the legal basis, where to
seek redress and in what time (行政复议 60 日, 行政诉讼 6 个月)."""

from __future__ import annotations

from dataclasses import dataclass

# The article most refusals at a window rest on; the form offers it, the officer adds or
# replaces it with the matter's own provision.
COMMON_BASIS = "《中华人民共和国行政许可法》第三十二条"

# What a refusal recorded before the form asked for it shows in its place.
NOT_RECORDED = "（历史未记载）"

# The statutory limits (行政复议法 第二十条, 行政诉讼法 第四十六条), the same everywhere.
REVIEW_DAYS = "六十日"
LAWSUIT_MONTHS = "六个月"


@dataclass(frozen=True, slots=True)
class RefusalDraft:
    """What the refusal form starts from: the common legal basis, the station's redress
    bodies from its settings, and the matter's own basis from the catalogue as a reminder."""

    basis: str
    review_body: str
    court: str
    matter_basis: str


def redress_text(review_body: str, court: str) -> str:
    """The redress paragraph of a refusal, naming the bodies and the limits."""
    return (
        f"申请人对本决定不服的，可以自收到本告知书之日起{REVIEW_DAYS}内向{review_body}"
        f"申请行政复议，也可以自收到本告知书之日起{LAWSUIT_MONTHS}内向{court}提起行政诉讼。"
    )


def limits_text() -> str:
    """The limits alone, for a refusal recorded before the bodies were asked for."""
    return (
        f"申请行政复议的期限为{REVIEW_DAYS}，提起行政诉讼的期限为{LAWSUIT_MONTHS}，"
        "均自收到本告知书之日起计算。"
    )


def refusal_paragraphs(
    reason: str, basis: str, review_body: str, court: str, redress: str
) -> list[tuple[str, str]]:
    """Reason, legal basis and redress of a refusal, as the notice prints them and the matter's
    detail and 办件档案 show them; one recorded before the form asked for the basis and the
    bodies (migration 0019) keeps its free text and says what is missing."""
    if basis:
        full = redress_text(review_body, court)
        if redress:
            full += redress
        return [("不予受理的理由", reason), ("法律依据", basis), ("救济途径", full)]
    return [
        ("不予受理的理由和依据", reason),
        ("法律依据", NOT_RECORDED),
        ("救济途径", redress or NOT_RECORDED),
        ("救济期限", limits_text()),
    ]
