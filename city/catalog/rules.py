"""Generate the demo city's DMN rules (FEEL) from its catalogue: ``python -m city.catalog.rules``.

- ``rules/responsibility.dmn`` (责任划分): for each subtype the competent department (主管部门: the first city
  department holding the subtype's aspect), the owner unit (权属单位), the disposal unit
  (处置单位), the time limit and the closing standard (结案标准). Urgent reports get half the limit (at
  least 1). The disposal unit is found as cities route:

  * 部件 (components) by owner: when the report lies near a registered component of its class whose owner is
    one of the city's departments (``report.component.department``, found by ``locate``), that owner;
  * 事件 (events) by location: a subtype of a street office's mandate (``STREET_MAJORS`` and an aspect some
    street-level department holds: 市容环境, 宣传广告, 街面秩序, 扩展事件 such as 违法建设 or 物业) goes to the
    street office of the responsibility grid (``report.street_office``, the grid's street's department);
  * otherwise, and where no component or street is known, by district: the district's department for the
    subtype's aspect, else the competent city department (施工管理 to the district's housing and construction
    bureau or enforcement brigade, 突发事件 to their competent department).

  The owner and street office are FEEL output expressions (``report.street_office``), so one rule serves every
  grid. Rows are mutually exclusive (a component or street rule and its fallback differ on that input): UNIQUE.
- ``rules/filing.dmn`` (立案条件): the filing condition of each subtype, and the advice the shift
  lead is shown — file, or void as out of scope, duplicate or invalid — which requires it.
- ``rules/priority.dmn`` (优先级): urgent or normal, by channel, subtype and the reporter's say.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from city.catalog.reader import Catalog, Department, Subtype, load_catalog

CITY = Path(__file__).resolve().parents[2] / "config" / "city" / "zhangzhou"
RULES = Path(__file__).resolve().parents[2] / "rules"
OUT = RULES / "responsibility.dmn"
FILING_OUT = RULES / "filing.dmn"
PRIORITY_OUT = RULES / "priority.dmn"
# 事件 major classes a street office (街道办/乡镇) handles in its own grids, when its mandate holds the aspect:
# 06 市容环境, 07 宣传广告, 10 街面秩序, 12 扩展事件. 08 施工管理 stays with the district, 09 突发事件 and
# 11 环境保护与内河水务 with their competent departments.
STREET_MAJORS = ("06", "07", "10", "12")
STREET_OFFICE = "report.street_office"
COMPONENT_OWNER = "report.component.department"
OUTPUTS = ("competent_department", "owner_unit", "disposal_unit", "limit_amount", "limit_unit", "closing_standard")

# 立案条件 by major class: what must be true on the street for a report to become a case.
FILING_CONDITIONS = {
    "01": "设施丢失、破损、移位、松动或功能异常",
    "02": "设施缺失、破损、倾斜、污损或影响通行安全",
    "03": "设施破损、缺失、满溢或明显脏污",
    "04": "植物死亡、缺株、倒伏、严重病虫害或设施破损",
    "05": "设施破损、缺失、存在安全隐患或功能异常",
    "06": "暴露或积存面积0.5平方米以上，或保洁不到位且持续2小时以上",
    "07": "未经审批设置，或破损、污损影响市容",
    "08": "未按规定审批、围挡、覆盖或影响通行与周边环境",
    "09": "存在危及人身财产安全的险情，需立即处置",
    "10": "占用道路、公共场地或违反街面秩序管理规定，经劝导未改正",
    "11": "造成水体、空气或声环境污染，影响周边群众",
    "12": "违反相关管理规定，影响市容环境或群众生活",
}
# Channels whose reports are urgent whatever the subtype: a leader's instruction, media exposure.
URGENT_CHANNELS = ("leadership", "media")

Column = tuple[str, str, str]  # (name, FEEL input expression, typeRef)
Row = tuple[str, list[str], tuple[object, ...]]


class Feel(str):
    """An output entry written as a FEEL expression (a path into the report), not as a string literal."""


def _literal(value: object) -> str:
    if isinstance(value, Feel):
        return str(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value) if isinstance(value, int) else '"' + str(value).replace('"', '\\"') + '"'


def _decision(decision_id: str, name: str, hit_policy: str, inputs: Sequence[Column],
              outputs: Sequence[tuple[str, str, str | None]],
              rows: Sequence[tuple[str, Sequence[str], Sequence[object]]],
              requires: Sequence[str] = ()) -> list[str]:
    """One decision table; ``outputs`` are (name, typeRef, output values or None); rows are (id, tests, values)."""
    lines = [f"  <decision id={quoteattr(decision_id)} name={quoteattr(name)}>"]
    lines += [f'    <informationRequirement id="req_{decision_id}_{r}"><requiredDecision href="#{r}"/>'
              "</informationRequirement>" for r in requires]
    lines.append(f'    <decisionTable id="{decision_id}_table" hitPolicy="{hit_policy}">')
    lines += [f'      <input id="in_{n}" label="{n}"><inputExpression id="expr_{n}" typeRef="{t}">'
              f"<text>{escape(e)}</text></inputExpression></input>" for n, e, t in inputs]
    for n, t, output_values in outputs:
        allowed = f"<outputValues><text>{escape(output_values)}</text></outputValues>" if output_values else ""
        lines.append(f'      <output id="out_{n}" name="{n}" typeRef="{t}">{allowed}</output>'
                     if allowed else f'      <output id="out_{n}" name="{n}" typeRef="{t}"/>')
    for rule_id, tests, values in rows:
        cells = "".join(f"<inputEntry id=\"{rule_id}_i{i}\"><text>{escape(t)}</text></inputEntry>"
                        for i, t in enumerate(tests))
        cells += "".join(f"<outputEntry id=\"{rule_id}_o{i}\"><text>{escape(_literal(v))}</text></outputEntry>"
                         for i, v in enumerate(values))
        lines.append(f'      <rule id="{rule_id}">{cells}</rule>')
    return [*lines, "    </decisionTable>", "  </decision>"]


def _document(definitions_id: str, name: str, decisions: list[str]) -> str:
    head = ['<?xml version="1.0" encoding="UTF-8"?>',
            f'<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="{definitions_id}" '
            f'name={quoteattr(name)} namespace="http://gridcase.example/rules">']
    return "\n".join([*head, *decisions, "</definitions>", ""])


def _handlers(catalog: Catalog, aspect: str, level: str, district: str | None = None) -> list[Department]:
    """The departments of a level holding an aspect (command centres aside), by code."""
    return sorted((d for d in catalog.departments.values()
                   if aspect in d.aspects and d.level == level and d.centre is None
                   and (district is None or d.district == district)), key=lambda d: d.code)


def street_routed(catalog: Catalog, subtype: Subtype) -> bool:
    """Whether a 事件 subtype goes to the street office of the grid it lies in."""
    return (subtype.kind == "event" and subtype.major_code in STREET_MAJORS
            and any(d.level == "street" and subtype.aspect in d.aspects for d in catalog.departments.values()))


def rows(catalog: Catalog) -> list[Row]:
    """(rule id, input tests, outputs) for every subtype: its component-owner or street-office rules, then its
    rules per district; inputs are subtype, district, urgency, component owner, street office."""
    out = []
    for subtype in sorted(catalog.subtypes.values(), key=lambda s: s.code):
        city = _handlers(catalog, subtype.aspect, "city")
        competent = city[0].code if city else "C02"
        by_owner, by_street = subtype.kind == "component", street_routed(catalog, subtype)
        if by_owner:
            out.extend(_urgency_rows(subtype, f"r_{subtype.code}_owner", ["-", "not(null)", "-"],
                                     (competent, Feel(COMPONENT_OWNER), Feel(COMPONENT_OWNER))))
        if by_street:
            out.extend(_urgency_rows(subtype, f"r_{subtype.code}_street", ["-", "-", "not(null)"],
                                     (competent, Feel(STREET_OFFICE), Feel(STREET_OFFICE))))
        fallback = ["null" if by_owner else "-", "null" if by_street else "-"]
        for district in sorted(catalog.districts):
            local = _handlers(catalog, subtype.aspect, "district", district)
            disposal = local[0].code if local else competent
            out.extend(_urgency_rows(subtype, f"r_{subtype.code}_{district}", [f'"{district}"', *fallback],
                                     (competent, disposal, disposal)))
    return out


def _urgency_rows(subtype: Subtype, base: str, tests: list[str], units: tuple[object, ...]) -> list[Row]:
    """The urgent and the normal row of one rule: ``tests`` for district, component owner and street office."""
    limit = subtype.time_limit
    urgent_amount = max(1, limit.amount // 2)
    district, *rest = tests
    return [
        (f"{base}_urgent", [f'"{subtype.code}"', district, '"urgent"', *rest],
         (*units, urgent_amount, limit.unit, subtype.closing_standard_zh)),
        (f"{base}_normal", [f'"{subtype.code}"', district, 'not("urgent")', *rest],
         (*units, limit.amount, limit.unit, subtype.closing_standard_zh)),
    ]


def render(catalog: Catalog) -> str:
    """rules/responsibility.dmn."""
    inputs = [("subtype", "report.subtype", "string"), ("district", "report.district", "string"),
              ("urgency", "report.urgency", "string"), ("component_owner", COMPONENT_OWNER, "string"),
              ("street_office", STREET_OFFICE, "string")]
    outputs = [(n, "number" if n == "limit_amount" else "string", None) for n in OUTPUTS]
    table = _decision("responsibility", "responsibility", "UNIQUE", inputs, outputs, rows(catalog))
    return _document("responsibility_rules", "Responsibility (责任划分)", table)


def filing_condition(subtype: Subtype) -> str:
    """The subtype's filing condition (立案条件), as the shift lead reads it."""
    return f"{subtype.name_zh}：{FILING_CONDITIONS[subtype.major_code]}"


