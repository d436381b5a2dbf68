"""An Open311 POST's parameters and GET requests' filters checked without a database: every fault named by its
parameter (FieldsRejected), no geocoding, the spec's 90-day span and its defaults."""

from __future__ import annotations

from datetime import timedelta

import pytest
from werkzeug.datastructures import MultiDict

from city.open311.commands import SubmitServiceRequest
from city.open311.fields import NO_GEOCODING, request_fields, service_code_of
from city.open311.filters import request_filter
from engine.domain.forms import FieldsRejected


def _cmd(**changes: object) -> SubmitServiceRequest:
    given: dict[str, object] = {"api_key": "k", "service_code": "0601", "lat": "24.51", "long": "117.65"}
    return SubmitServiceRequest(**(given | changes))  # type: ignore[arg-type]


def test_good_parameters_are_read() -> None:
    fields = request_fields(_cmd(description="  a hole  ", email="a@b.cn", phone="+86 138-0000-0000"))
    assert (fields.lat, fields.lon) == (24.51, 117.65)
    assert fields.texts["description"] == "a hole" and fields.texts["address_string"] is None


@pytest.mark.parametrize("changes, field", [
    ({"lat": None, "address_string": "1 Main St"}, "lat"), ({"long": ""}, "long"), ({"lat": "1e400"}, "lat"),
    ({"lat": "٢٤"}, "lat"), ({"long": "9" * 5000}, "long"), ({"lat": 24.5}, "lat"), ({"long": "-180.5"}, "long"),
    ({"description": ["x"]}, "description"), ({"email": "x" * 300}, "email"), ({"media_url": "ftp://x"}, "media_url"),
    ({"phone": "１３８"}, "phone"), ({"first_name": "a\x00"}, "first_name"),
])
def test_faults_name_their_parameter(changes: dict[str, object], field: str) -> None:
    with pytest.raises(FieldsRejected) as refused:
        request_fields(_cmd(**changes))
    assert field in refused.value.fields


def test_no_geocoding_and_the_service_code() -> None:
    with pytest.raises(FieldsRejected) as refused:
        request_fields(_cmd(lat=None, long=None, address_string="1 Main St"))
    assert refused.value.fields == {"lat": NO_GEOCODING, "long": NO_GEOCODING}
    assert service_code_of(_cmd(service_code=" 0601 ")) == "0601"
    for bad in (None, "", "0" * 11, 601):
        with pytest.raises(FieldsRejected):
            service_code_of(_cmd(service_code=bad))


def test_filters() -> None:
    assert request_filter({"service_request_id": "a,b", "status": "bogus"}).case_nos == ("a", "b")
    chosen = request_filter({"status": "open,closed", "service_code": "0601,0602",
                             "start_date": "2010-05-24T00:00:00Z"})
    assert chosen.results == ("open", "closed", "voided") and chosen.service_codes == ("0601", "0602")
    assert chosen.start is not None and chosen.end is not None and chosen.end - chosen.start == timedelta(days=90)
    assert request_filter({}).start is None  # the 90 days before now are the read's default
    naive = request_filter({"end_date": "2010-06-24T00:00:00"}).end
    assert naive is not None and naive.utcoffset() == timedelta(hours=8)  # the city's time
    for bad in ({"status": "pending"}, {"start_date": "yesterday"}, {"end_date": "２０１０-01-01"},
                {"start_date": "2010-01-01T00:00:00Z", "end_date": "2010-06-01T00:00:00Z"},
                {"service_code": "x" * 11}):
        with pytest.raises(FieldsRejected):
            request_filter(bad)


@pytest.mark.parametrize("given, field", [
    ({"start_date": "9999-12-31T23:59:59-12:00"}, "start_date"), ({"start_date": "9999-12-01T00:00:00Z"}, "start_date"),
    ({"end_date": "0001-01-01T00:00:00Z"}, "end_date"), ({"end_date": "9999-12-31T23:59:59-12:00"}, "end_date"),
    ({"start_date": "0001-01-01T00:00:00+14:00"}, "start_date"), ({"end_date": "1899-12-31T23:59:59Z"}, "end_date"),
])
def test_dates_beyond_any_case_are_refused_naming_the_parameter(given: dict[str, str], field: str) -> None:
    with pytest.raises(FieldsRejected) as refused:  # was an OverflowError (a 500) when ±90 days left datetime's range
        request_filter(given)
    assert list(refused.value.fields) == [field]


def test_a_repeated_parameter_counts_every_value() -> None:
    args = MultiDict([("status", "open"), ("status", "closed"), ("service_code", "0601"),
                      ("service_code", "0602,0603")])
    chosen = request_filter(args)
    assert chosen.results == ("open", "closed", "voided") and chosen.service_codes == ("0601", "0602", "0603")
    assert request_filter(MultiDict([("service_request_id", "a"), ("service_request_id", "b")])).case_nos == (
        "a", "b")
    with pytest.raises(FieldsRejected) as refused:
        request_filter(MultiDict([("status", "open"), ("status", "pending")]))
    assert "status" in refused.value.fields


@pytest.mark.parametrize("text", ["a\x01b", "bell\x07", "esc\x1b[31m", "del\x7f", "left\u202eright", "iso\u2066x",
                                  "no\ufffe"])
def test_control_characters_in_texts_are_refused(text: str) -> None:
    for name in ("description", "address_string", "first_name"):
        with pytest.raises(FieldsRejected) as refused:
            request_fields(_cmd(**{name: text}))
        assert name in refused.value.fields and "control" in refused.value.fields[name]
    with pytest.raises(FieldsRejected) as refused:
        service_code_of(_cmd(service_code="06\x0101"))
    assert "service_code" in refused.value.fields


def test_tabs_and_line_breaks_stay_allowed() -> None:
    fields = request_fields(_cmd(description="第一行\r\n第二行\t完"))
    assert fields.texts["description"] == "第一行\r\n第二行\t完"
