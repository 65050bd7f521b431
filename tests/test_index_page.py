"""reports/index.html from run folders: rows, escaping, links, sort/filter page (no notebooks)."""

import base64
import datetime as dt
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
from html.parser import HTMLParser

from PIL import Image
from typer.testing import CliRunner

from negtrend.cli import app
from negtrend.report import index_page

HOSTILE = [
    "<script>window.__pwned=1</script>",
    '<img src=x onerror="window.__pwned=1">',
    '<a href="javascript:window.__pwned=1">klik</a>',
    '"><svg onload=window.__pwned=1>',
    "</td></tr></tbody></table><script>window.__pwned=1</script>",
    "<!-- unclosed comment",
]


def comparison(category, estimate, ci_low, ci_high, verdict, measure="count_per_day",
               estimable=True, note=""):
    ratio = {"window": "campaign", "measure": measure, "baseline": "before",
             "estimate": estimate, "ci_low": ci_low, "ci_high": ci_high, "verdict": verdict,
             "estimable": estimable, "note": note}
    other = {**ratio, "window": "after", "estimate": 99.0, "verdict": "higher"}
    return {"category": category, "primary_measure": measure, "alpha": 0.05,
            "baseline": "before", "ratios": [other, ratio]}


def make_run(reports, folder, *, election="pemilu2019", data="published:x", freq="M",
             status="ok", error=None, comparisons=(), categories=(), report=True,
             finished="2025-01-01T00:00:00+00:00", **extra):
    """A run folder as runner.run_report leaves it, without running anything."""
    path = reports / folder
    path.mkdir(parents=True)
    record = {"run_key": folder, "status": status, "error": error, "finished": finished,
              "parameters": {"election": election, "data": data, "freq": freq,
                             "categories": list(categories)}, **extra}
    (path / "run.json").write_text(json.dumps(record), encoding="utf-8")
    if comparisons:
        (path / "metrics.json").write_text(json.dumps({"comparisons": list(comparisons)}),
                                           encoding="utf-8")
    if report:
        (path / "report.html").write_text("<!DOCTYPE html><title>r</title><p>report</p>",
                                          encoding="utf-8")
    return path


def add_finding(path, finding, lang="en", thumbnail=True):
    """A trend report's finding in its metrics.json, and its thumbnail (a real PNG)."""
    metrics_path = path / "metrics.json"
    metrics = json.loads(metrics_path.read_text()) if metrics_path.exists() else {}
    metrics.update(finding=finding, lang=lang)
    metrics_path.write_text(json.dumps(metrics), encoding="utf-8")
    if thumbnail:
        (path / "figures").mkdir(exist_ok=True)
        Image.new("RGB", (240, 90), (240, 180, 100)).save(path / index_page.THUMBNAIL)
    return path


FINDING_2019 = ["hoax: higher during the campaign than before it — rate ratio 9.50.",
                "hate: lower during the campaign than before it — rate ratio 0.50.",
                "What the data count: published:x counts hoaxes its publisher fact-checked."]
HOSTILE_FINDING = ["Klaim " + HOSTILE[1] + HOSTILE[4], "second line"]


def sample_reports(reports):
    """Five runs: numbers that sort differently as text (100 < 9.5), two categories in one
    run, a not-estimable ratio, a failed run, and hostile text in every field it can reach;
    three runs carry a finding and a thumbnail (the failed one's are an earlier run's)."""
    add_finding(make_run(reports, "pemilu2019__a__m__1", comparisons=[
        comparison("hoax", 9.5, 2.0, 40.0, "higher"),
        comparison("hate", 0.5, 0.25, 0.9, "lower")]), FINDING_2019)
    make_run(reports, "pemilu2024__b__m__2", election="pemilu2024", comparisons=[
        comparison("hoax", 100.0, 50.0, 200.0, "higher"),
        comparison("sara", None, None, None, "", estimable=False, note="no baseline periods")])
    make_run(reports, "pilkada2024__c__w__3", election="pilkada2024", freq="W", comparisons=[
        comparison("hoax", 1.25, 0.8, 1.9, "inconclusive", measure="share")])
    add_finding(make_run(reports, "pilkada2020__hostile__w__4", election="pilkada2020",
                         data="/tmp/" + HOSTILE[3] + HOSTILE[1] + ".csv", freq="W",
                         comparisons=[comparison(HOSTILE[0], 2.0, 1.1, 3.6, "higher"),
                                      comparison(HOSTILE[4] + HOSTILE[5], 3.0, 1.5, 6.0,
                                                 "higher")]), HOSTILE_FINDING, lang="id")
    add_finding(make_run(reports, "pemilu2019__failed__m__5", status="failed",
                         categories=[HOSTILE[2]],
                         error=f"KeyError: '{HOSTILE[2]}'\nTraceback line two", comparisons=[
                             comparison("stale", 7.0, 1.0, 9.0, "higher")]),  # an earlier run's
                ["stale finding"])


