"""reports/index.html and report.html in headless Chromium (Debian's ``chromium``).

Real reports are rendered (a published series, the hostile corpus tests/data/hostile_posts.csv
under a hostile file name and category name, and a run that fails on a hostile category), then
every page is opened over file:// and must show no console error or failed request, load every
image, keep text from the data as text (no script of it runs: ``window.__pwned`` stays unset),
and the index must sort and filter.
"""

import csv
import html
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from negtrend.report import index_page
from test_index_page import HOSTILE, parse, sample_reports

pytestmark = pytest.mark.slow

try:
    from playwright import sync_api
except ImportError:  # the browser tests skip; the checks of the HTML source still run
    sync_api = None


def chromium_path() -> Path | None:
    for candidate in (os.environ.get("NEGTREND_CHROMIUM"), "/usr/bin/chromium",
                      shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


CHROMIUM = chromium_path()
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update",
               "--disable-sync"]
CORPUS = Path(__file__).parent / "data" / "hostile_posts.csv"
HOSTILE_FILE = 'posts"><img src=x onerror=window.__pwned=1>.csv'
HOSTILE_CATEGORY = '<img src=x onerror="window.__pwned=1">hoaks'
FAILING_CATEGORY = "<script>window.__pwned=1</script>"

# Markup of any of these, built by the browser, means text from the data became markup.
INERT_CHECK = """() => {
  const found = [];
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (attr.name.startsWith("on")) { found.push(el.tagName + "[" + attr.name + "]"); }
      if (/^\\s*javascript:/i.test(attr.value)) { found.push(el.tagName + " javascript:"); }
    }
  }
  for (const el of document.querySelectorAll("iframe, object, embed, frame, form, base")) {
    found.push(el.tagName);
  }
  return found;
}"""
IMAGES = """() => Array.from(document.images).map(
  img => ({src: img.src.slice(0, 60), loaded: img.complete && img.naturalWidth > 0}))"""
PWNED = "() => [typeof window.__pwned, typeof window.parent.__pwned]"


def cli():
    script = Path(sys.executable).with_name("negtrend")
    return [str(script)] if script.exists() else [sys.executable, "-m", "negtrend.cli"]


