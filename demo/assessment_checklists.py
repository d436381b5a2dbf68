"""The demo city's checklists (考评细则) for the garbage-sorting assessment (垃圾分类考评) and property supervision
(物业监管): about ten weighted items each, totalling 100 points, with their photo rule, the subtype a failure's
rectification case (整改) gets and a few preset deductions. ``demo.assessment_registry`` writes them to
config/city/zhangzhou/assessment/checklists.json."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

ALL_GARBAGE = ["community", "institution", "collection_point", "transfer_station"]
HOUSEHOLDS = ["community", "institution", "collection_point"]


def _item(code: str, label: str, label_en: str, points: int, subtype: str, photo: str = "on_fail",
          kinds: list[str] | None = None, deductions: Sequence[tuple[str, str, int]] = ()) -> dict[str, Any]:
    """One checklist item; ``deductions``: (label, label_en, points) presets coded <code>a, <code>b …"""
    item: dict[str, Any] = {"code": code, "label": label, "label_en": label_en, "points": points, "photo": photo,
                            "subtype": subtype}
    if kinds is not None:
        item["kinds"] = kinds
    if deductions:
        item["deductions"] = [{"code": f"{code}{chr(ord('a') + i)}", "label": zh, "label_en": en, "points": p}
                              for i, (zh, en, p) in enumerate(deductions)]
    return item


GARBAGE_SORTING = [
    _item("GS01", "分类投放设施齐全", "Sorting bins complete", 15, "0613", kinds=HOUSEHOLDS,
          deductions=[("缺少一类分类桶", "One bin type missing", 5), ("分类桶破损", "Bins damaged", 3)]),
    _item("GS02", "桶边督导到位", "Bin-side guidance in place", 10, "0613", kinds=["community", "institution"],
          deductions=[("投放时段无人督导", "No guide during drop-off hours", 10)]),
    _item("GS03", "分类准确率达标", "Sorting accuracy meets the standard", 15, "0613", photo="always",
          kinds=HOUSEHOLDS, deductions=[("准确率低于80%", "Accuracy below 80%", 8),
                                        ("准确率低于60%", "Accuracy below 60%", 15)]),
    _item("GS04", "无混装混运", "No mixed collection or transport", 15, "0613", kinds=ALL_GARBAGE,
          deductions=[("发现混装混运", "Mixed loading seen", 15)]),
    _item("GS05", "台账记录完整", "Records kept complete", 5, "0613", photo="optional"),
    _item("GS06", "宣传氛围浓厚", "Publicity in place", 5, "0613", photo="optional", kinds=HOUSEHOLDS),
    _item("GS07", "投放点环境卫生整洁", "Drop-off point clean", 10, "1210",
          deductions=[("桶边散落垃圾", "Litter around the bins", 4), ("异味明显", "Strong smell", 3)]),
    _item("GS08", "无积存垃圾", "No accumulated garbage", 10, "0603",
          deductions=[("积存垃圾超过一天", "Garbage left over a day", 10)]),
    _item("GS09", "收运及时", "Collected on time", 10, "1204", kinds=["community", "collection_point",
                                                                  "transfer_station"]),
    _item("GS10", "中转站设备运行正常", "Transfer station equipment working", 5, "0303", kinds=["transfer_station"]),
]

PROPERTY = [
    _item("PM01", "公共设施维护良好", "Shared facilities maintained", 15, "0514",
          deductions=[("设施损坏未修复", "Damage not repaired", 8), ("照明设施故障", "Lighting out", 4)]),
    _item("PM02", "小区环境卫生整洁", "Compound clean", 15, "1203",
          deductions=[("楼道堆放杂物", "Stairwells cluttered", 5), ("公共区域垃圾未清", "Litter in common areas", 5)]),
    _item("PM03", "绿化养护到位", "Green spaces kept", 10, "0606"),
    _item("PM04", "消防通道畅通", "Fire lanes clear", 15, "1203", photo="always",
          deductions=[("消防通道被占用", "Fire lane blocked", 15)]),
    _item("PM05", "车辆停放有序", "Vehicles parked in order", 10, "1004",
          deductions=[("机动车乱停放", "Cars parked at random", 5), ("电动车楼道充电", "E-bikes charged indoors", 10)]),
    _item("PM06", "垃圾分类落实", "Garbage sorting carried out", 10, "0613"),
    _item("PM07", "安全巡查记录完整", "Safety patrols recorded", 10, "1203", photo="optional"),
    _item("PM08", "投诉处理及时", "Complaints handled on time", 5, "1203", photo="optional"),
    _item("PM09", "无私搭乱建", "No unauthorised structures", 5, "1202"),
    _item("PM10", "外立面及公共部位完好", "Facades and common parts intact", 5, "0514"),
]

CHECKLISTS: dict[str, Any] = {
    "garbage_sorting": {"name": "漳州市生活垃圾分类考评细则", "items": GARBAGE_SORTING},
    "property": {"name": "漳州市住宅小区物业服务考评细则", "items": PROPERTY},
}
