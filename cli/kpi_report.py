"""The monthly evaluation report: one self-contained HTML file (tables, inline SVG charts, no external assets)
and the same numbers as CSV, one file per table. Chinese first, English beside it. Units and people with no work
to judge in the period are listed after the ranked ones, apart and without a rank (in the CSV: rank and composite
empty)."""

from __future__ import annotations

import csv
import html
from pathlib import Path
from typing import Any

LEVEL_NAMES = {"department": ("处置单位", "Departments"), "district": ("区", "Districts"),
               "street": ("街道（责任网格）", "Streets (responsibility grids)"),
               "collector": ("信息采集员", "Collectors"), "dispatcher": ("派遣员", "Dispatchers")}
CSS = ("body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:1em 0;font-size:12px}"
       "th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}th{background:#f2f2f2}td.name{text-align:left}"
       "small{color:#666}.formulas td{text-align:left}svg{margin:1em 0;font-size:10px}")


def fmt(value: float | None, percent: bool = True) -> str:
    """A rate as a percentage with one decimal, a count as an integer, nothing as —."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%" if percent else f"{value:g}"


def csv_number(value: float | int | None) -> str:
    """Exact text of a number (read back, it equals the API's), empty for none."""
    return "" if value is None else repr(value)


def write_csv(result: dict[str, Any], out: Path) -> list[Path]:
    """``kpi_<level>.csv`` per level and ``kpi_indicators.csv`` (formulas, weights, settings version)."""
    paths = []
    for level, body in result["levels"].items():
        keys = [i["key"] for i in body["indicators"]]
        listed = [*body["rows"], *body.get("without_work", [])]
        counts = list(listed[0]["counts"]) if listed else []
        path = out / f"kpi_{level}.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["rank", "code", "name_zh", "name_en", "composite", *keys, *counts])
            for r in listed:
                writer.writerow([r["rank"] or "", r["code"], r["name_zh"], r["name_en"], csv_number(r["composite"]),
                                 *(csv_number(r["values"][k]) for k in keys), *(r["counts"][c] for c in counts)])
        paths.append(path)
    path = out / "kpi_indicators.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["level_group", "key", "zh", "en", "formula_zh", "formula_en", "weight", "config_version",
                         "config_sha256", "period", "as_of"])
        seen = set()
        for body in result["levels"].values():
            for i in body["indicators"]:
                if i["key"] not in seen:
                    seen.add(i["key"])
                    writer.writerow([i["numerator"], i["key"], i["zh"], i["en"], i["formula_zh"], i["formula_en"],
                                     csv_number(i["weight"]), result["config"]["version"] or "",
                                     result["config"]["sha256"], result["period"], result["as_of"]])
    return [*paths, path]


def bar_chart(title: str, bars: list[tuple[str, float | None]], maximum: float = 100.0) -> str:
    """A horizontal bar chart as inline SVG: one bar per (label, value); no value draws no bar."""
    row, left, width = 14, 190, 360
    height = row * len(bars) + 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 60}" height="{height}" role="img"'
             f' aria-label="{html.escape(title)}"><text x="0" y="12" font-weight="bold">{html.escape(title)}</text>']
    for n, (label, value) in enumerate(bars):
        y = 22 + n * row
        parts.append(f'<text x="{left - 4}" y="{y + 10}" text-anchor="end">{html.escape(label[:28])}</text>')
        if value is not None:
            w = max(0.0, min(1.0, value / maximum)) * width
            parts.append(f'<rect x="{left}" y="{y + 1}" width="{w:.1f}" height="{row - 3}" fill="#3b7dd8"/>'
                         f'<text x="{left + w + 3:.1f}" y="{y + 10}">{value:.1f}</text>')
        else:
            parts.append(f'<text x="{left + 3}" y="{y + 10}" fill="#999">—</text>')
    return "".join(parts) + "</svg>"


