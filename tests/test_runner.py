"""The report command end to end: papermill runs of the trend_report template."""

import json
import re
import signal
import subprocess
import sys
import time

import pytest
from typer.testing import CliRunner

from negtrend.cli import app
from negtrend.data import paths, published
from negtrend.report import index_page
from negtrend.run import runner

pytestmark = pytest.mark.slow


def html_of(folder):
    return (folder / "report.html").read_text(encoding="utf-8")


def assert_no_code_cells(page):
    assert "import negtrend" not in page
    assert "nt.load_source" not in page
    assert "hl-ipython3" not in page  # highlighted code input


def test_unknown_parameter_fails_before_anything_runs(tmp_path):
    with pytest.raises(runner.ParameterError, match="colour"):
        runner.run_report({"data": "published:kominfo_ais_hoax_monthly", "colour": "red"},
                          reports_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
    result = CliRunner().invoke(app, ["report", "--data", "published:kominfo_ais_hoax_monthly",
                                      "--election", "pemilu2019", "-p", "colour=red",
                                      "--reports-dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "unknown parameter" in result.output
    assert list(tmp_path.iterdir()) == []


def test_run_key_is_deterministic_and_ignores_output_dir():
    params = {"data": "published:x", "election": "pemilu2019", "freq": "M"}
    assert runner.run_key("trend_report", params) == runner.run_key(
        "trend_report", {**params, "output_dir": "/elsewhere"})
    assert runner.run_key("trend_report", params) != runner.run_key(
        "trend_report", {**params, "freq": "W"})


def test_missing_kernel_is_a_clear_error(tmp_path):
    with pytest.raises(runner.KernelMissingError, match="make install"):
        runner.run_report({"data": "published:kominfo_ais_hoax_monthly"}, reports_dir=tmp_path,
                          kernel="no-such-kernel")


@pytest.fixture(scope="module")
def pemilu2019(tmp_path_factory):
    reports = tmp_path_factory.mktemp("reports")
    outcome = runner.run_report({"data": "published:kominfo_ais_hoax_monthly",
                                 "election": "pemilu2019", "freq": "M"}, reports_dir=reports)
    return outcome


def test_pemilu2019_report_finds_more_hoaxes_during_the_campaign(pemilu2019):
    assert pemilu2019.ok, pemilu2019.error
    metrics = json.loads((pemilu2019.folder / "metrics.json").read_text())
    comparison = metrics["comparisons"][0]
    assert comparison["category"] == "hoax_all_categories"
    assert comparison["primary_measure"] == "count_per_day"
    campaign = next(r for r in comparison["ratios"]
                    if r["window"] == "campaign" and r["measure"] == "count_per_day")
    # Aug-Sep 2018 (25, 27 a month) against Oct 2018-Mar 2019 (53..453): far higher
    assert campaign["ci_low"] > 1 and campaign["estimate"] > 3
    assert campaign["verdict"] == "higher"
    assert any("higher during the campaign than before it" in s
               for s in comparison["sentences"])
    # the report states these numbers: the same estimate appears in the HTML
    page = html_of(pemilu2019.folder)
    assert f"{campaign['estimate']:.2f}" in page
    # accounting is in the record: 16 rows read; Apr 2019 first release set aside as a variant
    data = metrics["data"]
    assert data["n_read"] == 16 and data["n_kept"] + data["n_quarantined"] == 16
    assert data["quarantine_reasons"] == {"other_variant": 1}


def test_report_folder_has_html_without_code_figures_and_run_record(pemilu2019):
    folder = pemilu2019.folder
    page = html_of(folder)
    assert_no_code_cells(page)
    assert re.search(r'<img[^>]+src="data:image/png;base64,', page)
    assert (folder / "figures" / "trend_count_per_day.png").stat().st_size > 5000
    assert (folder / "figures" / "trend_count_per_day.svg").exists()
    assert (folder / "executed.ipynb").exists()
    record = json.loads((folder / "run.json").read_text())
    assert record["status"] == "ok"
    assert record["parameters"]["election"] == "pemilu2019"
    source = published.published_path("kominfo_ais_hoax_monthly")
    assert record["inputs"] == [{"path": str(source), "bytes": source.stat().st_size,
                                 "sha256": runner.sha256_file(source)}]
    assert record["environment"]["packages"]["pandas"]
    assert "git_commit" in record


def test_index_links_every_run(pemilu2019):
    index = index_page.write_index(pemilu2019.folder.parent)
    page = index.read_text()
    assert f'href="{pemilu2019.run_key}/report.html"' in page
    assert "pemilu2019" in page and "higher" in page


def test_failing_notebook_keeps_html_with_the_error_and_exits_nonzero(tmp_path):
    """A file whose header passes every check but whose rows hold no usable date: only the
    run can find that out, so it fails inside the notebook and says so."""
    data = tmp_path / "no_dates.csv"
    data.write_text("text,timestamp\na,not a date\nb,nor this\n", encoding="utf-8")
    reports = tmp_path / "reports"
    result = CliRunner().invoke(app, [
        "report", "--data", str(data), "--election", "pemilu2019",
        "--reports-dir", str(reports)])
    assert result.exit_code == 1
    [folder] = [p for p in reports.iterdir() if p.is_dir()]
    assert not folder.name.startswith(".")  # a finished run, failed or not, takes its place
    record = json.loads((folder / "run.json").read_text())
    assert record["status"] == "failed" and record["error"]
    assert record["error"].split(":")[0] in html_of(folder)  # the error's name is visible
    assert (folder / "executed.ipynb").exists()


BAD_VALUES = {
    "election": (["--election", "pemilu2099"], "unknown election 'pemilu2099'"),
    "freq": (["--freq", "Y"], "freq must be one of"),
    "category": (["--category", "hoaks"], "category ['hoaks'] is not among"),
    "label rule": (["--label", "hoaks=nope:SALAH"], "names column 'nope'"),
    "column map": (["--map", "text=titel,timestamp=published"], "'titel' (mapped to 'text')"),
    "kind": (["--kind", "tweets"], "kind: expected one of"),
    "timezone": (["--timezone", "Asia/Atlantis"], "unknown time zone"),
    "number": (["-p", "power_simulations=-5"], "power_simulations: expected a whole number"),
    "power method": (["-p", "power_method=bootstrap"],
                     "power_method: expected one of auto, analytic, simulate"),
}


@pytest.mark.parametrize("what", list(BAD_VALUES))
def test_a_bad_value_is_exit_2_before_any_kernel_or_run_folder(what, tmp_path):
    """Checked before a kernel starts: no run folder, no index entry, one line."""
    sample = paths.data_dir() / "sample" / "posts_pemilu2024.csv"
    extra, expected = BAD_VALUES[what]
    base = ["report", "--data", str(sample), "--election", "pemilu2024",
            "--map", "text=title,timestamp=published", "--reports-dir", str(tmp_path)]
    if what == "column map":
        base.remove("text=title,timestamp=published")
        base.remove("--map")
    result = CliRunner().invoke(app, base + extra)
    assert result.exit_code == 2, result.output
    [line] = [line for line in result.stderr.splitlines() if line.strip()]
    assert line.startswith("error: ") and expected in line, line
    assert list(tmp_path.iterdir()) == []  # no run folder, so nothing for the index to list


def test_counts_categories_are_checked_against_the_data(tmp_path):
    with pytest.raises(runner.ParameterError, match=r"\['no_such'\].*hoax_all_categories"):
        runner.run_report({"data": "published:kominfo_ais_hoax_monthly",
                           "election": "pemilu2019", "categories": ["no_such"]},
                          reports_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []


# --- interrupted runs ---------------------------------------------------------------------------

GATED = """\
import os, time
from negtrend.run.runner import record_metrics
if gate and os.path.exists(gate):
    open(gate + ".started", "w").close()
while gate and os.path.exists(gate):
    time.sleep(0.1)
record_metrics({"done": True}, output_dir)
"""


def gated_template(folder):
    """A template that waits while the file ``gate`` exists: a run as long as the test wants."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    parameters = nbformat.v4.new_code_cell('gate = ""\noutput_dir = None')
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell(GATED)]
    notebook.metadata["kernelspec"] = {"name": "negtrend", "display_name": "negtrend",
                                       "language": "python"}
    path = folder / "gated.ipynb"
    nbformat.write(notebook, path)
    return path


def start_gated_run(template, gate, reports):
    """``run_report`` in a child process, returned once its kernel is inside the wait."""
    gate.touch()
    code = ("import sys; from negtrend.run import runner; "
            "runner.run_report({'gate': sys.argv[1]}, template=sys.argv[2], "
            "reports_dir=sys.argv[3])")
    child = subprocess.Popen([sys.executable, "-c", code, str(gate), str(template),
                              str(reports)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    started = gate.with_name(gate.name + ".started")
    deadline = time.monotonic() + 120
    while not started.exists():
        assert child.poll() is None, child.stdout.read().decode()
        assert time.monotonic() < deadline, "the run never reached its wait"
        time.sleep(0.2)
    started.unlink()
    return child


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_rerun_records_interrupted_and_keeps_the_last_report(stop, tmp_path):
    template, gate, reports = gated_template(tmp_path), tmp_path / "gate", tmp_path / "reports"
    first = runner.run_report({"gate": str(gate)}, template=template, reports_dir=reports)
    assert first.ok, first.error
    kept = {name: (first.folder / name).read_bytes()
            for name in ("report.html", "metrics.json", "run.json")}

    child = start_gated_run(template, gate, reports)
    child.send_signal(stop)
    output = child.communicate(timeout=60)[0].decode()
    assert child.returncode != 0 and "KeyboardInterrupt" in output
    # the last finished report is untouched, and still 'ok'
    assert {name: (first.folder / name).read_bytes() for name in kept} == kept
    [work] = [p for p in reports.iterdir() if p.name.startswith(f".{first.run_key}.tmp-")]
    record = json.loads((work / "run.json").read_text())
    assert record["status"] == "interrupted" and stop.name in record["error"]
    statuses = sorted(run["status"] for run in index_page.load_runs(reports))
    assert statuses == ["interrupted", "ok"]

    gate.unlink()  # the next run of the same key clears the dead attempt and replaces the old
    again = runner.run_report({"gate": str(gate)}, template=template, reports_dir=reports)
    assert again.ok and again.folder == first.folder
    assert [p.name for p in reports.iterdir()] == [first.run_key]


def test_a_first_run_interrupted_leaves_only_its_work_folder_and_the_index_says_so(tmp_path):
    template, gate, reports = gated_template(tmp_path), tmp_path / "gate", tmp_path / "reports"
    child = start_gated_run(template, gate, reports)
    child.send_signal(signal.SIGINT)
    child.communicate(timeout=60)
    [work] = list(reports.iterdir())
    assert work.name.startswith(".") and ".tmp-" in work.name
    page = index_page.write_index(reports).read_text(encoding="utf-8")
    assert 'data-status="interrupted"' in page and "interrupted (SIGINT)" in page


def test_pilkada2024_report_states_what_the_data_show_about_the_claim(tmp_path):
    outcome = runner.run_report({"data": "published:komdigi_ais_hoax_monthly_2024",
                                 "election": "pilkada2024", "freq": "M",
                                 "claim": "komdigi_2024_11_pilkada"}, reports_dir=tmp_path)
    assert outcome.ok, outcome.error
    metrics = json.loads((outcome.folder / "metrics.json").read_text())
    campaign = next(r for r in metrics["comparisons"][0]["ratios"]
                    if r["window"] == "campaign" and r["measure"] == "count_per_day")
    includes_one = campaign["ci_low"] <= 1 <= campaign["ci_high"]
    assert (campaign["verdict"] == "inconclusive") == includes_one
    sentences = " ".join(metrics["comparisons"][0]["sentences"])
    assert ("inconclusive" in sentences) == includes_one
    assert "counts per day" in sentences  # says what the verdict rests on
    # the ministry's claim (a decrease during the campaign) is assessed from the same numbers
    [assessment] = metrics["claim"]["assessments"]
    assert assessment["estimate"] == campaign["estimate"]
    expected = ("inconclusive" if includes_one
                else "supported" if campaign["ci_high"] < 1 else "contradicted")
    assert assessment["assessment"] == expected
    page = (outcome.folder / "report.html").read_text(encoding="utf-8")
    assert "Claim tested (Komdigi" in page
    # the claim's verdict heads the finding, the first section under the title
    [(title, _), (heading, lines), *_] = report_sections(page)
    assert title == metrics["election"]["name"]
    assert heading == "Finding" and lines == metrics["finding"]
    assert lines[0].startswith("Claim by Komdigi (Dirjen IKP Prabu Revolusi) on 2024-11-25 of a "
                               "decrease during the campaign: " + {
                                   "inconclusive": "the data neither support nor contradict",
                                   "supported": "the data support",
                                   "contradicted": "the data contradict"}[expected])
    assert lines[1].startswith("hoax_all_categories: ")
    assert metrics["claim"]["sentences"][1].split(":")[1].strip().startswith(
        {"inconclusive": "the data neither support nor contradict",
         "supported": "the data support", "contradicted": "the data contradict"}[expected])


def test_unknown_claim_is_rejected_before_running(tmp_path):
    result = CliRunner().invoke(app, ["report", "--data", "published:kominfo_ais_hoax_monthly",
                                      "--election", "pemilu2019", "--claim", "nope",
                                      "--reports-dir", str(tmp_path)])
    assert result.exit_code == 2 and "unknown claim 'nope'" in result.output
    assert list(tmp_path.iterdir()) == []


def test_turnbackhoax_posts_around_pemilu2019_without_code_changes(shared_data, tmp_path):
    path = shared_data / "turnbackhoax_titles_2015_2021" / "turnbackhoax_titles_2015_2021.csv"
    result = CliRunner().invoke(app, [
        "report", "--data", str(path), "--map", "text=title,timestamp=date",
        "--election", "pemilu2019", "--freq", "W",
        "--label", "hoaks=tag:SALAH|HOAX|HOAKS|DISINFORMASI|MISINFORMASI|FITNAH|FALSE",
        "--reports-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    [folder] = [p for p in tmp_path.iterdir() if p.is_dir()]
    metrics = json.loads((folder / "metrics.json").read_text())
    data = metrics["data"]
    assert data["n_read"] == 6975 and data["n_quarantined"] == 1  # one empty title
    comparison = metrics["comparisons"][0]
    assert comparison["category"] == "hoaks"
    assert comparison["primary_measure"] == "share"  # every fact-check item is the exposure
    assert_no_code_cells(html_of(folder))


def test_bundled_sample_corpus_recovers_the_known_effect(tmp_path):
    """data/sample/posts_pemilu2024.csv is generated with a true hoax-share ratio of 1.5
    during the campaign while volume also rises 30% (scripts/make_sample.py)."""
    sample = paths.data_dir() / "sample" / "posts_pemilu2024.csv"
    outcome = runner.run_report({
        "data": str(sample), "column_map": {"text": "title", "timestamp": "published"},
        "labels": {"hoaks": "tag:SALAH|HOAKS"}, "election": "pemilu2024", "freq": "D",
        "tagging_error": {"hoaks": {"precision": 0.9, "recall": 0.6, "n_precision": 200,
                                    "n_recall": 150}}},
        reports_dir=tmp_path)
    assert outcome.ok, outcome.error
    metrics = json.loads((outcome.folder / "metrics.json").read_text())
    assert metrics["data"]["quarantine_reasons"] == {
        "bad_timestamp": 1, "missing_text": 1, "missing_timestamp": 1}
    quarantine = (outcome.folder / "quarantine.csv").read_text(encoding="utf-8")
    assert "32/13/2023" in quarantine
    comparison = metrics["comparisons"][0]
    assert comparison["primary_measure"] == "share"
    ratios = {(r["measure"], r["window"]): r for r in comparison["ratios"]}
    share = ratios[("share", "campaign")]
    assert share["ci_low"] < 1.5 < share["ci_high"] and share["verdict"] == "higher"
    count = ratios[("count_per_day", "campaign")]
    assert count["ci_low"] < 1.95 < count["ci_high"]
    assert ratios[("share", "voting")]["verdict"] == "inconclusive"  # one day, no effect
    assert (outcome.folder / "figures" / "trend_share.png").exists()
    # shares corrected for the stated tagging error: x 0.9 / 0.6, with a wider interval
    corrected = {row["window"]: row for row in metrics["tagging_error"]["hoaks"]}
    before = corrected["before"]
    assert before["corrected"] == pytest.approx(before["observed"] * 1.5)
    assert before["ci_low"] < before["naive_ci_low"] < before["corrected"]
    assert any("precision and recall" in line for line in metrics["limitations"])


def test_missing_data_fails_before_running_and_relative_paths_work(tmp_path, monkeypatch):
    with pytest.raises(runner.ParameterError, match="data file not found: nope.csv"):
        runner.run_report({"data": "nope.csv"}, reports_dir=tmp_path)
    with pytest.raises(runner.ParameterError, match="no bundled published series 'nope'"):
        runner.run_report({"data": "published:nope"}, reports_dir=tmp_path)
    assert list(tmp_path.iterdir()) == []
    monkeypatch.chdir(paths.data_dir())
    assert runner.resolve_data("sample/posts_pemilu2024.csv") == str(
        paths.data_dir() / "sample" / "posts_pemilu2024.csv")


def test_report_on_raw_comments_tagged_by_the_lexicon(shared_data, tmp_path):
    """Raw YouTube comments -> lexicon tags -> weekly series around Pilkada 2024."""
    path = shared_data / "youtube_judol_comments_2013_2025" / "labeled_comments.csv"
    outcome = runner.run_report({
        "data": str(path), "column_map": {"text": "comment_text", "timestamp": "published_at"},
        "timestamp_format": "%m/%d/%y %H:%M", "classifier": "lexicon",
        "categories": ["judi_online"], "election": "pilkada2024", "freq": "W"},
        reports_dir=tmp_path)
    assert outcome.ok, outcome.error
    metrics = json.loads((outcome.folder / "metrics.json").read_text())
    data = metrics["data"]
    assert data["n_read"] == 20753 and data["accounting_ok"]
    comparison = metrics["comparisons"][0]
    assert comparison["category"] == "judi_online"
    assert comparison["primary_measure"] == "share"
    table = {row["window"]: row for row in comparison["phase_table"]}
    assert table["campaign"]["count"] > 0 and table["campaign"]["total"] > table[
        "campaign"]["count"]


ENGLISH = re.compile(r"\b(the|was|were|during|interval|inconclusive|higher|lower|would|could|"
                     r"before|after|rate ratio|times|data show)\b", re.IGNORECASE)
INDONESIAN = re.compile(r"\b(yang|dan|tidak|untuk|dengan|selama|sebelum|setelah|kali|"
                        r"sehingga|adalah)\b", re.IGNORECASE)


def sentences_in(page: str) -> list[str]:
    """Visible prose of a report: every bullet the package wrote and every heading."""
    import html as html_module

    found = re.findall(r'<ul class="negtrend-sentences">(.*?)</ul>', page, flags=re.S)
    found += re.findall(r"<h[123][^>]*>(.*?)</h[123]>", page, flags=re.S)
    text = " ".join(re.sub(r"<[^>]+>", " ", chunk) for chunk in found)
    return [html_module.unescape(line) for line in text.split("  ") if line.strip()]


def report_sections(page: str) -> list[tuple[str, list[str]]]:
    """Each <h2> section of a rendered report, in order: its heading, and the sentences of its
    first list of sentences (none: [])."""
    import html as html_module

    def text(chunk):
        return html_module.unescape(re.sub(r"<[^>]+>", "", chunk)).replace("\u00b6", "").strip()

    parts = re.split(r"<h2[^>]*>(.*?)</h2>", page, flags=re.S)
    out = []
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        found = re.search(r'<ul class="negtrend-sentences">(.*?)</ul>', body, flags=re.S)
        items = re.findall(r"<li>(.*?)</li>", found.group(1), flags=re.S) if found else []
        out.append((text(heading), [text(item) for item in items]))
    return out


@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_finding_opens_the_report_and_is_recorded_in_metrics(pemilu2019, pemilu2019_id,
                                                                  lang):
    outcome = {"en": pemilu2019, "id": pemilu2019_id}[lang]
    assert outcome.ok, outcome.error
    metrics = json.loads((outcome.folder / "metrics.json").read_text())
    sections = report_sections(html_of(outcome.folder))
    # the title (the election), then the finding, then the rest of the report as before
    assert sections[0] == (metrics["election"]["name"], [])
    assert [heading for heading, _ in sections[1:4]] == {
        "en": ["Finding", "Data", "Election windows"],
        "id": ["Temuan", "Data", "Jendela pemilu"]}[lang]
    shown = sections[1][1]
    assert shown == metrics["finding"] and len(shown) == 3
    # no claim: the category's verdict first, then the smallest detectable change, then what
    # the series counts (a fact-checking series: effort, not circulation)
    campaign = next(r for r in metrics["comparisons"][0]["ratios"]
                    if r["window"] == "campaign" and r["measure"] == "count_per_day")
    power = metrics["effects"]["hoax_all_categories"]["power"]
    number = (lambda x: f"{x:.2f}") if lang == "en" else (
        lambda x: f"{x:.2f}".replace(".", ","))
    assert shown[0].startswith({"en": "hoax_all_categories: higher during the campaign than "
                                      "before it — rate ratio ",
                                "id": "hoax_all_categories: lebih tinggi selama masa kampanye "
                                      "dibanding sebelumnya — rasio laju "}[lang])
    assert all(number(campaign[key]) in shown[0] for key in ("estimate", "ci_low", "ci_high"))
    assert {"en": "count per day", "id": "jumlah per hari"}[lang] in shown[0]
    assert number(power["mde_increase"]) in shown[1]
    assert {"en": "effort, not how much such content circulated",
            "id": "upaya pemeriksaan, bukan banyaknya konten"}[lang] in shown[2]
    # the index page's thumbnail: small, in the run folder, listed with the figures
    thumbnail = outcome.folder / "figures" / "thumbnail.png"
    from PIL import Image

    with Image.open(thumbnail) as image:
        assert image.size == (240, 90)
    assert "figures/thumbnail.png" in metrics["figures"]


def test_report_records_its_placebo_changepoints_power_and_limitations(pemilu2019):
    metrics = json.loads((pemilu2019.folder / "metrics.json").read_text())
    effects = metrics["effects"]["hoax_all_categories"]
    assert set(effects) == {"its", "placebo", "changepoints", "power"}
    campaign = next(r for r in metrics["comparisons"][0]["ratios"]
                    if r["window"] == "campaign" and r["measure"] == "count_per_day")
    # the placebo check starts from the same estimate the comparison reports
    assert effects["placebo"]["effect"]["estimate"] == pytest.approx(campaign["estimate"])
    assert effects["its"]["method"] == "its" and effects["changepoints"]["method"] == \
        "changepoints"
    assert effects["power"]["mde_increase"] > 1
    assert any("monthly points" in line for line in metrics["limitations"])
    assert any(f.startswith("figures/its_") for f in metrics["figures"])
    assert metrics["lang"] == "en"


@pytest.fixture(scope="module")
def pemilu2019_id(tmp_path_factory):
    reports = tmp_path_factory.mktemp("reports_id")
    return runner.run_report({"data": "published:kominfo_ais_hoax_monthly",
                              "election": "pemilu2019", "freq": "M", "lang": "id",
                              "power_simulations": 20}, reports_dir=reports)


def test_language_parameter_writes_every_sentence_in_that_language(pemilu2019, pemilu2019_id):
    english_page = html_of(pemilu2019.folder)
    outcome = pemilu2019_id
    assert outcome.ok, outcome.error
    indonesian_page = html_of(outcome.folder)
    metrics = json.loads((outcome.folder / "metrics.json").read_text())
    assert metrics["lang"] == "id"
    id_lines = sentences_in(indonesian_page)
    en_lines = sentences_in(english_page)
    assert len(id_lines) > 10 and len(en_lines) > 10
    assert not [line for line in id_lines if ENGLISH.search(line)]
    assert not [line for line in en_lines if INDONESIAN.search(line)]
    assert any("lebih tinggi" in line for line in id_lines)
    # the same numbers, with a decimal comma
    campaign = next(r for r in metrics["comparisons"][0]["ratios"]
                    if r["window"] == "campaign" and r["measure"] == "count_per_day")
    assert f"{campaign['estimate']:.2f}".replace(".", ",") in indonesian_page


def test_run_key_never_carries_path_parts_or_markup_from_parameters():
    key = runner.run_key("trend_report", {"election": "../../etc/<script>", "freq": "M",
                                          "data": "published:x"})
    assert "/" not in key and "<" not in key and not key.startswith(".")
