"""``reports/index.html``: one row per run and category, sortable and filterable offline.

The page is static HTML (every value escaped, readable without JavaScript) plus a small inline
script that sorts on a click on a column header and filters rows by text, status and verdict.
Nothing is loaded from elsewhere, so it works from ``file://``. A content security policy lets
only that script (by its hash) run, so text from a corpus that reached a cell, such as a category
name, a data path or an error message, is shown as text and can never run as markup. The only
links point at each run's own ``report.html`` and its trend thumbnail
(``figures/thumbnail.png``), built from the folder name, never from data; images load only from
the page's own origin.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import math
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from negtrend.data import paths
from negtrend.data.paths import source_label  # the full value stays in the cell's tooltip
from negtrend.report import lang as languages
from negtrend.report.html import escape

PRIMARY_WINDOW = "campaign"
STALE_AFTER = dt.timedelta(hours=24)  # a "running" record older than this, whatever its pid
OLD_MARK = ".old-"  # a replaced run folder on its way out (run.runner.publish)
THUMBNAIL = "figures/thumbnail.png"  # a trend report's trend at a glance (run.pipeline)
THUMBNAIL_ALT = "trend of the primary measure, election windows shaded"


def process_gone(pid: int) -> bool:
    """True when no process has this id (on this machine); False when one has, or when it
    cannot be told (Windows, where signal 0 would not be a no-op)."""
    if os.name == "nt":
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # PermissionError: it exists, as another user's process
        return False
    return False


def _started(record: dict) -> dt.datetime | None:
    try:
        started = dt.datetime.fromisoformat(str(record.get("started")))
    except ValueError:
        return None
    return started if started.tzinfo else started.replace(tzinfo=dt.timezone.utc)


def stale_reason(record: dict, now: dt.datetime | None = None) -> str | None:
    """Why a record that says ``running`` is not running any more (its process on this
    machine is gone, or it started over ``STALE_AFTER`` ago), or None while it may be."""
    if record.get("status") != "running":
        return None
    pid = record.get("pid")
    if (isinstance(pid, int) and record.get("host") == socket.gethostname()
            and process_gone(pid)):
        return f"interrupted: its process ({pid}) is no longer running"
    started = _started(record)
    now = now or dt.datetime.now(dt.timezone.utc)
    if started is None or now - started > STALE_AFTER:
        return f"interrupted: still 'running' more than {STALE_AFTER} after it started"
    return None


def read_record(record_path: Path) -> dict:
    """A run.json as a dict; unreadable is ``failed``, and a stale ``running`` (the run was
    stopped, or its process died) is shown as ``interrupted``."""
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        if not isinstance(record, dict):
            raise ValueError("run.json does not hold an object")
    except (OSError, ValueError) as exc:
        return {"status": "failed", "error": f"unreadable run.json: {exc}"}
    reason = stale_reason(record)
    if reason:
        record.update(status="interrupted", error=reason)
    return record


def load_runs(reports_dir: str | Path | None = None) -> list[dict]:
    """Every run record under the reports folder, with its metrics when present: finished
    runs, and runs still working (or stopped) in their hidden work folders.

    A record that cannot be read still gives an entry (status ``failed``) rather than hiding the
    run or stopping the index.
    """
    folder = paths.reports_dir(reports_dir)
    runs = []
    for record_path in sorted(folder.glob("*/run.json")):
        if OLD_MARK in record_path.parent.name:
            continue
        record = read_record(record_path)
        metrics_path = record_path.parent / "metrics.json"
        try:
            metrics = (json.loads(metrics_path.read_text(encoding="utf-8"))
                       if metrics_path.exists() else {})
        except (OSError, ValueError):
            metrics = {}
        record["metrics"] = metrics if isinstance(metrics, dict) else {}
        record["folder"] = record_path.parent.name
        record["has_report"] = (record_path.parent / "report.html").is_file()
        record["has_thumbnail"] = (record_path.parent / THUMBNAIL).is_file()
        runs.append(record)
    return runs


@dataclass(frozen=True)
class Row:
    """One line of the index: a run's headline result for one category."""

    folder: str
    kind: str
    election: str
    category: str
    data: str
    freq: str
    comparison: str
    estimate: float | None
    ci_low: float | None
    ci_high: float | None
    level: float | None
    verdict: str
    status: str
    note: str
    finished: str
    has_report: bool
    finding: str = ""  # the report's headline sentence (metrics.json finding), in finding_lang
    finding_lang: str = ""
    has_thumbnail: bool = False

    @property
    def link(self) -> str:
        """Relative, and built from the folder name alone: never a value from the data."""
        return quote(self.folder, safe="") + "/report.html"

    @property
    def thumbnail(self) -> str:
        """The run's trend thumbnail, relative and built from the folder name like ``link``."""
        return quote(self.folder, safe="") + "/" + THUMBNAIL