def failing_counts(root: Path) -> Path:
    """Counts of FAILING_CATEGORY from the 1990s: a report on Pemilu 2019 finds no row in its
    analysis span, which only the run itself can tell."""
    path = root / "counts_1990s.csv"
    months = [f"1995-{m:02d}" for m in range(1, 13)]
    rows = [f"{m}-01,{m}-28,\"{FAILING_CATEGORY}\",{10 + i}" for i, m in enumerate(months)]
    path.write_text("period_start,period_end,category,count\n" + "\n".join(rows) + "\n",
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    """Three real runs, side by side (each its own kernel), then the index."""
    root = tmp_path_factory.mktemp("browser")
    reports = root / "reports"
    data = root / HOSTILE_FILE
    shutil.copyfile(CORPUS, data)
    common = ["--reports-dir", str(reports)]
    jobs = {
        "published": ["report", "--data", "published:kominfo_ais_hoax_monthly",
                      "--election", "pemilu2019", "--freq", "M", *common],
        "hostile": ["report", "--data", str(data), "--election", "pilkada2020", "--freq", "W",
                    "-p", "labels=" + json.dumps({HOSTILE_CATEGORY: "hoaks"}), *common],
        # passes every check made before the kernel, fails inside it: no row in the span
        "failed": ["report", "--data", str(failing_counts(root)), "--election", "pemilu2019",
                   "--category", FAILING_CATEGORY, *common],
    }
    procs = {name: subprocess.Popen(cli() + args, cwd=root, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
             for name, args in jobs.items()}
    folders = {}
    for name, proc in procs.items():
        out, err = proc.communicate(timeout=600)
        assert proc.returncode == (1 if name == "failed" else 0), f"{name}: {out}\n{err}"
        folders[name] = Path(out.strip().splitlines()[-1]).parent
    index = index_page.write_index(reports)
    return {"index": index, **folders}


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory):
    """Eight rows without notebooks: numbers that sort wrongly as text, a failed run."""
    reports = tmp_path_factory.mktemp("sample")
    sample_reports(reports)
    return index_page.write_index(reports)


@pytest.fixture(scope="module")
def browser():
    if sync_api is None:
        pytest.skip("playwright is not installed (pip install -e '.[dev]')")
    if CHROMIUM is None:
        pytest.skip("no chromium binary (/usr/bin/chromium; `apt-get install chromium`, which "
                    ".ci/run does when it runs as root)")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield instance
        instance.close()


class Opened:
    """A page with every console error, page error and failed request it produced."""

    def __init__(self, browser, path: Path, javascript: bool = True):
        self.context = browser.new_context(java_script_enabled=javascript)
        self.page = self.context.new_page()
        self.problems = []
        self.page.on("console", lambda m: self.problems.append(f"console.{m.type}: {m.text}")
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        self.page.on("requestfailed",
                     lambda r: self.problems.append(f"requestfailed: {r.url[:100]}"))
        self.page.goto(path.as_uri(), wait_until="load")
        self.page.wait_for_timeout(200)  # late errors (deferred scripts, image decoding)

    def close(self):
        self.context.close()

    def assert_clean(self):
        assert self.problems == []
        assert self.page.evaluate(PWNED) == ["undefined", "undefined"]
        assert self.page.evaluate(INERT_CHECK) == []
        images = self.page.evaluate(IMAGES)
        assert [i for i in images if not i["loaded"]] == []
        return images

    def text(self) -> str:
        return self.page.inner_text("body")


@pytest.fixture
def opened(browser):
    pages = []

    def open_(path, javascript=True):
        pages.append(Opened(browser, path, javascript))
        return pages[-1]

    yield open_
    for page in pages:
        page.close()


def column(page, index, numeric):
    """The visible rows' values in one column, in their current order."""
    return page.evaluate(
        """([index, numeric]) => Array.from(document.querySelectorAll("#runs tbody tr"))
             .filter(row => !row.hidden).map(row => {
               const cell = row.cells[index];
               if (!numeric) { return cell.textContent.trim(); }
               const value = cell.getAttribute("data-value");
               return value === null ? null : parseFloat(value);
             })""", [index, numeric])


def header(page, name):
    return page.locator("#runs thead th", has_text=name).first


def sort(page, name):
    """Click the column heading (the script makes it a button filling the cell)."""
    header(page, name).locator("button").click()


def heading_index(name):
    from negtrend.report.index_page import COLUMNS

    return [c[0] for c in COLUMNS].index(name)


# --- the checks can fail -----------------------------------------------------------------------


def test_the_checks_catch_markup_that_runs(opened, tmp_path):
    """Without escaping, the same strings run: the assertions below are not vacuous."""
    page_path = tmp_path / "unsafe.html"
    page_path.write_text("<!DOCTYPE html><body><p>" + "".join(HOSTILE) + "</p></body>",
                         encoding="utf-8")
    unsafe = opened(page_path)
    assert unsafe.page.evaluate(PWNED)[0] == "number"
    assert unsafe.page.evaluate(INERT_CHECK)
    assert [i for i in unsafe.page.evaluate(IMAGES) if not i["loaded"]]


# --- the index of real runs ----------------------------------------------------------------


def test_index_of_real_runs_loads_cleanly_and_shows_hostile_text_as_text(rendered, opened):
    index = opened(rendered["index"])
    index.assert_clean()
    assert index.page.evaluate("document.scripts.length") == 1  # its own sort/filter script
    rows = index.page.locator("#runs tbody tr")
    assert rows.count() == 3
    categories = column(index.page, heading_index("Category"), False)
    assert HOSTILE_CATEGORY in categories
    assert FAILING_CATEGORY in categories  # the failed run's requested category
    sources = column(index.page, heading_index("Data source"), False)
    assert HOSTILE_FILE in sources and "published:kominfo_ais_hoax_monthly" in sources
    notes = column(index.page, heading_index("Note"), False)
    [error] = [n for n in notes if n.startswith("SeriesError")]
    assert FAILING_CATEGORY in error and "analysis span" in error
    statuses = column(index.page, heading_index("Status"), False)
    assert sorted(statuses) == ["failed", "ok", "ok"]
    verdicts = column(index.page, heading_index("Verdict"), False)
    assert "higher" in verdicts
    assert index.page.is_visible("#controls")
    text = index.text()
    assert HOSTILE_CATEGORY in text and HOSTILE_FILE in text


ROW_FINDINGS = """() => Array.from(document.querySelectorAll("#runs tbody tr")).map(row => {
  const img = row.querySelector("td.thumb img");
  const cell = row.querySelector("td.finding");
  const box = img && img.getBoundingClientRect();
  return {status: row.getAttribute("data-status"), text: cell.innerText.trim(),
          visible: cell.checkVisibility() && cell.getBoundingClientRect().height > 0,
          image: img && {loaded: img.complete && img.naturalWidth > 0, width: img.naturalWidth,
                         height: img.naturalHeight, alt: img.alt, shown: [box.width, box.height],
                         src: img.getAttribute("src")}};
})"""


def test_index_shows_each_runs_finding_beside_its_thumbnail(rendered, opened):
    """Each finished trend report's row: its thumbnail loads under the page's policy and its
    finding (the headline of metrics.json's finding) is visible text; the failed run's cells
    are empty."""
    index = opened(rendered["index"])
    index.assert_clean()
    rows = index.page.evaluate(ROW_FINDINGS)
    assert sorted(r["status"] for r in rows) == ["failed", "ok", "ok"]
    for row in rows:
        if row["status"] != "ok":
            assert row["image"] is None and row["text"] == ""
            continue
        folder = rendered["index"].parent / row["image"]["src"].split("/")[0]
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        assert row["text"] == metrics["finding"][0] and row["visible"]
        assert row["image"]["loaded"] and (row["image"]["width"], row["image"]["height"]) == (
            240, 90) and row["image"]["shown"] == [240, 90]
        assert row["image"]["alt"] == index_page.THUMBNAIL_ALT
    texts = [r["text"] for r in rows]
    assert any(t.startswith("hoax_all_categories: higher during the campaign") for t in texts)
    assert any(t.startswith(HOSTILE_CATEGORY + ": ") for t in texts)  # as text, not markup


def test_sample_thumbnails_load_and_hostile_findings_stay_text(sample_index, opened):
    index = opened(sample_index)
    index.assert_clean()
    rows = index.page.evaluate(ROW_FINDINGS)
    loaded = [r["image"]["src"] for r in rows if r["image"] and r["image"]["loaded"]]
    assert len(loaded) == 4 and len([r for r in rows if r["image"]]) == 4
    hostile = [r for r in rows if r["text"].startswith("Klaim <img")]
    assert len(hostile) == 2 and all(r["visible"] for r in hostile)
    assert index.page.evaluate(PWNED) == ["undefined", "undefined"]


def test_index_links_open_each_report(rendered, opened):
    index = opened(rendered["index"])
    hrefs = index.page.eval_on_selector_all("#runs a", "links => links.map(a => a.href)")
    expected = {rendered[name].joinpath("report.html").resolve().as_uri()
                for name in ("published", "hostile", "failed")}
    assert set(hrefs) == expected
    with index.page.expect_navigation():
        index.page.locator("#runs tbody tr[data-status=ok]", has_text="kominfo").locator(
            "a").click()
    assert index.page.url == rendered["published"].joinpath("report.html").resolve().as_uri()
    assert "Negative-content trend" in index.page.title() or index.page.locator("h1").count()
    assert index.problems == []


def test_index_sorts_real_runs_by_estimate(rendered, opened):
    page = opened(rendered["index"]).page
    estimate = heading_index("Estimate")
    sort(page, "Estimate")
    values = column(page, estimate, True)
    numbers = [v for v in values if v is not None]
    assert len(numbers) == 2 and values == sorted(numbers) + [None]
    sort(page, "Estimate")
    assert column(page, estimate, True) == sorted(numbers, reverse=True) + [None]


# --- sorting and filtering, on an index with more rows --------------------------------------


def test_numeric_columns_sort_as_numbers_both_ways(sample_index, opened):
    index = opened(sample_index)
    index.assert_clean()
    page = index.page
    for name in ("Estimate", "Interval"):
        position = heading_index(name)
        numbers = [v for v in column(page, position, True) if v is not None]
        blanks = len(column(page, position, True)) - len(numbers)
        assert blanks == 2  # the not-estimable ratio and the failed run
        sort(page, name)
        assert header(page, name).get_attribute("aria-sort") == "ascending"
        assert column(page, position, True) == sorted(numbers) + [None] * blanks
        sort(page, name)
        assert header(page, name).get_attribute("aria-sort") == "descending"
        assert column(page, position, True) == sorted(numbers, reverse=True) + [None] * blanks
    values = sorted(v for v in column(page, heading_index("Estimate"), True) if v is not None)
    assert values == [0.5, 1.25, 2.0, 3.0, 9.5, 100.0]  # 100 after 9.5: not text order
    # only the column sorted last carries aria-sort
    assert header(page, "Estimate").get_attribute("aria-sort") is None
    assert index.problems == []


def test_text_columns_sort_as_text_both_ways(sample_index, opened):
    page = opened(sample_index).page
    position = heading_index("Election")
    before = column(page, position, False)
    sort(page, "Election")
    assert column(page, position, False) == sorted(before)
    sort(page, "Election")
    assert column(page, position, False) == sorted(before, reverse=True)
    assert page.locator("#runs th[aria-sort]").count() == 1


def test_filter_hides_rows_that_do_not_match(sample_index, opened):
    index = opened(sample_index)
    page = index.page
    total = page.locator("#runs tbody tr").count()
    assert total == 8
    assert page.inner_text("#shown") == "8 of 8 rows shown"
    page.fill("#filter", "pilkada")
    elections = column(page, heading_index("Election"), False)
    assert elections and all(e.startswith("pilkada") for e in elections) and len(elections) == 3
    assert page.inner_text("#shown") == "3 of 8 rows shown"
    page.fill("#filter", "pilkada hoax")  # every word must match
    assert column(page, heading_index("Category"), False) == ["hoax"]
    page.fill("#filter", "<script>")  # typed markup is matched as text
    assert len(column(page, 0, False)) == 2
    page.fill("#filter", "")
    page.select_option("#status-filter", "failed")
    assert column(page, heading_index("Status"), False) == ["failed"]
    page.select_option("#status-filter", "")
    page.select_option("#verdict-filter", "lower")
    assert column(page, heading_index("Verdict"), False) == ["lower"]
    page.select_option("#verdict-filter", "")
    assert len(column(page, 0, False)) == total
    assert page.evaluate(PWNED) == ["undefined", "undefined"]
    assert index.problems == []


def test_index_without_javascript_is_a_full_static_table(sample_index, opened):
    index = opened(sample_index, javascript=False)
    assert index.page.locator("#runs tbody tr").count() == 8
    assert not index.page.is_visible("#controls")
    assert index.problems == []


# --- the reports -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["published", "hostile", "failed"])
def test_report_loads_cleanly_without_any_script(rendered, opened, name):
    report = opened(rendered[name] / "report.html")
    images = report.assert_clean()
    page = report.page
    assert page.evaluate("document.scripts.length") == 0  # nothing fetched, nothing run
    body = page.evaluate("""() => [getComputedStyle(document.body).display,
                                   document.body.getBoundingClientRect().height]""")
    assert body[0] != "none" and body[1] > 200  # hostile <style> did not hide the page
    text = report.text()
    if name == "failed":
        assert "SeriesError" in text and FAILING_CATEGORY in text
    else:
        assert len(images) >= 1  # the trend figure


def hostile_items():
    return sorted({row["text"] for row in csv.DictReader(CORPUS.open(encoding="utf-8"))
                   if "<" in row["text"] or "'" in row["text"]})


def test_hostile_report_shows_the_hostile_strings_as_text(rendered, opened):
    report = opened(rendered["hostile"] / "report.html")
    report.assert_clean()
    text = report.text()
    assert HOSTILE_FILE in text  # the heading names the data file
    assert HOSTILE_CATEGORY in text  # the result sentences and tables name the category
    # Wherever the report quotes a corpus item (example items per category and phase), it
    # reads verbatim, markup and all: each item ends in plain words, so a quoted item whose
    # ending is on the page must be there whole, as text.
    items = hostile_items()
    assert not [i for i in items if sum(i[-12:] in other for other in items) > 1]
    for item in items:
        if item[-12:] in text:
            assert item in text


def test_hostile_report_and_index_sources_hold_only_escaped_text(rendered):
    """Without a browser too: no corpus string reaches the HTML source unescaped."""
    metrics = json.loads((rendered["hostile"] / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["comparisons"][0]["category"] == HOSTILE_CATEGORY
    corpus_items = {item for item in hostile_items() if "<" in item}
    assert len(corpus_items) >= 8
    for name in ("hostile", "failed"):
        source = (rendered[name] / "report.html").read_text(encoding="utf-8")
        parsed = parse(source)
        assert "script" not in {tag for tag, _ in parsed.tags}
        assert not [(tag, attr) for tag, attrs in parsed.tags for attr in attrs
                    if attr.startswith("on")]
        [policy] = [a["content"] for tag, a in parsed.tags
                    if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
        assert "script-src 'none'" in policy
        for item in corpus_items | {HOSTILE_CATEGORY, HOSTILE_FILE, FAILING_CATEGORY}:
            assert item not in source
    source = rendered["index"].read_text(encoding="utf-8")
    for item in (HOSTILE_CATEGORY, HOSTILE_FILE, FAILING_CATEGORY):
        assert item not in source and html.escape(item) in source


REPORTS_TO_CHECK = os.environ.get("NEGTREND_CHECK_REPORTS")
PAGES_TO_CHECK = (sorted(Path(REPORTS_TO_CHECK).glob("*/report.html"))
                  + [Path(REPORTS_TO_CHECK) / "index.html"]) if REPORTS_TO_CHECK else []


@pytest.mark.skipif(not REPORTS_TO_CHECK, reason="set NEGTREND_CHECK_REPORTS=reports (make "
                    "check-pages) to check every page of a reports folder")
@pytest.mark.parametrize("page", PAGES_TO_CHECK, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_page_of_a_reports_folder_loads_cleanly(opened, page):
    """`make demo && make check-pages`: no console errors, every image loads, nothing runs."""
    images = opened(page).assert_clean()
    if page.name == "report.html":
        assert images, "a report without a single figure"