def render_filing(catalog: Catalog) -> str:
    """rules/filing.dmn: ``filing_condition`` per subtype and ``filing_advice`` (file or void) requiring it."""
    conditions = [(f"fc_{s.code}", [f'"{s.code}"'], (filing_condition(s),))
                  for s in sorted(catalog.subtypes.values(), key=lambda s: s.code)]
    condition_table = _decision("filing_condition", "filing_condition", "UNIQUE",
                                [("subtype", "report.subtype", "string")],
                                [("filing_condition", "string", None)], conditions)
    inputs = [("in_coverage", "report.in_coverage", "boolean"),
              # a single-output table's value is the output itself (DMN 1.5 §8.3), not a context holding it
              ("condition", "filing_condition", "string"),
              ("duplicate_of", "report.duplicate_of", "string"), ("found", "verification.found", "boolean")]
    outputs = [("advice", "string", None), ("void_reason", "string", None), ("advice_note", "string", None)]
    advice = [
        ("fa_outside_coverage", ["false", "-", "-", "-"], ("void", "out_of_scope", "位置不在监管网格范围内")),
        ("fa_not_a_city_problem", ["-", "null", "-", "-"], ("void", "out_of_scope", "不属于城市管理部件事件类别")),
        ("fa_duplicate", ["-", "-", "not(null)", "-"], ("void", "duplicate", "与已立案案件重复")),
        ("fa_not_found_on_site", ["-", "-", "-", "false"], ("void", "invalid", "现场核实未发现问题")),
        ("fa_meets_condition", ["-", "-", "-", "-"], ("file", None, "符合立案条件")),
    ]
    advice_table = _decision("filing_advice", "filing_advice", "FIRST", inputs, outputs, advice,
                             requires=["filing_condition"])
    return _document("filing_rules", "Filing standard (立案条件)", condition_table + advice_table)