def _number(value) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _first_line(text) -> str:
    lines = str(text or "").strip().splitlines()
    return lines[0] if lines else ""


def headline_finding(metrics: dict) -> tuple[str, str]:
    """The first sentence of a trend report's finding (its claim's verdict when it checked
    one, else its first category's result) and the language it is in; ("", "") for a run
    without one (older runs, explorations, cross-election pages)."""
    found = metrics.get("finding")
    if not isinstance(found, list) or not found or not isinstance(found[0], str):
        return "", ""
    lang = metrics.get("lang")
    return found[0], lang if lang in languages.available() else ""


def headlines(metrics: dict) -> list[dict]:
    """Per compared category: the campaign-vs-baseline ratio of its primary measure."""
    out = []
    for comparison in metrics.get("comparisons") or []:
        if not isinstance(comparison, dict):
            continue
        measure = comparison.get("primary_measure")
        row = next((r for r in comparison.get("ratios") or []
                    if isinstance(r, dict) and r.get("window") == PRIMARY_WINDOW
                    and r.get("measure") == measure), None)
        baseline = (row or {}).get("baseline") or comparison.get("baseline") or "baseline"
        alpha = _number(comparison.get("alpha"))
        item = {
            "category": str(comparison.get("category", "")),
            "comparison": f"{str(measure or '').replace('_', ' ')}: "
                          f"{PRIMARY_WINDOW} vs {baseline}",
            "estimate": None, "ci_low": None, "ci_high": None,
            "level": None if alpha is None else 1 - alpha,
            "verdict": "", "note": "",
        }
        if row is None:
            item["note"] = f"no {PRIMARY_WINDOW} comparison"
        elif not row.get("estimable", True):
            item.update(verdict="not estimable", note=_first_line(row.get("note")))
        else:
            item.update(estimate=_number(row.get("estimate")), ci_low=_number(row.get("ci_low")),
                        ci_high=_number(row.get("ci_high")), verdict=str(row.get("verdict", "")),
                        note=_first_line(row.get("note")))
        out.append(item)
    return out


def rows(runs: list[dict]) -> list[Row]:
    """One row per run and compared category; a failed or unfinished run gets one row."""
    out = []
    for run in runs:
        params = run.get("parameters") if isinstance(run.get("parameters"), dict) else {}
        status = str(run.get("status") or "unknown")
        kind = run_kind(run, params)
        base = {
            "folder": run["folder"],
            "kind": kind,
            "election": str(params.get("election") or ""),
            "data": str(params.get("data") or ""),
            "freq": str(params.get("freq") or ""),
            "status": status,
            "finished": str(run.get("finished") or run.get("started") or ""),
            "has_report": bool(run.get("has_report", True)),
        }
        if status == "ok":  # a failed run's metrics.json may be an earlier run's
            base["finding"], base["finding_lang"] = headline_finding(run["metrics"])
            base["has_thumbnail"] = bool(run.get("has_thumbnail"))
        found = headlines(run["metrics"]) if status == "ok" else []
        if not found:
            requested = params.get("categories") or []
            if status in ("failed", "interrupted"):
                note = _first_line(run.get("error")) or status
            elif status == "ok":
                note = KIND_NOTES.get(kind.split(" (")[0], "no comparisons in metrics.json")
            else:
                note = f"run {status}"
            found = [{"category": ", ".join(map(str, requested)) if isinstance(
                requested, list) else str(requested), "comparison": "", "estimate": None,
                "ci_low": None, "ci_high": None, "level": None, "verdict": "", "note": note}]
        for item in found:
            out.append(Row(**base, **item))
    return out


KIND_NOTES = {
    "explore": "the workbench: trends, examples and two elections side by side",
    "cross-election": "forest plot of the earlier runs' ratios",
}


def run_kind(run: dict, params: dict) -> str:
    """Which template made the run ("trend report", "explore", ...), and its language."""
    stem = Path(str(run.get("template") or "trend_report")).stem.replace("_", " ")
    kind = {"trend report": "trend report", "cross election": "cross-election"}.get(stem, stem)
    lang = params.get("lang")
    return f"{kind} ({lang})" if lang and lang != "en" else kind


