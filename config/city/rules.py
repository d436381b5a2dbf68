"""Generate rules/responsibility.dmn (FEEL) from the demo city's catalogue: ``python -m config.city.rules``.

For each subtype and district the rule names the competent department (主管部门, city level), the
owner unit (权属单位) and the disposal unit (处置单位: the district's department for the subtype's
aspect, else the city's), the time limit and the closing standard (结案标准). Urgent reports get half
the limit (at least 1). Rows are ordered and mutually exclusive, so the table is UNIQUE.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import escape

from config.city.catalog import Catalog, Department, Subtype, load_catalog

CITY = Path(__file__).parent / "zhangzhou"
OUT = Path(__file__).resolve().parents[2] / "rules" / "responsibility.dmn"
OUTPUTS = ("competent_department", "owner_unit", "disposal_unit", "limit_amount", "limit_unit", "closing_standard")


def _handlers(catalog: Catalog, aspect: str, level: str, district: str | None = None) -> list[Department]:
    return sorted((d for d in catalog.departments.values()
                   if aspect in d.aspects and d.level == level and d.centre is None
                   and (district is None or d.district == district)), key=lambda d: d.code)


def rows(catalog: Catalog) -> list[tuple[str, str, str, tuple[object, ...]]]:
    """(rule id, subtype test, district test, urgency test, outputs) for every subtype, district, urgency."""
    out = []
    for subtype in sorted(catalog.subtypes.values(), key=lambda s: s.code):
        city = _handlers(catalog, subtype.aspect, "city")
        competent = city[0].code if city else "C02"
        for district in sorted(catalog.districts):
            local = _handlers(catalog, subtype.aspect, "district", district)
            disposal = local[0].code if local else competent
            out.extend(_urgency_rows(subtype, district, competent, disposal))
    return out


def _urgency_rows(subtype: Subtype, district: str, competent: str, disposal: str) -> list[tuple]:
    limit = subtype.time_limit
    urgent_amount = max(1, limit.amount // 2)
    base = f"r_{subtype.code}_{district}"
    common = (competent, disposal, disposal)
    return [
        (f"{base}_urgent", subtype.code, district, '"urgent"',
         (*common, urgent_amount, limit.unit, subtype.closing_standard_zh)),
        (f"{base}_normal", subtype.code, district, 'not("urgent")',
         (*common, limit.amount, limit.unit, subtype.closing_standard_zh)),
    ]


def _literal(value: object) -> str:
    return str(value) if isinstance(value, int) else '"' + str(value).replace('"', '\\"') + '"'


def render(catalog: Catalog) -> str:
    """The DMN 1.3 document."""
    inputs = [("subtype", "report.subtype", "string"), ("district", "report.district", "string"),
              ("urgency", "report.urgency", "string")]
    head = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="responsibility_rules" '
            'name="Responsibility (责任划分)" namespace="http://gridcase.example/rules">',
            '  <decision id="responsibility" name="responsibility">',
            '    <decisionTable id="responsibility_table" hitPolicy="UNIQUE">']
    head += [f'      <input id="in_{n}" label="{n}"><inputExpression id="expr_{n}" typeRef="{t}">'
             f"<text>{e}</text></inputExpression></input>" for n, e, t in inputs]
    head += [f'      <output id="out_{n}" name="{n}" typeRef="{"number" if n == "limit_amount" else "string"}"/>'
             for n in OUTPUTS]
    body = []
    for rule_id, subtype, district, urgency, outputs in rows(catalog):
        cells = "".join(f"<inputEntry id=\"{rule_id}_i{i}\"><text>{escape(t)}</text></inputEntry>"
                        for i, t in enumerate((f'"{subtype}"', f'"{district}"', urgency)))
        cells += "".join(f"<outputEntry id=\"{rule_id}_o{i}\"><text>{escape(_literal(v))}</text></outputEntry>"
                         for i, v in enumerate(outputs))
        body.append(f'      <rule id="{rule_id}">{cells}</rule>')
    tail = ["    </decisionTable>", "  </decision>", "</definitions>", ""]
    return "\n".join(head + body + tail)


if __name__ == "__main__":
    OUT.write_text(render(load_catalog(CITY)), "utf-8")
