"""Time zones and the span of a contest's times (api.md: naive times are read in the contest's zone)."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from competition.models import Contest

DEFAULT_TIMEZONE = "Asia/Shanghai"


# The span a contest's times may lie in. Far enough inside datetime's years 1 to 9999 that the times
# convert to any time zone and a contest's calendar year has a next one (promotions.py), which a
# year 1 or 9999 would make an OverflowError (a 500) instead of a 422.
EARLIEST_MOMENT = datetime(1900, 1, 1, tzinfo=timezone.utc)
LATEST_MOMENT = datetime(2999, 12, 31, 23, 59, 59, tzinfo=timezone.utc)


def as_utc(moment: datetime, zone: ZoneInfo | None) -> datetime | None:
    """`moment` in UTC (a naive one read in `zone`), or None outside EARLIEST_MOMENT..LATEST_MOMENT."""
    try:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        moment = moment.astimezone(timezone.utc)
    except OverflowError:  # beyond year 1 or 9999 once in UTC
        return None
    return moment if EARLIEST_MOMENT <= moment <= LATEST_MOMENT else None


def known_zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def zone_named(name: str | None) -> ZoneInfo:
    """The IANA time zone `name`; the project's default zone for a missing or unknown name."""
    return (known_zone(name) if name else None) or ZoneInfo(DEFAULT_TIMEZONE)


def contest_zone(contest: Contest) -> ZoneInfo:
    """The contest's time zone (api.md: dates that decide a year are taken in it), shown times too."""
    return zone_named(contest.timezone)
