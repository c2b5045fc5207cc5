"""预约服务 and 上门服务: bookings at the counter, and service at the citizen's home.

Elderly, disabled or seriously ill citizens may book a time at the counter (预约) or ask to be
served at home (上门). A counter booking shows on its day's list in time order and, when the
citizen comes, becomes a registered visit (channel 预约) without anything typed again. A
home-service request is due within the station's promise in working days (城区 and 农村 are
settings); the officer who went records the date, the result and the citizen's signature on
site, which registers the finished visit (channel 上门). Requests past their promise show on
the chief's page. Every step is audited; ID numbers, phones and addresses are sealed at rest
and masked on lists (the address shows in full only on the booking itself, for the visit).

``AppointmentService`` is made of its use cases, each in a module of its own: booking, moving
and closing (``_booking``), the day it happens (``_on_the_day``) and the lists (``_lists``);
what they share is in ``_base``, the data and labels in ``dto``.
"""

from __future__ import annotations

from app.appointments._booking import MAX_DAYS_AHEAD as MAX_DAYS_AHEAD
from app.appointments._booking import Booking
from app.appointments._lists import Lists
from app.appointments._on_the_day import PNG_MAGIC as PNG_MAGIC
from app.appointments._on_the_day import OnTheDay
from app.appointments._on_the_day import home_service_content_sha256 as home_service_content_sha256
from app.appointments.dto import ADDRESS_MAX as ADDRESS_MAX
from app.appointments.dto import AREA_LABELS as AREA_LABELS
from app.appointments.dto import KIND_LABELS as KIND_LABELS
from app.appointments.dto import OPEN as OPEN
from app.appointments.dto import REASON_LABELS as REASON_LABELS
from app.appointments.dto import STATE_LABELS as STATE_LABELS
from app.appointments.dto import AppointmentRow as AppointmentRow
from app.appointments.dto import NewAppointment as NewAppointment


class AppointmentService(Booking, OnTheDay, Lists):
    """Bookings and home-service requests; each use case one transaction with its audit event."""