def render_priority(catalog: Catalog) -> str:
    """rules/priority.dmn: ``priority`` (PRIORITY hit policy: urgent before normal)."""
    urgent = sorted(s.code for s in catalog.subtypes.values() if s.default_urgency == "urgent")
    channels = ",".join(f'"{c}"' for c in URGENT_CHANNELS)
    inputs = [("channel", "report.channel", "string"), ("subtype", "report.subtype", "string"),
              ("reported", "report.urgency", "string")]
    outputs = [("urgency", "string", '"urgent","normal"'), ("priority_reason", "string", None)]
    priority = [
        ("p_channel", [channels, "-", "-"], ("urgent", "领导批示或媒体曝光")),
        ("p_hazard", ["-", ",".join(f'"{c}"' for c in urgent), "-"], ("urgent", "安全隐患类问题")),
        ("p_reported_urgent", ["-", "-", '"urgent"'], ("urgent", "上报时标记为紧急")),
        ("p_default", ["-", "-", "-"], ("normal", "一般问题")),
    ]
    table = _decision("priority", "priority", "PRIORITY", inputs, outputs, priority)
    return _document("priority_rules", "Priority (优先级)", table)


if __name__ == "__main__":
    city = load_catalog(CITY)
    OUT.write_text(render(city), "utf-8")
    FILING_OUT.write_text(render_filing(city), "utf-8")
    PRIORITY_OUT.write_text(render_priority(city), "utf-8")
