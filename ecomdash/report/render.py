"""One self-contained HTML file from a :class:`Report`.

- Every piece of text goes through :func:`html.escape` (merchant text: product names, ids,
  categories, countries, the dataset name; and our own words, for simplicity).
- plotly.js is inlined once in ``<head>``; each figure is a ``<div>`` plus one
  ``Plotly.newPlot`` call whose JSON has ``<``, ``>`` and ``&`` written as ``\\u003c`` …, so
  no merchant string can close the ``<script>``.
- No URL to any other server: no CDN, no web font, no MathJax. A Content-Security-Policy
  ``default-src 'none'`` makes the browser refuse any request the page might still try.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from html import escape

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.io.json import to_json_plotly
from plotly.offline import get_plotlyjs

from ecomdash import labels as L
from ecomdash.findings import CONFIDENCE_LABELS
from ecomdash.findings.words import PAGE_TITLES, TEXT
from ecomdash.i18n import N_, _, _n, fmt, use_lang
from ecomdash.i18n.fmt import pct, pct_sign, use_currency
from ecomdash.report.model import Metric, Report, Section, Table

#: Rows of a table shown in the report (the app has the full lists and downloads).
MAX_ROWS = 50

CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'; frame-src 'none'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'"
)

#: Plotly options in the report: no logo link, no "edit in Chart Studio", no MathJax.
PLOT_CONFIG = {"displaylogo": False, "responsive": True, "showLink": False, "typesetMath": False}

CSS = """
:root { --ink:#1f2430; --muted:#5b6270; --line:#e3e6eb; --good:#1a7f37; --warn:#9a6700;
        --bad:#b42318; --info:#0b5cad; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica,
       Arial, sans-serif; color: var(--ink); background: #f6f7f9; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 60px; background: #fff; }
header h1 { margin: 0 0 4px; font-size: 26px; }
header .sub { color: var(--muted); margin: 0; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 14px 0; }
dl.meta dt { color: var(--muted); } dl.meta dd { margin: 0; }
nav.toc ol { columns: 2; margin: 8px 0 0; padding-left: 20px; }
nav.toc a { color: var(--info); text-decoration: none; }
section { border-top: 1px solid var(--line); padding-top: 14px; margin-top: 26px; }
section h2 { margin: 0 0 8px; font-size: 20px; }
p.verdict { border-left: 4px solid var(--info); background: #f1f6fd; padding: 8px 12px;
            margin: 8px 0 12px; }
p.verdict.good { border-color: var(--good); background: #eef8f0; }
p.verdict.warn { border-color: var(--warn); background: #fdf6e7; }
p.verdict.missing { border-color: var(--muted); background: #f3f4f6; }
p.verdict b { margin-right: 6px; }
.metrics { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr)); gap: 10px;
           margin: 10px 0; }
.metric { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; }
.metric .label { color: var(--muted); font-size: 13px; }
.metric .value { font-size: 20px; font-weight: 600; overflow-wrap: anywhere; }
.metric .delta { font-size: 13px; color: var(--muted); }
.metric .exact { display: none; font-size: 12px; color: var(--muted); overflow-wrap: anywhere;
                 font-variant-numeric: tabular-nums; }
.metric .delta.up { color: var(--good); } .metric .delta.down { color: var(--bad); }
.figure { width: 100%; min-height: 360px; margin: 8px 0; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 4px; font-size: 13px; }
caption { text-align: left; font-weight: 600; padding: 4px 0; }
th, td { border-bottom: 1px solid var(--line); padding: 4px 8px; text-align: left;
         vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.nb { white-space: nowrap; }
p.note { color: var(--muted); font-size: 13px; margin: 2px 0 10px; }
ol.findings { padding-left: 22px; margin: 8px 0; }
ol.findings li.finding { margin: 0 0 12px; padding: 8px 10px; border: 1px solid var(--line);
                         border-radius: 8px; }
li.finding .headline { font-weight: 600; }
li.finding .subjects { font-size: 13px; overflow-wrap: anywhere; }
li.finding .facts { font-size: 14px; margin: 4px 0 2px; }
li.finding .stake { font-weight: 600; }
li.finding .exact { display: none; color: var(--muted); font-size: 12px; }
li.finding p.note { margin: 2px 0; }
ul.unchecked .note { color: var(--muted); font-size: 13px; }
section h3 { font-size: 16px; margin: 14px 0 4px; }
footer { color: var(--muted); font-size: 13px; margin-top: 40px; }
@media print {
  body { background: #fff; } main { padding: 0; max-width: none; }
  section { break-inside: avoid-page; } .figure { break-inside: avoid; }
  nav.toc { display: none; }
  .metric .exact { display: block; } li.finding .exact { display: block; }
  li.finding { break-inside: avoid; }
}
"""


def e(text: object) -> str:
    """Escaped text (quotes too: safe in attributes as well as in element bodies)."""
    return escape("" if text is None else str(text), quote=True)


#: a signed amount ("-£10.53", "+£1.2k") or a percentage ("12.5 %", fmt.pct's no-break space
#: or a space): a browser may break a line after the minus (before the currency sign) or
#: before the " %"; kept whole in text. So is a date with its time of day as the shop writes
#: it (2010-12-07 16:43, 07/12/2010 16:43, 2010年12月07日 16:43): a narrow column broke ISO
#: dates at their hyphens ("2010-12-" above "07 16:43", the report's alerts)
_AMOUNT = re.compile(
    r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2})?|\d{1,2}[/.]\d{1,2}[/.]\d{4}(?: \d{2}:\d{2})?"
    r"|\d{4}年\d{1,2}月\d{1,2}日(?: ?\d{2}:\d{2})?"
    r"|[-+]?[£€$¥₹][\d,.]*\d[kMB万亿]?|[-+]?\d[\d,.]*[ \u00a0]%"
)


def prose(text: object) -> str:
    """Escaped body text (never an attribute: it may hold ``<span>``s) whose amounts and
    percentages never break across lines ("-" at one line's end, "£10.53" on the next was
    seen in an alert reason)."""
    return _AMOUNT.sub(lambda m: f'<span class="nb">{m.group(0)}</span>', e(text))


def _cell(v: object, fmt: str | None) -> tuple[str, bool]:
    """(text, is_number) of one table cell."""
    if v is None or v is pd.NA or v is pd.NaT:
        return "", False
    if isinstance(v, float) and math.isnan(v):
        return "", True
    if isinstance(v, pd.Timestamp | datetime):
        ts = pd.Timestamp(v)
        return (str(ts.date()) if ts == ts.normalize() else str(ts)), False
    if isinstance(v, date):
        return v.isoformat(), False
    if isinstance(v, bool | np.bool_):
        return (_("yes") if v else _("no")), False
    if isinstance(v, int | float | np.integer | np.floating):
        share = re.fullmatch(r"\{:\.(\d)%\}", fmt or "")
        if share:  # a share as the app writes it (i18n.fmt.pct): "50.0 %" (a no-break
            # space) in English, "50.0%" in Chinese, rounded half up as fmt.pct rounds
            return pct(float(v), int(share.group(1))), True
        if fmt:
            try:
                text = fmt.format(v)
            except (ValueError, TypeError):
                pass
            else:
                if fmt.endswith("%}"):  # any other share format: fmt.pct_sign's "%"
                    text = f"{text[:-1]}{pct_sign()}"
                return text, True
        if isinstance(v, int | np.integer):
            return f"{int(v):,}", True
        x = float(v)
        if abs(x) >= 1000:
            return f"{x:,.0f}", True
        return (f"{x:,.2f}" if abs(x) >= 1 else f"{x:.3g}"), True
    if isinstance(v, tuple | list | frozenset | set):
        return ", ".join(str(x) for x in v), False
    return str(v), False


def _labelled_cell(v: object, col: str, t: Table, display: L.Display) -> tuple[str, bool]:
    """A cell formatted by the label catalogue (money with the currency, shares as %,
    thousands, dates in the merchant's format, model names), unless ``t.formats`` has one."""
    fmt = t.formats.get(col)
    c = L.column(col, t.area)
    if fmt is None and c.kind != "text" and v is not None and v is not pd.NA and v is not pd.NaT:
        if c.kind in ("date", "datetime") and isinstance(v, date):
            return L.format_value(v, col, display, t.area), False
        if c.kind == "model" and isinstance(v, str):
            return L.model_label(v), False
        if isinstance(v, int | float | np.integer | np.floating) and not isinstance(
            v, bool | np.bool_
        ):
            if isinstance(v, float) and math.isnan(v):
                return "", True
            return L.format_value(v, col, display, t.area), True
    return _cell(v, fmt)


def _empty_text(col: pd.Series) -> bool:
    """Whether a text column of one or more rows holds no text (missing or blank cells)."""
    if (
        not len(col)
        or pd.api.types.is_numeric_dtype(col.dtype)
        or pd.api.types.is_bool_dtype(col.dtype)
    ):
        return False
    return bool((col.isna() | col.map(lambda v: isinstance(v, str) and not v.strip())).all())


def table_html(t: Table, *, max_rows: int = MAX_ROWS, display: L.Display | None = None) -> str:
    """An escaped ``<table>``: headers, cells and caption all through :func:`e`; headers are
    the catalogue's labels of the raw column ids."""
    display = display or L.Display()
    df = t.frame
    shown = df.head(max_rows)
    # a text column with nothing in any shown row (the alerts' "Likely driver" when no alert
    # has one) only takes width from the others: left out
    shown = shown[[c for c in shown.columns if not _empty_text(shown[c])]]
    cols = [L.label(c, t.area) for c in shown.columns]
    body_rows = []
    for row in shown.itertuples(index=False, name=None):
        tds = []
        for col, v in zip(shown.columns, row, strict=True):
            text, num = _labelled_cell(v, str(col), t, display)
            tds.append(f'<td class="num">{e(text)}</td>' if num else f"<td>{prose(text)}</td>")
        body_rows.append("<tr>" + "".join(tds) + "</tr>")
    num_cols = {
        L.label(c, t.area) for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c].dtype)
    }
    head = "".join(
        f'<th class="num">{e(c)}</th>' if c in num_cols else f"<th>{e(c)}</th>" for c in cols
    )
    out = [
        f"<table><caption>{e(_(t.title))}</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body_rows)}</tbody></table>"
    ]
    notes = []
    if len(df) > max_rows:
        notes.append(
            _(
                "First {shown} of {total} rows; the app has the full list.",
                shown=f"{max_rows:,}",
                total=f"{len(df):,}",
            )
        )
    if t.note:
        notes.append(t.note)
    if notes:
        out.append(f'<p class="note">{prose(fmt.sentences(notes))}</p>')
    return "".join(out)


def script_json(obj: object) -> str:
    """JSON safe inside ``<script>``: ``<``, ``>``, ``&`` and line separators escaped."""
    text = to_json_plotly(obj)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


#: The plotly template of every report figure. A figure takes plotly's default template when
#: it is built, and that default depends on the process: "plotly" in the CLI, but "streamlit"
#: inside the app's server (importing streamlit sets it), a template with no axis automargin
#: and placeholder colours (#000001 …) that only Streamlit's front end fills in. The report's
#: static ``Plotly.newPlot`` has no such front end, so its figures get one fixed template: the
#: same report from the CLI and from the app. "plotly_white" is the one the customer-value
#: charts already choose (ecomdash/charts/value.py).
REPORT_TEMPLATE = "plotly_white"


def report_figure(fig: go.Figure) -> go.Figure:
    """A copy of ``fig`` as the report draws it: :data:`REPORT_TEMPLATE`, and automargin on
    every x and y axis (the charts keep a 10 px margin and count on it for their tick labels
    and axis titles), in the spec itself, whatever the template says."""
    from ecomdash.charts.locale import all_axes

    out = go.Figure(fig)
    out.update_layout(template=REPORT_TEMPLATE)
    for name in all_axes(out):
        out.layout[name].automargin = True
    return out


def figure_html(fig: go.Figure, div_id: str) -> str:
    from ecomdash.charts.locale import localise, plotly_config
    from ecomdash.charts.money import figure_currency

    spec = localise(report_figure(fig)).to_plotly_json()  # axes in the report's language
    data = script_json(spec.get("data", []))
    layout = script_json(spec.get("layout", {}))
    # the toolbar's tooltips too, and the currency of the figure's money formats
    config = script_json(plotly_config(config=PLOT_CONFIG, currency=figure_currency(spec)))
    # a figure of its own height gets a box of that height: the basket rules' network, 340 px
    # high, sat in the class's 360 px box with 20 px of white under it
    height = spec.get("layout", {}).get("height")
    style = f' style="min-height: {int(height)}px"' if isinstance(height, int | float) else ""
    return (
        f'<div class="figure" id="{e(div_id)}"{style}></div>'
        f'<script>Plotly.newPlot("{e(div_id)}", {data}, {layout}, {config});</script>'
    )


def _metric_html(m: Metric) -> str:
    """A tile: the compact value, the exact amount behind it on hover and, in print (no
    hover on paper or in a PDF), as a small line under the value."""
    delta = ""
    if m.delta:
        cls = "" if m.good is None else (" up" if m.good else " down")
        delta = f'<div class="delta{cls}">{e(m.delta)}</div>'
    title, exact = "", ""
    if m.exact and m.exact != m.value:
        title = f' title="{e(m.exact)}"'
        exact = f'<div class="exact">{e(m.exact)}</div>'
    return (
        f'<div class="metric"><div class="label">{e(m.label)}</div>'
        f'<div class="value"{title}>{e(m.value)}</div>{exact}{delta}</div>'
    )


TONE_WORDS = {
    "good": N_("How good:"),
    "warn": N_("How good:"),
    "info": N_("About these figures:"),
    "missing": N_("Not available:"),
}


#: where a finding's detail is, in words that read on paper or in an e-mail (the Home's
#: "Open {title} in the sidebar." names a sidebar the report file has not got)
OPEN_PAGE = N_("In ecomdash: the {title} page.")


def _finding_html(f, has_money: bool) -> str:
    """One finding of the digest, as the Home shows it: the headline (our wording), the
    products it is about (merchant text, escaped), the detail, what is at stake and how sure
    the model is (its technical figures on hover and in print), why, and the page to open."""
    out = [f'<li class="finding"><div class="headline">{prose(f.headline)}</div>']
    if f.subjects:
        out.append(f'<div class="subjects">{e(" · ".join(f.subjects))}</div>')
    if f.detail:
        out.append(f'<p class="note">{prose(f.detail)}</p>')
    facts = []
    # as the Home's tile: with amounts in the data every finding says its stake ("not sized"
    # when none can be defended); without, only those sized in units
    if f.value > 0 or has_money:
        value = f.value_text if f.value > 0 else _(TEXT["not_sized"])
        facts.append(
            f'<span class="stake">{prose(_("{label}: {value}", label=_(f.value_label), value=value))}</span>'
        )
    if f.customers is not None:
        facts.append(e(_n("{n} customer", "{n} customers", f.customers, n=f"{f.customers:,}")))
    conf = _(TEXT["confidence"], label=_(CONFIDENCE_LABELS[f.confidence]))
    title = f' title="{e(f.confidence_detail)}"' if f.confidence_detail else ""
    facts.append(f'<span class="confidence"{title}>{e(conf)}</span>')
    out.append('<div class="facts">' + " · ".join(facts) + "</div>")
    if f.confidence_detail:  # on hover above; on paper (no hover) a line of its own
        out.append(f'<div class="exact">{prose(f.confidence_detail)}</div>')
    if f.confidence_note:
        out.append(
            f'<p class="note">{prose(_(TEXT["confidence_why"], note=f.confidence_note))}</p>'
        )
    page = _(PAGE_TITLES[f.page]) if f.page in PAGE_TITLES else f.page
    out.append(f'<p class="note open">{prose(_(OPEN_PAGE, title=page))}</p></li>')
    return "".join(out)


def _digest_html(s: Section) -> list[str]:
    """The digest's findings (an ordered list) and what could not be checked."""
    parts = []
    if s.findings:
        # a stake's money in the dataset's currency, as the Home's tiles write it (£204k)
        with use_currency(s.display.symbol):
            items = "".join(_finding_html(f, s.money) for f in s.findings)
        parts.append(f'<ol class="findings">{items}</ol>')
    if s.unchecked:
        rows = "".join(
            f"<li>{prose(what)}"
            + (f'<div class="note">{prose(why)}</div>' if why else "")
            + "</li>"
            for what, why in s.unchecked
        )
        parts.append(f'<h3>{e(_(TEXT["not_checked"]))}</h3><ul class="unchecked">{rows}</ul>')
    return parts


def _verdict_label(s: Section) -> str:
    """The bold words before a section's verdict: its tone's, or its own (none for the
    digest: "About these figures:" before its introduction read as a doubled preamble)."""
    label = _(TONE_WORDS[s.tone]) if s.verdict_label is None else s.verdict_label
    return f"<b>{e(label)}</b>" if label else ""


def section_html(s: Section) -> str:
    parts = [
        f'<section id="{e(s.key)}" data-tone="{e(s.tone)}"><h2>{e(s.title)}</h2>',
        f'<p class="verdict {e(s.tone)}">{_verdict_label(s)}{prose(s.verdict)}</p>',
    ]
    parts += _digest_html(s)
    if s.metrics:
        parts.append(
            '<div class="metrics">' + "".join(_metric_html(m) for m in s.metrics) + "</div>"
        )
    parts += [f"<p>{prose(x)}</p>" for x in s.text]
    for j, fig in enumerate(s.figures):
        parts.append(figure_html(fig, f"fig-{s.key}-{j}"))
    parts += [table_html(t, display=s.display) for t in s.tables]
    parts.append("</section>")
    return "\n".join(parts)


def _filters_text(report: Report) -> list[tuple[str, str]]:
    f = report.filters
    start, end = report.period
    with use_lang(report.lang):
        rows = [
            (
                _("Dataset"),
                _(
                    "{name} (id {id}, version {version})",
                    name=report.dataset_name,
                    id=report.dataset_id,
                    version=report.version,
                ),
            ),
            (
                _("Period"),
                _(
                    "{start} to {end}",
                    start=fmt.long_date(start) if start else _("first day"),
                    end=fmt.long_date(end) if end else _("last day"),
                ),
            ),
            (
                # a dataset whose country field holds provinces filters by province
                _("Provinces") if report.provinces else _("Countries / regions"),
                fmt.join(f.countries) if f.countries else _("all"),
            ),
            (_("Categories"), fmt.join(f.categories) if f.categories else _("all")),
            (_("Created"), f"{fmt.long_date(report.created)} {report.created:%H:%M}"),
        ]
    return rows


@dataclass(frozen=True)
class Part:
    """A rendered section (what the app caches per section): key, title, tone, HTML."""

    key: str
    title: str
    tone: str
    html: str
    seconds: float = 0.0


def part(s: Section) -> Part:
    return Part(s.key, s.title, s.tone, section_html(s), s.seconds)


def render_html(report: Report) -> str:
    """The whole report as one HTML document (UTF-8 text), in the report's language."""
    with use_lang(report.lang):
        return document_html(report, [part(s) for s in report.sections])


def document_html(report: Report, parts: list[Part]) -> str:
    """The document around rendered sections (``report.sections`` is not used here), in the
    report's language."""
    with use_lang(report.lang):
        return _document_html(report, parts)


def _document_html(report: Report, parts: list[Part]) -> str:
    meta = "".join(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in _filters_text(report))
    toc = "".join(f'<li><a href="#{e(p.key)}">{e(p.title)}</a></li>' for p in parts)
    body = "\n".join(p.html for p in parts)
    missing = sum(p.tone == "missing" for p in parts)
    took = fmt.duration(report.seconds)
    if missing:
        summary = _n(
            "{n} section, {missing} without enough data; built in {took}.",
            "{n} sections, {missing} without enough data; built in {took}.",
            len(parts),
            missing=missing,
            took=took,
        )
    else:
        summary = _n(
            "{n} section; built in {took}.",
            "{n} sections; built in {took}.",
            len(parts),
            took=took,
        )
    html_lang = {"zh": "zh-CN"}.get(report.lang, report.lang)
    # two sentences: a space after "." in English, none after "。" in Chinese
    gap = "" if summary.endswith("。") else " "
    return f"""<!DOCTYPE html>
<html lang="{e(html_lang)}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="ecomdash report">
<title>{e(_("ecomdash report: {name}", name=report.dataset_name))}</title>
<style>{CSS}</style>
<script>{get_plotlyjs()}</script>
</head>
<body>
<main>
<header>
<h1>{e(report.dataset_name)}</h1>
<p class="sub">{e(_("Sales report from ecomdash. Charts are interactive: hover for values, drag to zoom, double-click to reset."))}</p>
<dl class="meta">{meta}</dl>
</header>
<nav class="toc"><b>{e(_("Contents"))}</b><ol>{toc}</ol></nav>
{body}
<footer>{e(summary)}{gap}{e(_("Each section's verdict says how its model did on this dataset's own history, or why it could not run."))}</footer>
</main>
</body>
</html>
"""