class Collector(HTMLParser):
    """Every start tag with its attributes, script bodies, and the text of every <td>."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.scripts, self.cells, self.rows = [], [], [], []
        self._in, self._text = None, []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "td", "style"):
            self._in, self._text = tag, []
        if tag == "tr":
            self.rows.append([])

    def handle_endtag(self, tag):
        if tag == self._in:
            text = "".join(self._text)
            if tag == "script":
                self.scripts.append(text)
            elif tag == "td":
                self.cells.append(text)
                self.rows[-1].append(text)
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._text.append(data)


def parse(page):
    collector = Collector()
    collector.feed(page)
    return collector


def body_rows(parsed, with_kind=False):
    """Table rows (the header row has no <td>); the first cell, the run's kind, is dropped
    unless asked for, so the tests below index the other columns from 0."""
    return [row if with_kind else row[1:] for row in parsed.rows if row]


def test_one_row_per_run_and_category_with_estimate_interval_and_link(tmp_path):
    sample_reports(tmp_path)
    page = index_page.write_index(tmp_path).read_text(encoding="utf-8")
    rows = body_rows(parse(page))
    assert len(rows) == 2 + 2 + 1 + 2 + 1
    by_key = {(r[0], r[1]): r for r in rows}
    hoax2019 = by_key[("pemilu2019", "hoax")]
    assert hoax2019[2:8] + hoax2019[10:12] == [
        "published:x", "M", "count per day: campaign vs before", "9.50", "2.00–40.00 (95%)",
        "higher", "ok", ""]
    assert by_key[("pilkada2024", "hoax")][4] == "share: campaign vs before"
    sara = by_key[("pemilu2024", "sara")]
    assert sara[5:8] + sara[10:12] == ["", "", "not estimable", "ok", "no baseline periods"]
    # a failed run: one row, its error's first line, and no stale numbers from metrics.json
    [failed] = [r for r in rows if r[10] == "failed"]
    assert failed[1] == HOSTILE[2] and failed[11] == f"KeyError: '{HOSTILE[2]}'"
    assert failed[5] == failed[6] == failed[7] == failed[9] == "" and "stale" not in page
    assert "Traceback line two" not in page
    links = [a["href"] for tag, a in parse(page).tags if tag == "a"]
    assert len(links) == len(rows)
    assert set(links) == {f"{p.name}/report.html" for p in tmp_path.iterdir() if p.is_dir()}
    assert "5 run(s), 1 failed; 8 row(s)" in page


def test_numbers_carry_sort_values_and_headers_declare_types(tmp_path):
    sample_reports(tmp_path)
    parsed = parse(index_page.render(index_page.load_runs(tmp_path)))
    headers = [a for tag, a in parsed.tags if tag == "th"]
    assert [h["data-type"] for h in headers] == [kind for _, kind, _ in index_page.COLUMNS]
    assert {h["data-type"] for h in headers if h["data-type"] == "number"}
    numeric = [a for tag, a in parsed.tags if tag == "td" and a.get("class") == "num"]
    values = sorted(float(a["data-value"]) for a in numeric if "data-value" in a)
    assert 100.0 in values and 9.5 in values and 50.0 in values  # estimate and ci_low
    assert all(a.get("data-value") != "nan" for a in numeric)


def test_hostile_text_is_only_text_in_the_index(tmp_path):
    sample_reports(tmp_path)
    page = index_page.write_index(tmp_path).read_text(encoding="utf-8")
    parsed = parse(page)
    # the only markup is the page's own: no tag or event handler came from the data
    assert {tag for tag, _ in parsed.tags} <= {
        "html", "head", "meta", "title", "style", "body", "h1", "p", "div", "label", "input",
        "select", "option", "span", "table", "thead", "tbody", "tr", "th", "td", "a", "img",
        "script"}
    assert {a["src"] for tag, a in parsed.tags if tag == "img"} == {
        "pemilu2019__a__m__1/figures/thumbnail.png",
        "pilkada2020__hostile__w__4/figures/thumbnail.png"}
    assert not [(tag, name) for tag, attrs in parsed.tags for name in attrs
                if name.startswith("on")]
    assert parsed.scripts == [index_page.SCRIPT]
    assert all(not a["href"].lower().startswith("javascript")
               for tag, a in parsed.tags if tag == "a")
    # ... and each hostile string is there, verbatim, as the text of its cell
    cells = parsed.cells
    assert HOSTILE[0] in cells and HOSTILE[4] + HOSTILE[5] in cells and HOSTILE[2] in cells
    assert HOSTILE_FINDING[0] in cells
    assert f"{HOSTILE[3]}{HOSTILE[1]}.csv" in cells
    assert f"KeyError: '{HOSTILE[2]}'" in cells
    titles = [a.get("title") for tag, a in parsed.tags if tag == "td"]
    assert f"/tmp/{HOSTILE[3]}{HOSTILE[1]}.csv" in titles
    for text in HOSTILE:
        assert text not in page  # only their escaped forms are in the source
    # the filter's options carry hostile verdicts or statuses as text too
    assert "<option" in page and "onerror=\"" not in page


def test_folder_names_become_relative_encoded_links_only(tmp_path):
    make_run(tmp_path, "javascript:window.__pwned=1", comparisons=[
        comparison("hoax", 2.0, 1.0, 4.0, "higher")])
    make_run(tmp_path, "x\"><img src=x onerror=alert(1)>", comparisons=[
        comparison("hoax", 2.0, 1.0, 4.0, "higher")])
    make_run(tmp_path, "no_report", report=False, comparisons=[
        comparison("hoax", 2.0, 1.0, 4.0, "higher")])
    parsed = parse(index_page.write_index(tmp_path).read_text(encoding="utf-8"))
    links = sorted(a["href"] for tag, a in parsed.tags if tag == "a")
    assert links == ["javascript%3Awindow.__pwned%3D1/report.html",
                     "x%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E/report.html"]
    assert not [tag for tag, _ in parsed.tags if tag == "img"]


def test_content_security_policy_allows_only_the_page_script_and_style(tmp_path):
    sample_reports(tmp_path)
    page = index_page.write_index(tmp_path).read_text(encoding="utf-8")
    parsed = parse(page)
    [policy] = [a["content"] for tag, a in parsed.tags
                if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]

    def digest(text):
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    [script] = parsed.scripts
    assert f"script-src 'sha256-{digest(script)}'" in policy
    style = re.search(r"<style>(.*?)</style>", page, re.S).group(1)
    assert f"style-src 'sha256-{digest(style)}'" in policy
    assert "default-src 'none'" in policy
    # images (the runs' thumbnails) from the page's own folder tree only: no data:, no web
    [images] = [part.strip() for part in policy.split(";") if part.strip().startswith("img-src")]
    assert images == "img-src 'self'"
    # the policy precedes every script and style, so it governs them
    assert page.index("Content-Security-Policy") < page.index("<style>") < page.index("<script>")
    # no URL is ever fetched: nothing refers to http(s) or another file
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)


def test_unreadable_or_unfinished_runs_still_have_a_row(tmp_path):
    bad = tmp_path / "broken__x__m__1"
    bad.mkdir()
    (bad / "run.json").write_text("{not json", encoding="utf-8")
    (bad / "metrics.json").write_text("[1, 2]", encoding="utf-8")
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    make_run(tmp_path, ".running__y__m__2.tmp-1", status="running", finished="", started=now,
             pid=os.getpid(), host=socket.gethostname(), report=False)
    make_run(tmp_path, "okempty__z__m__3")
    rows = body_rows(parse(index_page.write_index(tmp_path).read_text(encoding="utf-8")))
    notes = {r[10]: r[11] for r in rows}
    assert notes["failed"].startswith("unreadable run.json")
    assert notes["running"] == "run running"  # its process (this one) is alive, and it is new
    assert notes["ok"] == "no comparisons in metrics.json"


def dead_pid() -> int:
    """The id of a process that has finished."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_running_record_whose_process_is_gone_or_too_old_shows_interrupted(tmp_path):
    now = dt.datetime.now(dt.timezone.utc)
    host = socket.gethostname()
    make_run(tmp_path, "dead__a__m__1", status="running", finished="", pid=dead_pid(),
             host=host, started=now.isoformat())
    make_run(tmp_path, "old__b__m__2", status="running", finished="",  # before pids were kept
             started=(now - 2 * index_page.STALE_AFTER).isoformat())
    make_run(tmp_path, "live__c__m__3", status="running", finished="", pid=os.getpid(),
             host=host, started=now.isoformat())
    make_run(tmp_path, ".gone__d__m__4.old-1", status="ok")  # a replaced folder, mid-removal
    runs = {run["folder"]: run for run in index_page.load_runs(tmp_path)}
    assert ".gone__d__m__4.old-1" not in runs
    assert runs["dead__a__m__1"]["status"] == "interrupted"
    assert "no longer running" in runs["dead__a__m__1"]["error"]
    assert runs["old__b__m__2"]["status"] == "interrupted"
    assert runs["live__c__m__3"]["status"] == "running"
    rows = body_rows(parse(index_page.write_index(tmp_path).read_text(encoding="utf-8")))
    assert sorted(r[10] for r in rows) == ["interrupted", "interrupted", "running"]
    # the record on disk is not rewritten by reading it
    record = json.loads((tmp_path / "dead__a__m__1" / "run.json").read_text(encoding="utf-8"))
    assert record["status"] == "running"


