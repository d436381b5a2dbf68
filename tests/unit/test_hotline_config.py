"""The hotline connector's pure parts: the example configuration is valid and every refusal names its path; the
signature; the GCJ-02 conversion; an order mapped by the config, each bad field named by their path and ours."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from city.connectors import json_input
from city.connectors.config import file_problems, parse_file
from city.connectors.gcj02 import offset, to_wgs84
from city.connectors.orders import read_body
from city.connectors.orders_map import map_order
from city.connectors.signing import signature, signature_problem
from engine.domain.forms import FieldsRejected

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "connectors" / "hotline.example.json"


def _example() -> dict:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def test_the_example_file_is_valid() -> None:
    items, problems = parse_file(EXAMPLE.read_text(encoding="utf-8"))
    assert problems == {} and file_problems(items) == {}


@pytest.mark.parametrize(("content", "field"), [
    ("", "file"), ("{", "file"), ("[]", "connectors"), ('{"connectors": {}}', "connectors"),
    ('{"connectors": [' + "9" * 5000 + "]}", "file"), ("[" * 3000 + "]" * 3000, "file"),
])
def test_a_broken_file_is_named(content: str, field: str) -> None:
    assert field in parse_file(content)[1]


def test_every_problem_names_its_path() -> None:
    item = _example()["connectors"][0]
    item["code"] = "Bad Code"
    item["inbound"]["deadline_format"] = "yyyy"
    item["inbound"]["coordinates"] = "bd09"
    item["inbound"]["urgency_map"]["9"] = "panic"
    item["outbound"]["backoff_seconds"] = True
    problems = file_problems([item, item | {"code": "ok"}, "not an object"])
    assert {"connectors[0].code", "connectors[0].inbound.deadline_format", "connectors[0].inbound.coordinates",
            "connectors[0].inbound.urgency_map.9", "connectors[0].outbound.backoff_seconds",
            "connectors[2]"} <= set(problems)
    assert file_problems([item | {"code": "twice"}, item | {"code": "twice"}])["connectors[1].code"].endswith("twice")


def test_unknown_keys_secrets_and_credentials_are_refused_by_path() -> None:
    item = _example()["connectors"][0]
    item["timout_seconds"] = 5  # a typo, at every level
    item["inbound"]["field_mapp"] = {}
    item["outbound"]["timout_seconds"] = 1
    item["hmac_secret"] = "THE-REAL-SECRET"
    item["outbound"]["url"] = "https://user:pass@hotline.example.cn/gdfk"
    problems = file_problems([item])
    assert set(problems) == {"connectors[0].timout_seconds", "connectors[0].inbound.field_mapp",
                             "connectors[0].outbound.timout_seconds", "connectors[0].hmac_secret",
                             "connectors[0].outbound.url"}
    assert "timeout_seconds" in problems["connectors[0].outbound.timout_seconds"]
    assert "secret_env" in problems["connectors[0].hmac_secret"] and "credentials" in problems[
        "connectors[0].outbound.url"]
    assert "THE-REAL-SECRET" not in json.dumps(problems)
    upper = json.loads((EXAMPLE.parent / "upper_level.example.json").read_text(encoding="utf-8"))["connectors"][0]
    assert set(file_problems([{**upper, "password": "x"}])) == {"connectors[0].password"}
    assert set(parse_file('{"connectors": [], "token": "x"}')[1]) == {"token"}


def test_signatures() -> None:
    body, secret = b'{"a": 1}', b"k"
    good = signature(secret, "1000", body)
    assert signature_problem(secret, "1000", good, body, 1000.0) is None
    assert signature_problem(secret, "1000", good, body + b" ", 1000.0) is not None
    assert signature_problem(secret, "1000", good, body, 1301.0) is not None
    assert signature_problem(None, "1000", good, body, 1000.0) is not None
    assert signature_problem(secret, "١٠٠٠", good, body, 1000.0) is not None  # Arabic-Indic digits


def test_gcj02_round_trip_within_a_metre() -> None:
    lon, lat = 117.65, 24.51
    dlon, dlat = offset(lon, lat)
    assert 0.002 < abs(dlon) + abs(dlat) < 0.02  # the offset in Zhangzhou is a few hundred metres
    back = to_wgs84(lon + dlon, lat + dlat)
    assert abs(back[0] - lon) < 1e-5 and abs(back[1] - lat) < 1e-5
    assert to_wgs84(2.35, 48.85) == (2.35, 48.85)  # outside China GCJ-02 is WGS-84


def test_an_order_is_mapped() -> None:
    inbound = _example()["connectors"][0]["inbound"] | {"coordinates": "wgs84"}
    order = {"gdbh": 42, "sqnr": "垃圾", "location": {"lng": "117.65", "lat": 24.51}, "blsx": "2026-12-31 18:00:00",
             "sqlb": "HJWS-002", "sjdz": "石亭", "ldr": {"xm": "张三", "dh": "13800000000"}, "jjcd": "1"}
    mapped = map_order(order, inbound)
    assert (mapped.order_id, mapped.subtype, mapped.lon, mapped.urgency) == ("42", "0602", 117.65, "urgent")
    assert "石亭" in mapped.description and "13800000000" in mapped.description
    assert mapped.deadline.tzinfo is not None
    assert map_order(order | {"sqlb": "UNKNOWN"}, inbound).subtype == "0601"  # default_subtype


def test_bad_fields_name_their_path_and_ours() -> None:
    inbound = _example()["connectors"][0]["inbound"]
    with pytest.raises(FieldsRejected) as refused:
        map_order({"gdbh": "", "location": {"lng": 500}, "blsx": "soon", "sqlb": True}, inbound)
    assert refused.value.fields["gdbh"].startswith("order_id:")
    assert refused.value.fields["location.lng"].startswith("lon:")
    assert refused.value.fields["location.lat"].startswith("lat:")
    assert refused.value.fields["blsx"].startswith("deadline:")


@pytest.mark.parametrize(("value", "fmt"), [
    ("0001-01-01 00:00:00", "%Y-%m-%d %H:%M:%S"), ("9999-12-31 23:59:59", "%Y-%m-%d %H:%M:%S"),
    ("0001-01-01T00:00:00+08:00", "iso8601"), ("9999-12-31T23:59:59-12:00", "iso8601"),
    ("2101-01-01T00:00:00+00:00", "iso8601"),
])
def test_a_deadline_out_of_range_is_named(value: str, fmt: str) -> None:
    inbound = _example()["connectors"][0]["inbound"] | {"deadline_format": fmt}
    order = {"gdbh": "1", "sqnr": "垃圾", "location": {"lng": 117.65, "lat": 24.51}, "blsx": value, "sqlb": "HJWS-002"}
    with pytest.raises(FieldsRejected) as refused:
        map_order(order, inbound)
    assert set(refused.value.fields) == {"blsx"} and refused.value.fields["blsx"].startswith("deadline:")


@pytest.mark.parametrize("raw", [b"[" * 100 + b"]" * 100, b'{"n": 1e400}', b'{"n": NaN}', b"\x00", b"1" * 30])
def test_hostile_bodies(raw: bytes) -> None:
    with pytest.raises(FieldsRejected):
        read_body(raw)
    with pytest.raises(ValueError):
        json_input.loads(raw) if raw != b"1" * 30 else json_input.loads(b"[" + raw + b"]")


def test_upper_level_connectors_are_checked_by_the_exchange() -> None:
    upper = json.loads((EXAMPLE.parent / "upper_level.example.json").read_text(encoding="utf-8"))["connectors"][0]
    assert file_problems([upper]) == {}
    assert set(file_problems([{**upper, "config": None}])) == {"connectors[0].config"}
    broken = {**upper, "config": {**upper["config"], "city_code": "35"}}
    assert set(file_problems([broken])) == {"connectors[0].config.city_code"}