def _table(level: str, body: dict[str, Any]) -> str:
    zh, en = LEVEL_NAMES[level]
    heads = "".join(f"<th>{html.escape(i['zh'])}<br><small>{html.escape(i['en'])}</small></th>"
                    for i in body["indicators"])
    lines = [f"<h2>{zh} <small>{en}</small></h2>",
             f"<table><tr><th>排名<br><small>Rank</small></th><th>名称<br><small>Name</small></th>"
             f"<th>综合指标值<br><small>Composite</small></th>{heads}</tr>"]
    for r in body["rows"]:
        cells = "".join(f"<td>{fmt(r['values'][i['key']], i['denominator'] is not None)}</td>"
                        for i in body["indicators"])
        lines.append(f"<tr><td>{r['rank'] or '—'}</td><td class=\"name\">{html.escape(r['code'])} "
                     f"{html.escape(r['name_zh'])}</td><td>{fmt(r['composite'], False)}</td>{cells}</tr>")
    lines.append("</table>")
    lines.append(_without_work(body))
    chart_rows = body["rows"][:40] if level in ("collector", "dispatcher", "department") else body["rows"]
    lines.append(bar_chart(f"{zh} 综合指标值 · {en} composite", [(f"{r['code']} {r['name_zh']}", r["composite"])
                                                           for r in chart_rows]))
    return "\n".join(lines)


def _without_work(body: dict[str, Any]) -> str:
    """The units or people with nothing to judge in the period: their counts, apart from the ranking."""
    idle = body.get("without_work") or []
    if not idle:
        return ""
    heads = "".join(f"<th>{html.escape(i['zh'])}<br><small>{html.escape(i['en'])}</small></th>"
                    for i in body["indicators"])
    lines = ["<p>本期无考核工作，单列，不参与排名（处置单位、区、街道：没有应处置的案件，也没有超期未处置的案件）"
             "<br><small>No work to judge in the period, listed apart and not ranked (departments, districts,"
             " streets: no case due for disposal and none overdue)</small></p>",
             f"<table class=\"without-work\"><tr><th>名称<br><small>Name</small></th>{heads}</tr>"]
    for r in idle:
        cells = "".join(f"<td>{fmt(r['values'][i['key']], i['denominator'] is not None)}</td>"
                        for i in body["indicators"])
        lines.append(f"<tr><td class=\"name\">{html.escape(r['code'])} {html.escape(r['name_zh'])}</td>{cells}</tr>")
    lines.append("</table>")
    return "\n".join(lines)


def _formulas(result: dict[str, Any]) -> str:
    rows, seen = [], set()
    for body in result["levels"].values():
        for i in body["indicators"]:
            if i["key"] not in seen:
                seen.add(i["key"])
                rows.append(f"<tr><td>{html.escape(i['zh'])} <small>{html.escape(i['en'])}</small></td>"
                            f"<td>{html.escape(i['formula_zh'])}<br><small>{html.escape(i['formula_en'])}</small></td>"
                            f"<td>{i['weight']:g}</td></tr>")
    terms = "".join(f"<li>{html.escape(t['zh'])} <small>{html.escape(t['en'])}</small></li>"
                    for t in result["terms"].values())
    return ("<h2>指标公式 <small>Formulas</small></h2><table class=\"formulas\"><tr><th>指标 Indicator</th>"
            f"<th>公式 Formula</th><th>权重 Weight</th></tr>{''.join(rows)}</table><ul>{terms}</ul>")


def render_html(result: dict[str, Any]) -> str:
    """The whole report as one HTML document."""
    cfg = result["config"]
    version = f"v{cfg['version']}" if cfg["version"] is not None else "config/kpi.yaml（未应用 not applied）"
    head = (f"<h1>{html.escape(result['period'])} 月度考核评价报告 <small>Monthly evaluation report</small></h1>"
            f"<p>统计截止 Cut-off: {html.escape(result['as_of'])} · 指标配置版本 KPI settings: {html.escape(version)}"
            f" <small>sha256 {cfg['sha256'][:12]}</small></p>")
    tables = "\n".join(_table(level, body) for level, body in result["levels"].items())
    title = f"{html.escape(result['period'])} 月度考核评价报告"
    return (f"<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{title}</title>"
            f"<style>{CSS}</style></head><body>{head}{tables}{_formulas(result)}</body></html>")


def write_report(result: dict[str, Any], out: Path) -> list[Path]:
    """Write ``report_<month>.html`` and the CSV files into ``out``; the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    page = out / f"report_{result['period']}.html"
    page.write_text(render_html(result), encoding="utf-8")
    return [page, *write_csv(result, out)]