def test_kind_column_names_the_template_and_a_non_english_language(tmp_path):
    make_run(tmp_path, "report__a__m__1")
    explore = make_run(tmp_path, "explore__b__w__2")
    record = json.loads((explore / "run.json").read_text())
    record.update(template="explore.ipynb", parameters={**record["parameters"], "lang": "id"})
    (explore / "run.json").write_text(json.dumps(record))
    rows = body_rows(parse(index_page.write_index(tmp_path).read_text(encoding="utf-8")),
                     with_kind=True)
    kinds = sorted(r[0] for r in rows)
    assert kinds == ["explore (id)", "trend report"]
    [workbench] = [r for r in rows if r[0] == "explore (id)"]
    assert "workbench" in workbench[12]


def test_empty_reports_folder_and_cli(tmp_path):
    result = CliRunner().invoke(app, ["index", "--reports-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert "0 run(s), 0 failed; 0 row(s)" in page
    assert result.output.strip() == str((tmp_path / "index.html").resolve())


def test_controls_are_hidden_without_javascript_and_the_table_is_static(tmp_path):
    sample_reports(tmp_path)
    page = index_page.write_index(tmp_path).read_text(encoding="utf-8")
    assert '<div id="controls" hidden>' in page  # the script shows them
    statuses = [a.get("value") for tag, a in parse(page).tags if tag == "option"]
    assert {"ok", "failed", "higher", "lower", "inconclusive", "not estimable"} <= set(statuses)


def cells_by_class(parsed, name):
    """Per body row, the attributes of its <td class=name>, in row order."""
    return [a for tag, a in parsed.tags if tag == "td" and a.get("class") == name]


def test_each_row_shows_its_runs_finding_and_trend_thumbnail(tmp_path):
    sample_reports(tmp_path)
    # a finding without its thumbnail (deleted): the finding alone
    add_finding(make_run(tmp_path, "pemilu2024__nothumb__m__6", election="pemilu2024",
                         comparisons=[comparison("hoax", 1.1, 0.9, 1.3, "inconclusive")]),
                ["hoax: no clear change during the campaign."], thumbnail=False)
    # what has no finding: a cross-election page, and metrics.json whose finding is not text
    cross = make_run(tmp_path, "cross__x__m__7", template="cross_election.ipynb")
    (cross / "metrics.json").write_text(json.dumps({"lang": "en", "rows": []}))
    add_finding(make_run(tmp_path, "odd__y__m__8", comparisons=[
        comparison("hoax", 2.0, 1.0, 4.0, "higher")]), [{"not": "text"}],
        lang='"><script>window.__pwned=1</script>', thumbnail=False)
    page = index_page.write_index(tmp_path).read_text(encoding="utf-8")
    parsed = parse(page)
    headings = [name for name, _, _ in index_page.COLUMNS]
    trend, finding = headings.index("Trend") - 1, headings.index("Finding") - 1
    assert finding == trend + 1  # the thumbnail beside the finding
    # every row links its report: group the rows by run folder
    links = [a["href"] for tag, a in parsed.tags if tag == "a"]
    rows = body_rows(parsed)
    assert len(links) == len(rows)
    runs = {}
    for row, link in zip(rows, links, strict=True):
        runs.setdefault(link.split("/")[0], []).append(row)

    def cells(folder, index):
        return [row[index] for row in runs[folder]]

    # every row of a run carries the run's headline (its first sentence), escaped
    assert cells("pemilu2019__a__m__1", finding) == [FINDING_2019[0]] * 2
    assert cells("pilkada2020__hostile__w__4", finding) == [HOSTILE_FINDING[0]] * 2
    assert cells("pemilu2024__nothumb__m__6", finding) == [
        "hoax: no clear change during the campaign."]
    assert FINDING_2019[1] not in page and HOSTILE_FINDING[1] not in page
    # no finding: an older run, a cross-election page, a finding that is not text, and a
    # failed run (even when an earlier run left its finding and thumbnail behind)
    for folder in ("pemilu2024__b__m__2", "pilkada2024__c__w__3", "cross__x__m__7",
                   "odd__y__m__8", "pemilu2019__failed__m__5"):
        assert set(cells(folder, finding)) == set(cells(folder, trend)) == {""}, folder
    assert "stale finding" not in page
    # the thumbnail: a relative link into the run's own folder, with its alt text and size
    images = [a for tag, a in parsed.tags if tag == "img"]
    assert sorted(a["src"] for a in images) == [
        "pemilu2019__a__m__1/figures/thumbnail.png"] * 2 + [
        "pilkada2020__hostile__w__4/figures/thumbnail.png"] * 2
    assert {(a["alt"], a["width"], a["height"]) for a in images} == {
        (index_page.THUMBNAIL_ALT, "240", "90")}
    assert all((tmp_path / a["src"]).is_file() for a in images)
    assert cells("pemilu2024__nothumb__m__6", trend) == [""]
    # the finding cell says which language it is in; a language that is not one is left out
    langs = [a.get("lang") for a in cells_by_class(parsed, "finding")]
    assert langs.count("id") == 2 and langs.count("en") == 3
    assert set(langs) == {"id", "en", None}  # not the odd run's markup


def test_a_thumbnail_link_is_built_from_the_folder_name_only(tmp_path):
    add_finding(make_run(tmp_path, 'x"><img src=x onerror=alert(1)>', comparisons=[
        comparison("hoax", 2.0, 1.0, 4.0, "higher")]), ["hoax: higher."])
    parsed = parse(index_page.write_index(tmp_path).read_text(encoding="utf-8"))
    [image] = [a for tag, a in parsed.tags if tag == "img"]
    assert image["src"] == "x%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E/figures/" \
                           "thumbnail.png"
    assert not [name for name in image if name.startswith("on")]