def _esc(value) -> str:
    return escape(value)


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _interval(row: Row) -> str:
    if row.ci_low is None or row.ci_high is None:
        return ""
    level = "" if row.level is None else f" ({row.level * 100:g}%)"
    return f"{_fmt(row.ci_low)}–{_fmt(row.ci_high)}{level}"


# (heading, type, tooltip)
COLUMNS = [
    ("Kind", "text", "which template made the run, and its language when not English"),
    ("Election", "text", "election id"),
    ("Category", "text", "compared category"),
    ("Data source", "text", "published series or data file (full path on hover)"),
    ("Freq", "text", "period of the series"),
    ("Comparison", "text", "primary measure and the windows compared"),
    ("Estimate", "number", "rate ratio of the campaign against the baseline"),
    ("Interval", "number", "confidence interval of the ratio (sorts by its lower end)"),
    ("Verdict", "text", "higher, lower or inconclusive at the report's confidence level"),
    ("Trend", "text", "the primary measure by period, election windows shaded"),
    ("Finding", "text", "the report's headline: the claim's verdict when it checked one, else "
     "its first category's result (in the report's language)"),
    ("Status", "text", "ok, failed, running, or interrupted (stopped before it finished)"),
    ("Note", "text", "the error's first line for a failed run, else the comparison's note"),
    ("Finished", "text", "when the run finished (UTC)"),
    ("Report", "text", "the run's report"),
]


def _row_html(row: Row) -> str:
    def value(number: float | None) -> str:
        return "" if number is None else f' data-value="{number!r}"'

    report = (f'<a href="{_esc(row.link)}">report</a>' if row.has_report else "")
    thumbnail = (f'<img src="{_esc(row.thumbnail)}" alt="{_esc(THUMBNAIL_ALT)}" width="240" '
                 'height="90">' if row.has_thumbnail else "")
    lang = f' lang="{_esc(row.finding_lang)}"' if row.finding and row.finding_lang else ""
    cells = [
        f"<td>{_esc(row.kind)}</td>",
        f"<td>{_esc(row.election)}</td>",
        f"<td>{_esc(row.category)}</td>",
        f'<td title="{_esc(row.data)}">{_esc(source_label(row.data))}</td>',
        f"<td>{_esc(row.freq)}</td>",
        f"<td>{_esc(row.comparison)}</td>",
        f'<td class="num"{value(row.estimate)}>{_fmt(row.estimate)}</td>',
        f'<td class="num"{value(row.ci_low)}>{_esc(_interval(row))}</td>',
        f"<td>{_esc(row.verdict)}</td>",
        f'<td class="thumb">{thumbnail}</td>',
        f'<td class="finding"{lang}>{_esc(row.finding)}</td>',
        f'<td class="status-{_esc(row.status)}">{_esc(row.status)}</td>',
        f"<td>{_esc(row.note)}</td>",
        f"<td>{_esc(row.finished)}</td>",
        f"<td>{report}</td>",
    ]
    return (f'<tr data-status="{_esc(row.status)}" data-verdict="{_esc(row.verdict)}">'
            + "".join(cells) + "</tr>")


def _options(label: str, element_id: str, values: list[str]) -> str:
    options = "".join(f'<option value="{_esc(v)}">{_esc(v or "(none)")}</option>'
                      for v in sorted(set(values)))
    return (f'<label>{label} <select id="{element_id}"><option value="">all</option>'
            f"{options}</select></label>")


STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;font-size:0.92em}
td,th{border:1px solid #bbb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eee;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.thumb{padding:2px}
td.thumb img{display:block;width:240px;height:90px}
td.finding{min-width:22em;max-width:36em}
th button{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer;
  width:100%;text-align:inherit;color:inherit}
th[aria-sort=ascending] button::after{content:" \\25B2"}
th[aria-sort=descending] button::after{content:" \\25BC"}
.status-failed,.status-interrupted{color:#b00020;font-weight:bold}
#controls[hidden]{display:none}
#controls{margin:1em 0;display:flex;gap:1.5em;flex-wrap:wrap;align-items:center}
"""

SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("runs");
  var body = table.tBodies[0];
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var filter = document.getElementById("filter");
  var statusSelect = document.getElementById("status-filter");
  var verdictSelect = document.getElementById("verdict-filter");
  var shown = document.getElementById("shown");

  function key(row, index, numeric) {
    var cell = row.cells[index];
    if (numeric) {
      var number = parseFloat(cell.getAttribute("data-value"));
      return isNaN(number) ? null : number;
    }
    var text = cell.textContent.trim();
    return text === "" ? null : text;
  }

  function compare(x, y, numeric) {
    if (numeric) { return x < y ? -1 : (x > y ? 1 : 0); }
    return x.localeCompare(y, undefined, {numeric: true, sensitivity: "base"});
  }

  function sortBy(index) {
    var header = headers[index];
    var numeric = header.getAttribute("data-type") === "number";
    var direction = header.getAttribute("aria-sort") === "ascending"
      ? "descending" : "ascending";
    var sign = direction === "ascending" ? 1 : -1;
    var rows = Array.prototype.slice.call(body.rows).map(function (row, position) {
      return {row: row, position: position, key: key(row, index, numeric)};
    });
    rows.sort(function (a, b) {
      if (a.key === null || b.key === null) {  // empty cells last in either direction
        return (a.key === null) - (b.key === null) || a.position - b.position;
      }
      return sign * compare(a.key, b.key, numeric) || a.position - b.position;
    });
    rows.forEach(function (item) { body.appendChild(item.row); });
    headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", direction);
  }

  function applyFilter() {
    var terms = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var status = statusSelect.value;
    var verdict = verdictSelect.value;
    var count = 0;
    Array.prototype.forEach.call(body.rows, function (row) {
      var text = row.textContent.toLowerCase();
      var keep = terms.every(function (term) { return text.indexOf(term) !== -1; })
        && (status === "" || row.getAttribute("data-status") === status)
        && (verdict === "" || row.getAttribute("data-verdict") === verdict);
      row.hidden = !keep;
      if (keep) { count += 1; }
    });
    shown.textContent = count + " of " + body.rows.length + " rows shown";
  }

  headers.forEach(function (header, index) {
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = header.textContent;
    button.addEventListener("click", function () { sortBy(index); });
    header.textContent = "";
    header.appendChild(button);
  });
  filter.addEventListener("input", applyFilter);
  statusSelect.addEventListener("change", applyFilter);
  verdictSelect.addEventListener("change", applyFilter);
  document.getElementById("controls").hidden = false;
  applyFilter();
}());
"""


def _hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


def content_security_policy() -> str:
    """Only the page's own script and style, and images from its own origin (the runs'
    thumbnails); nothing else fetched, no other script runs."""
    return (f"default-src 'none'; script-src {_hash(SCRIPT)}; style-src {_hash(STYLE)}; "
            "img-src 'self'; base-uri 'none'; form-action 'none'")


def render(runs: list[dict]) -> str:
    """The whole page for these run records."""
    table_rows = rows(runs)
    n_failed = len({r.folder for r in table_rows if r.status == "failed"})
    headers = "".join(
        f'<th scope="col" data-type="{kind}" title="{_esc(tip)}">{_esc(name)}</th>'
        for name, kind, tip in COLUMNS)
    body = "\n".join(_row_html(r) for r in table_rows)
    controls = (
        '<div id="controls" hidden>'
        '<label>Filter <input id="filter" type="search" size="30" '
        'placeholder="election, category, source, ..." autocomplete="off"></label>'
        + _options("Status", "status-filter", [r.status for r in table_rows])
        + _options("Verdict", "verdict-filter", [r.verdict for r in table_rows])
        + '<span id="shown" aria-live="polite"></span></div>')
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{content_security_policy()}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>negtrend reports</title>\n<style>{STYLE}</style></head>\n<body>\n"
        "<h1>negtrend reports</h1>\n"
        f"<p>{len(runs)} run(s), {n_failed} failed; {len(table_rows)} row(s), one per run and "
        f"category. Estimate: the rate ratio of the {PRIMARY_WINDOW} against the baseline "
        "window, on the report's primary measure. Click a column heading to sort.</p>\n"
        f"{controls}\n"
        f'<table id="runs"><thead><tr>{headers}</tr></thead>\n<tbody>\n{body}\n</tbody></table>\n'
        f"<script>{SCRIPT}</script>\n</body></html>\n"
    )


def write_index(reports_dir: str | Path | None = None) -> Path:
    """Write ``index.html`` in the reports folder and return its absolute path."""
    folder = paths.reports_dir(reports_dir)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "index.html"
    target.write_text(render(load_runs(folder)), encoding="utf-8")
    return target.resolve()
