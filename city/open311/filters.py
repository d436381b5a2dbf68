"""GET requests' query parameters read into a ``RequestFilter``: every fault a 400 naming its parameter."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from city.persistence.read.open311 import MAX_REQUESTS, RequestFilter
from engine.domain.city_zone import city_zone
from engine.domain.forms import FieldsRejected
from engine.domain.input_limits import FIRST_YEAR, LAST_YEAR, text_problem

SPAN = timedelta(days=90)  # the spec's largest range of start_date..end_date, and its default
STATUSES = {"open": ("open",), "closed": ("closed", "voided")}
ID_CHARS, CODE_CHARS, DATE_CHARS = 30, 10, 40


def _joined(args: Mapping[str, str], name: str) -> str:
    """Every value of a parameter given more than once (``?status=open&status=closed``), comma-joined: a
    ``MultiDict``'s ``get`` would keep only the first."""
    getlist = getattr(args, "getlist", None)
    values = getlist(name) if callable(getlist) else [args.get(name)]
    return ",".join(str(value) for value in values if value)


def _list(args: Mapping[str, str], name: str, limit: int) -> tuple[str, ...]:
    """A comma-separated parameter's items (blank ones dropped); 400 for an item too long or not keepable."""
    text = _joined(args, name)
    items = tuple(part.strip() for part in text.split(",") if part.strip())
    if len(items) > MAX_REQUESTS or any(len(item) > limit or text_problem(item) for item in items):
        raise FieldsRejected({name: f"at most {MAX_REQUESTS} comma-separated values of at most {limit} characters"},
                             f"{name} is invalid")
    return items


def _moment(args: Mapping[str, str], name: str) -> datetime | None:
    """A w3c datetime (``2010-01-01T00:00:00Z``, an offset, or the city's time when none is given)."""
    text = (args.get(name) or "").strip()
    if not text:
        return None
    try:
        if len(text) > DATE_CHARS or not text.isascii():
            raise ValueError(text)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise FieldsRejected({name: "must be a w3c datetime, e.g. 2010-01-01T00:00:00Z"},
                             f"{name} is not a w3c datetime") from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:  # no case is that old or new; ±90 days could overflow too
        raise FieldsRejected({name: f"must be in the years {FIRST_YEAR} to {LAST_YEAR}"},
                             f"{name} is out of range")
    return moment if moment.tzinfo else moment.replace(tzinfo=city_zone())


def _range(args: Mapping[str, str]) -> tuple[datetime | None, datetime | None]:
    start, end = _moment(args, "start_date"), _moment(args, "end_date")
    if start is not None and end is None:
        end = start + SPAN
    if end is not None and start is None:
        start = end - SPAN
    if start is not None and end is not None:
        if end < start:
            raise FieldsRejected({"end_date": "must not be before start_date"}, "end_date is before start_date")
        if end - start > SPAN:
            raise FieldsRejected({"end_date": "the range may not span more than 90 days"},
                                 "start_date..end_date spans more than 90 days")
    return start, end


def request_filter(args: Mapping[str, str]) -> RequestFilter:
    """The filter the parameters ask for; ``service_request_id`` given, the others are ignored (per spec)."""
    case_nos = _list(args, "service_request_id", ID_CHARS)
    if case_nos:
        return RequestFilter(case_nos=case_nos)
    statuses = _list(args, "status", 10)
    unknown = [s for s in statuses if s not in STATUSES]
    if unknown:
        raise FieldsRejected({"status": "must be open, closed or both (comma-separated)"}, "status is invalid")
    start, end = _range(args)
    results = tuple(result for status in dict.fromkeys(statuses) for result in STATUSES[status])
    return RequestFilter(service_codes=_list(args, "service_code", CODE_CHARS), start=start, end=end,
                         results=results)
