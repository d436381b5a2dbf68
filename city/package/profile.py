"""The city profile in effect: its time zone, locale and channels, read from the loaded package (``city_profiles``,
``channels``), with the one fallback for a database no package was loaded into — Asia/Shanghai, Chinese, and the
channels gridcase always had (``DEFAULT_CHANNELS``).

``apply_profile`` makes the stored profile the process's (``use_city_zone``); ``install`` does so at start and again
after every city load (``deps.on_city_loaded``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from city.package.holidays import use_holidays
from engine.domain.city_zone import DEFAULT_ZONE_NAME, use_city_zone
from engine.domain.duty_calendar import DutyCalendar
from engine.persistence.db import is_missing_table
from engine.persistence.read import city_package as read
from engine.persistence.repositories.cases import CaseStore
from engine.persistence.uow import in_command
from engine.service.bus import MessageBus
from engine.service.calendars import DutyCalendarCache
from engine.service.deps import Deps

log = logging.getLogger(__name__)
CHECK_EVERY = timedelta(seconds=1)  # how stale another process's package load may be here
DEFAULT_LOCALE = "zh"
DEFAULT_CALENDAR = "china"
LOCALES = ("zh", "en")
# code, 中文, English, urgent (a leader's instruction and media exposure are urgent whatever the subtype)
DEFAULT_CHANNELS: tuple[dict[str, Any], ...] = tuple(
    {"code": code, "name_zh": zh, "name_en": en, "urgent": urgent, "active": True}
    for code, zh, en, urgent in (
        ("patrol", "监督员巡查", "Inspector patrol", False), ("census", "普查", "Census", False),
        ("video", "视频发现", "Video", False), ("hotline", "热线电话", "Hotline", False),
        ("wechat", "微信", "WeChat", False), ("public_opinion", "舆情", "Public opinion", False),
        ("petition", "信访", "Petition", False), ("media", "媒体曝光", "Media exposure", True),
        ("leadership", "领导交办", "Leadership instruction", True),
        ("transfer", "部门转办", "Department transfer", False),
        ("assessment", "考评整改", "Assessment rectification", False),
        ("citizen", "市民上报", "Citizen report", False), ("open311", "Open311 应用", "Open311 app", False),
        ("upper_level", "上级交办", "Upper-level assignment", False),
        ("callback", "回访重办", "Reopened on callback", False)))
DEFAULT_PROFILE: dict[str, Any] = {"name": "", "time_zone": DEFAULT_ZONE_NAME, "locale": DEFAULT_LOCALE,
                                   "calendar": DEFAULT_CALENDAR, "loaded_at": None, "loaded_by": None, "version": 0}
_state: dict[str, str] = {"locale": DEFAULT_LOCALE}


def city_profile(store: CaseStore) -> dict[str, Any]:
    """The stored profile, or ``DEFAULT_PROFILE`` (version 0) when no package was loaded."""
    return read.profile(store) or dict(DEFAULT_PROFILE)


def city_channels(store: CaseStore, *, active_only: bool = False) -> list[dict[str, Any]]:
    """The city's channels (``code``, ``name_zh``, ``name_en``, ``urgent``, ``active``) in their order: the
    ``channels`` table, or ``DEFAULT_CHANNELS`` when it is empty (no package loaded). ``active_only``: those a new
    report may name."""
    rows = read.channels(store) or [dict(c) for c in DEFAULT_CHANNELS]
    return [c for c in rows if c["active"]] if active_only else rows


def channel_codes(store: CaseStore, *, active_only: bool = True) -> tuple[str, ...]:
    """The codes of the city's (active) channels: what intake and imports accept."""
    return tuple(c["code"] for c in city_channels(store, active_only=active_only))


def urgent_channels(store: CaseStore) -> tuple[str, ...]:
    """The channels whose reports are urgent whatever the subtype (the priority rule's)."""
    return tuple(c["code"] for c in city_channels(store) if c["urgent"])


def city_locale() -> str:
    """The city's default language for pages and messages ('zh' or 'en')."""
    return _state["locale"]


def apply_profile(deps: Deps) -> dict[str, Any]:
    """Make the stored profile's zone, locale and holiday table the process's (the defaults, and the
    GRIDCASE_CALENDAR_FILE table, without one); returns the profile."""
    with deps.uow(read_only=True) as uow:
        profile = city_profile(uow.store)
        holidays = read.holiday_calendar(uow.store, profile["calendar"]) if profile["version"] else None
    use_city_zone(profile["time_zone"])
    _state["locale"] = profile["locale"] if profile["locale"] in LOCALES else DEFAULT_LOCALE
    if holidays is not None:
        use_holidays(deps.working_time, holidays)
    return profile


class CityProfileWatch(DutyCalendarCache):
    """The duty calendar cache that also follows the city profile: before each command and at each working-time
    reading, at most every ``check_every`` of the clock and never inside a command, it compares the stored
    ``city_profiles.version`` with the one in force here and re-applies the profile when another process loaded a
    package — as the grid locator follows the grids."""

    def __init__(self, deps: Deps, check_every: timedelta = CHECK_EVERY) -> None:
        super().__init__(deps)
        self._version: int | None = None
        self._checked_at: datetime | None = None
        self._check_every = check_every

    def current(self) -> DutyCalendar | None:
        """The duty calendar, after following the profile if it changed."""
        self.follow_profile()
        return super().current()

    def follow_profile(self) -> None:
        """Re-apply the stored profile when its version is not the one in force in this process."""
        now = self._deps.clock.now()
        checked = self._checked_at
        if in_command() or (checked is not None and timedelta(0) <= now - checked < self._check_every):
            return
        self._checked_at = now
        try:
            with self._deps.uow(read_only=True) as uow:
                version = read.profile_version(uow.store)
            if version != self._version:
                self._version = int(apply_profile(self._deps)["version"])
        except Exception as exc:  # an unmigrated or unreachable database: keep the profile in force, try later
            log.warning("city profile not re-read (%s): keeping the one in force", exc)


def install(bus: MessageBus) -> None:
    """Apply the profile now and after every city load in this process, and follow loads made by other processes
    (``CityProfileWatch`` in place of the duty calendar cache); the bootstrap calls it."""
    deps = bus.deps
    try:
        apply_profile(deps)
    except Exception as exc:
        if not is_missing_table(exc):
            raise
        # not migrated yet (the engine may be built before `gridcase db upgrade`): the defaults until a city load
        use_city_zone(DEFAULT_ZONE_NAME)
        _state["locale"] = DEFAULT_LOCALE
    deps.on_city_loaded.append(lambda: apply_profile(deps))
    if deps.working_time is not None and type(deps.working_time.duty) is DutyCalendarCache:
        deps.working_time.duty = CityProfileWatch(deps)
