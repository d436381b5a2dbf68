"""The city package's campaign_topics.json: the demo city's reads whole; bad files are refused naming the file, the
topic and the item."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from city.package.format import PackageError
from city.package.topics import TOPICS_FILE, read_topics

DEMO = Path(__file__).resolve().parents[2] / "config" / "city" / "zhangzhou"


def _subtypes() -> set[str]:
    categories = json.loads((DEMO / "categories.json").read_text("utf-8"))
    return {s["code"] for s in categories["subtypes"]}


def _topic(**overrides: Any) -> dict[str, Any]:
    item = {"code": "damaged", "label": "井盖破损", "label_en": "Damaged", "kind": "check", "subtypes": ["0107"]}
    return {"code": "C01", "name": "井盖", "name_en": "Manholes", "group": "census", "checklist": [item], **overrides}


def _read(tmp_path: Path, *topics: dict[str, Any]) -> Any:
    (tmp_path / TOPICS_FILE).write_text(json.dumps({"topics": list(topics)}, ensure_ascii=False), "utf-8")
    return read_topics(tmp_path, _subtypes())


def test_the_demo_city_has_54_census_and_8_hazard_topics() -> None:
    topics = read_topics(DEMO, _subtypes())
    assert topics is not None
    assert [t["group"] for t in topics].count("census") == 54 and [t["group"] for t in topics].count("hazard") == 8
    assert all(2 <= len(t["checklist"]) <= 5 for t in topics)
    assert {"井盖", "路灯", "垃圾桶", "行道树", "占道经营", "乱张贴", "违规户外广告", "施工围挡", "共享单车乱停放"} <= {
        t["name"] for t in topics}


def test_no_file_no_topics(tmp_path: Path) -> None:
    assert read_topics(tmp_path, _subtypes()) is None


@pytest.mark.parametrize(("topic", "message"), [
    (_topic(checklist=[{"code": "x", "label": "a", "label_en": "a", "subtypes": ["9999"]}]),
     "campaign_topics.json: topic 'C01': item 'x': unknown subtype '9999'"),
    (_topic(group="other"), "topic 'C01': 'group' must be one of census, hazard"),
    (_topic(checklist=[]), "topic 'C01': 'checklist' must list"),
    (_topic(code="C 1"), "topic 1: 'code'"),
    (_topic(colour="red"), "topic 'C01': unknown field 'colour'"),
    (_topic(checklist=[{"code": "x", "label": "a", "label_en": "a", "kind": "tick"}]), "item 'x': 'kind'"),
])
def test_bad_topics_are_refused_naming_the_topic(tmp_path: Path, topic: dict[str, Any], message: str) -> None:
    with pytest.raises(PackageError) as refused:
        _read(tmp_path, topic)
    assert message in str(refused.value)


def test_a_code_used_twice(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match="topic 'C01': the code is used twice"):
        _read(tmp_path, _topic(), _topic())
