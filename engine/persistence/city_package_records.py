"""Records of the city package: the city profile, channels and streets (migration 0023).

No row in ``city_profiles`` (a database loaded before city packages) means the defaults of
``city/package/profile.py``: Asia/Shanghai, zh, the fixed channel list.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from engine.persistence.records import TS, Base


class CityProfileRecord(Base):
    """The city's profile (one row, id 1): its name, IANA time zone, locale ('zh', 'en'), the name of its
    holiday calendar ('china' → config/calendar/china.json), and who loaded which version of the package when."""

    __tablename__ = "city_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    time_zone: Mapped[str] = mapped_column(sa.String(64))
    locale: Mapped[str] = mapped_column(sa.String(10))
    calendar: Mapped[str] = mapped_column(sa.String(100))
    loaded_at: Mapped[datetime] = mapped_column(TS)
    loaded_by: Mapped[str] = mapped_column(sa.String(100))
    version: Mapped[int] = mapped_column(sa.Integer)  # +1 at each package load


class ChannelRecord(Base):
    """A channel reports arrive by (来源: patrol, hotline, '311', …); ``urgent``: its reports are urgent whatever
    the subtype (a leader's instruction, media exposure); an inactive channel is refused for new reports."""

    __tablename__ = "channels"

    code: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    name_zh: Mapped[str] = mapped_column(sa.Text)
    name_en: Mapped[str] = mapped_column(sa.Text)
    urgent: Mapped[bool] = mapped_column(sa.Boolean)
    active: Mapped[bool] = mapped_column(sa.Boolean)
    position: Mapped[int] = mapped_column(sa.Integer)  # the order forms and pages list them in


class StreetRecord(Base):
    """A street (街道) or town (乡镇) of a district; ``department_code``: its street office's department, if any."""

    __tablename__ = "streets"

    code: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    district_code: Mapped[str] = mapped_column(sa.String(20), index=True)
    department_code: Mapped[str | None] = mapped_column(sa.String(30))


class HolidayCalendarRecord(Base):
    """A holiday table (``{"years": {...}}``, the format of config/calendar/china.json) loaded with a city package
    under the profile's calendar name; working time in every process reads the profile's."""

    __tablename__ = "holiday_calendars"

    name: Mapped[str] = mapped_column(sa.String(100), primary_key=True)
    content: Mapped[str] = mapped_column(sa.Text)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    loaded_at: Mapped[datetime] = mapped_column(TS)


class PackageExtraRecord(Base):
    """What the loaded package says that no other table keeps, for ``city export``: ``kind`` 'department' (its
    ``aspects``), 'subtype' (``major_name_en``), 'district' (``name_zh``, ``name_en``); ``data`` is JSON."""

    __tablename__ = "package_extras"

    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    data: Mapped[str] = mapped_column(sa.Text)
