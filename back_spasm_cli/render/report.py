"""A views.document.Report as one self-contained HTML file (inline CSS and SVG: it opens
offline and prints on A4 or Letter with the chart on the first page and no row cut in
two), or as Markdown with a text chart. Data text is always escaped."""

from __future__ import annotations

import html

from back_spasm_cli.render.charts import svg_chart, text_chart
from back_spasm_cli.render.markdown import escape, escape_inline, render_markdown
from back_spasm_cli.render.text import clean
from back_spasm_cli.views.document import Document, Report, Section, Table

STYLE = """
:root { --ink: #1b1b1b; --soft: #555; --rule: #d6d6d6; --info: #3a7bd5; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif;
  color: var(--ink); max-width: 56rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.45rem; margin: 0 0 0.8rem; }
h2 { font-size: 1.1rem; margin: 0 0 0.4rem; }
section { border-left: 4px solid var(--info); padding: 0.15rem 0 0.15rem 0.8rem;
  margin: 0.9rem 0; }
section.note { border-color: #8a8a8a; } section.gp { border-color: #c99700; }
section.urgent { border-color: #d2691e; } section.emergency { border-color: #c0392b; }
section.self-care { border-color: #2e8b57; } section.table { border: 0; padding: 0; }
.top { display: grid; grid-template-columns: 1fr 1fr; gap: 0 1.2rem; }
.top section { margin: 0.3rem 0; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 0.8rem; margin: 0; }
dt { font-weight: 600; } dd { margin: 0; }
p { margin: 0.3rem 0; } ul { margin: 0.3rem 0; padding-left: 1.2rem; }
.label { font-weight: 600; margin-top: 0.4rem; }
small { color: var(--soft); font-weight: normal; }
figure { margin: 0.8rem 0; }
figcaption { font-weight: 600; margin-bottom: 0.2rem; }
figure svg { display: block; width: 100%; height: auto; }
svg text { font: 11px system-ui, "DejaVu Sans", sans-serif; fill: #333; }
svg .grid { stroke: #e6e6e6; } svg .axis { stroke: #888; }
svg .line { stroke: var(--info); stroke-width: 2; } svg .dot { fill: var(--info); }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; table-layout: fixed; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.25rem 0.35rem; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; }
thead th { border-bottom: 2px solid #999; }
td:first-child { white-space: nowrap; }
tr.strong td { font-weight: 700; background: #fdecea; }
footer { margin-top: 1.4rem; padding-top: 0.5rem; border-top: 1px solid var(--rule);
  color: var(--soft); font-size: 0.85rem; }
@page { margin: 13mm 12mm 14mm; }
@media print {
  body { max-width: none; margin: 0; padding: 0; font-size: 9.5pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  h1 { font-size: 15pt; }
  h2 { font-size: 11pt; break-after: avoid; page-break-after: avoid; }
  section, figure, dl, li, footer { break-inside: avoid; page-break-inside: avoid; }
  section.table { break-inside: auto; page-break-inside: auto; }
  figure svg { max-height: 78mm; }
  thead { display: table-header-group; }
  tr, th, td { break-inside: avoid; page-break-inside: avoid; }
  table { font-size: 8.5pt; }
  th, td { padding: 0.12rem 0.3rem; }
}
"""


def _e(text: str) -> str:
    return html.escape(clean(text))


def _section(section: Section) -> str:
    parts = [f'<section class="{_e(section.tone)}">']
    if section.title:
        sub = f" <small>{_e(section.subtitle)}</small>" if section.subtitle else ""
        parts.append(f"<h2>{_e(section.title)}{sub}</h2>")
    parts += [f"<p>{_e(p)}</p>" for p in section.paragraphs]
    if section.facts:
        parts.append(
            "<dl>"
            + "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in section.facts)
            + "</dl>"
        )
    for bullets in section.lists:
        if bullets.label:
            parts.append(f'<p class="label">{_e(bullets.label)}</p>')
        tag = "ol" if bullets.ordered else "ul"
        parts.append(f"<{tag}>" + "".join(f"<li>{_e(i)}</li>" for i in bullets.items) + f"</{tag}>")
    parts.append("</section>")
    return "\n".join(parts)


def _table(table: Table) -> str:
    head = f"<h2>{_e(table.title)}</h2>"
    if not table.rows:
        return f'<section class="table">{head}<p>{_e(table.empty)}</p></section>'
    cols = ""
    if table.widths:
        total = sum(table.widths)
        cols = (
            "<colgroup>"
            + "".join(f'<col style="width:{100 * w / total:.1f}%">' for w in table.widths)
            + "</colgroup>"
        )
    rows = "".join(
        ('<tr class="strong">' if index in table.strong else "<tr>")
        + "".join(f"<td>{_e(cell)}</td>" for cell in row)
        + "</tr>"
        for index, row in enumerate(table.rows)
    )
    headers = "".join(f"<th>{_e(h)}</th>" for h in table.headers)
    return (
        f'<section class="table">{head}<table>{cols}<thead><tr>{headers}</tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


def report_html(report: Report) -> str:
    body = [
        f"<h1>{_e(report.title)}</h1>",
        '<div class="top">',
        _section(report.contents),
        _section(report.summary),
        "</div>",
        f'<figure class="chart"><figcaption>{_e(report.chart.title)}</figcaption>'
        f"{svg_chart(report.chart)}</figure>",
        *(_section(s) for s in report.sections),
        *(_table(t) for t in report.tables),
        "<footer>" + "".join(f"<p>{_e(line)}</p>" for line in report.footer) + "</footer>",
    ]
    return (
        f'<!DOCTYPE html>\n<html lang="{_e(report.lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(report.title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def _markdown_table(table: Table) -> str:
    head = f"## {escape(table.title)}"
    if not table.rows:
        return f"{head}\n\n{escape(table.empty)}"
    lines = [
        "| " + " | ".join(escape(h) for h in table.headers) + " |",
        "|" + "---|" * len(table.headers),
    ]
    for index, row in enumerate(table.rows):
        cells = [escape_inline(cell).replace("\n", " ") for cell in row]
        if index in table.strong:
            cells = [f"**{cell}**" for cell in cells]
        lines.append("| " + " | ".join(cells) + " |")
    return head + "\n\n" + "\n".join(lines)


def report_markdown(report: Report, width: int = 72) -> str:
    chart = text_chart(report.chart, width, color=False)
    fence = f"**{escape(report.chart.title)}**\n\n```text\n{chart.rstrip()}\n```" if chart else ""
    parts = [
        f"# {escape(report.title)}",
        render_markdown(Document(sections=(report.contents, report.summary))).rstrip(),
        fence,
        render_markdown(Document(sections=report.sections)).rstrip() if report.sections else "",
        *(_markdown_table(t) for t in report.tables),
        render_markdown(Document(sections=(), footer=report.footer)).rstrip(),
    ]
    return "\n\n".join(part for part in parts if part) + "\n"
