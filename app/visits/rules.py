"""Visit statuses, channels and the transitions the first-contact rules allow."""

from __future__ import annotations

import enum


class VisitStatus(enum.StrEnum):
    """Where a walk-in matter stands."""

    REGISTERED = "registered"
    IN_PROGRESS = "in_progress"
    WAITING_MATERIALS = "waiting_materials"
    COMPLETED = "completed"
    GUIDED = "guided"
    REFUSED = "refused"
    ANSWERED = "answered"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        """The status as the counter says it."""
        return STATUS_LABELS[self]

    @property
    def is_open(self) -> bool:
        """Whether someone still owes the citizen something."""
        return self in OPEN_STATUSES


STATUS_LABELS: dict[VisitStatus, str] = {
    VisitStatus.REGISTERED: "已登记",
    VisitStatus.IN_PROGRESS: "办理中",
    VisitStatus.WAITING_MATERIALS: "待补材料",
    VisitStatus.COMPLETED: "已办结",
    VisitStatus.GUIDED: "已引导",
    VisitStatus.REFUSED: "不予受理",
    VisitStatus.ANSWERED: "当场答复",
    VisitStatus.VOIDED: "已作废",
}

OPEN_STATUSES = frozenset(
    {VisitStatus.REGISTERED, VisitStatus.IN_PROGRESS, VisitStatus.WAITING_MATERIALS}
)
OPEN_STATUS_VALUES = tuple(s.value for s in VisitStatus if s.is_open)

# from → allowed targets. Everything else is refused by VisitService, whatever the UI shows.
TRANSITIONS: dict[VisitStatus, frozenset[VisitStatus]] = {
    VisitStatus.REGISTERED: frozenset(
        {
            VisitStatus.IN_PROGRESS,
            VisitStatus.ANSWERED,
            VisitStatus.GUIDED,
            VisitStatus.REFUSED,
            VisitStatus.VOIDED,
        }
    ),
    VisitStatus.IN_PROGRESS: frozenset(
        {
            VisitStatus.WAITING_MATERIALS,
            VisitStatus.COMPLETED,
            VisitStatus.REFUSED,
            VisitStatus.VOIDED,
        }
    ),
    VisitStatus.WAITING_MATERIALS: frozenset({VisitStatus.IN_PROGRESS, VisitStatus.VOIDED}),
    VisitStatus.COMPLETED: frozenset(),
    VisitStatus.GUIDED: frozenset(),
    VisitStatus.REFUSED: frozenset(),
    VisitStatus.ANSWERED: frozenset(),
    VisitStatus.VOIDED: frozenset(),
}


def can_move(source: VisitStatus, target: VisitStatus) -> bool:
    """Whether the rules allow ``source`` → ``target``."""
    return target in TRANSITIONS[source]


class Channel(enum.StrEnum):
    """How the citizen reached the station."""

    WINDOW = "window"
    PHONE = "phone"
    APPOINTMENT = "appointment"
    HOME = "home"

    @property
    def label(self) -> str:
        """The channel's Chinese name."""
        return CHANNEL_LABELS[self]


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.WINDOW: "窗口",
    Channel.PHONE: "电话",
    Channel.APPOINTMENT: "预约",
    Channel.HOME: "上门",
}

DUE_SOON_WORKING_DAYS = 2
