"""`negtrend sweep`: checking a sweep file, expanding its grid, and running it in parallel."""

import json
import textwrap

import pytest
from typer.testing import CliRunner

from negtrend.cli import app
from negtrend.data import paths
from negtrend.run import runner, sweep

SERIES = "published:kominfo_ais_hoax_monthly"
SAMPLE = paths.data_dir() / "sample" / "posts_pemilu2024.csv"


def write(tmp_path, text, name="sweep.yaml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- checking the file: nothing runs if anything is wrong ---------------------------------------


def test_every_error_names_the_file_the_entry_and_the_field(tmp_path):
    path = write(tmp_path, f"""\
        colour: red
        defaults: {{freq: M, output_dir: /elsewhere}}
        grid:
          election: [pemilu2019, pemilu2099]
          data: ["{SERIES}", "published:nope", missing.csv]
          categories: [[hoax_all_categories], 3]
          flavour: [sweet]
        runs:
          - {{election: pemilu2019, claim: no_such_claim, map: "text"}}
          - not a mapping
        """)
    with pytest.raises(sweep.SweepError) as caught:
        sweep.load_sweep(path)
    errors = caught.value.errors
    assert all(e.startswith(str(path)) for e in errors)

    def one(*parts):
        found = [e for e in errors if all(p in e for p in parts)]
        assert len(found) == 1, (parts, errors)
        return found[0]

    assert "expected one of ['name', 'description', 'template'" in one("unknown key 'colour'")
    assert "set by the runner" in one("defaults", "field 'output_dir'")
    assert "known: pileg2014" in one("grid", "field 'election'[1]", "unknown election 'pemilu2099'")
    assert "known: " in one("grid", "field 'data'[1]", "no bundled published series 'nope'")
    one("grid", "field 'data'[2]", "data file not found: missing.csv")
    one("grid", "field 'categories'[1]", "expected a category or a list of categories, got 3")
    assert "'election'" in one("grid", "field 'flavour'", "unknown parameter; expected one of")
    assert "known: komdigi_2024_11_pilkada" in one("runs[0]", "field 'claim'", "no_such_claim")
    one("runs[0]", "field 'map'", "column map piece 'text'")
    one("runs[1]", "expected a mapping of parameters")
    assert len(errors) == 10


def test_an_invalid_file_exits_2_and_runs_nothing(tmp_path):
    path = write(tmp_path, f"""\
        grid:
          election: [pemilu2019]
          data: ["{SERIES}"]
        runs:
          - {{data: "{SERIES}", variant: nah}}
        """)
    reports = tmp_path / "reports"
    result = CliRunner().invoke(app, ["sweep", str(path), "--reports-dir", str(reports)])
    assert result.exit_code == 2
    assert "nothing was run" in result.output
    assert f"{path}: runs[0]" in result.output
    assert "field 'variant': 'nah' not in published:kominfo_ais_hoax_monthly" in result.output
    assert "available: ['first_release', 'revised']" in result.output
    assert not reports.exists()


def test_a_file_with_nothing_to_run_or_a_bad_template_is_rejected(tmp_path):
    with pytest.raises(sweep.SweepError, match="nothing to run"):
        sweep.load_sweep(write(tmp_path, "defaults: {freq: M}\n"))
    with pytest.raises(sweep.SweepError, match="field 'template': notebook template not found"):
        sweep.load_sweep(write(tmp_path, "template: no_such_template\nruns: [{}]\n"))
    with pytest.raises(sweep.SweepError, match="field 'election': expected a non-empty list"):
        sweep.load_sweep(write(tmp_path, "grid: {election: pemilu2019}\n"))


def test_a_run_whose_values_cannot_work_is_named_before_anything_runs(tmp_path):
    """Each planned run gets the runner's value checks: a category the data lack, or a label
    rule naming a missing column, stops the sweep with the run and the reason."""
    path = write(tmp_path, f"""\
        defaults: {{data: "{SERIES}", election: pemilu2019}}
        grid:
          categories: [[hoax_all_categories], [no_such_category]]
        runs:
          - {{data: "{SAMPLE}", map: "text=title,timestamp=published",
             label: ["hoaks=nope:SALAH"]}}
        """)
    with pytest.raises(sweep.SweepError) as caught:
        sweep.load_sweep(path)
    errors = caught.value.errors
    assert len(errors) == 2, errors
    assert "grid run 2" in errors[0] and "['no_such_category']" in errors[0]
    assert "hoax_all_categories" in errors[0]  # what the data do have
    assert "runs[0]" in errors[1] and "column 'nope'" in errors[1]


def million_run_file(tmp_path):
    axis = ", ".join(str(n) for n in range(100))
    return write(tmp_path, f"""\
        grid:
          seed: [{axis}]
          power_simulations: [{axis}]
          examples_per_window: [{axis}]
        """)


def test_a_million_run_grid_is_refused_before_anything_is_read_or_expanded(tmp_path,
                                                                           monkeypatch):
    path = million_run_file(tmp_path)

    def must_not_run(*args, **kwargs):
        raise AssertionError("the grid was refused too late")

    with monkeypatch.context() as patched:  # counted first: no template read, no expansion
        patched.setattr(sweep, "_template", must_not_run)
        patched.setattr(sweep, "expand", must_not_run)
        with pytest.raises(sweep.SweepError) as caught:
            sweep.load_sweep(path)
    [message] = caught.value.errors
    assert "1,000,000 runs" in message
    assert "seed (100) x power_simulations (100) x examples_per_window (100)" in message
    assert f"limit of {sweep.DEFAULT_MAX_RUNS}" in message and "--max-runs" in message
    result = CliRunner().invoke(app, ["sweep", str(path), "--dry-run"])
    assert result.exit_code == 2 and "1,000,000 runs" in result.stderr


def test_max_runs_lets_a_grid_bigger_than_the_default_through(tmp_path):
    path = write(tmp_path, f"""\
        defaults: {{data: "{SERIES}", election: pemilu2019}}
        grid:
          seed: [{", ".join(str(n) for n in range(26))}]
          power_simulations: [{", ".join(str(n) for n in range(20))}]
        """)  # 520 runs
    with pytest.raises(sweep.SweepError, match="520 runs"):
        sweep.load_sweep(path)
    assert len(sweep.load_sweep(path, max_runs=520).runs) == 520
    refused = CliRunner().invoke(app, ["sweep", str(path), "--dry-run", "--max-runs", "519"])
    assert refused.exit_code == 2 and "520 runs" in refused.stderr
    result = CliRunner().invoke(app, ["sweep", str(path), "--dry-run", "--max-runs", "520"])
    assert result.exit_code == 0, result.output
    assert "520 run(s)" in result.output


# --- expanding the grid -------------------------------------------------------------------------


def test_a_grid_expands_to_its_cartesian_product_over_the_defaults(tmp_path):
    path = write(tmp_path, f"""\
        name: small grid
        defaults: {{freq: m, alpha: 0.1}}
        grid:
          election: [pemilu2019, pemilu2024]
          data: ["{SERIES}"]
          categories: [[hoax_all_categories], []]
        runs:
          - {{election: pilkada2024, data: "published:komdigi_ais_hoax_monthly_2024",
             claim: komdigi_2024_11_pilkada, freq: W}}
          # the same as grid run 1, spelled differently: runs once
          - {{election: pemilu2019, data: "{SERIES}", categories: hoax_all_categories,
             alpha: 0.1, freq: M}}
        """)
    planned = sweep.load_sweep(path)
    assert planned.name == "small-grid"
    assert [r.origin for r in planned.runs] == [
        "grid run 1", "grid run 2", "grid run 3", "grid run 4", "runs[0]"]
    combos = [(r.params["election"], r.params["categories"]) for r in planned.runs[:4]]
    assert combos == [("pemilu2019", ["hoax_all_categories"]), ("pemilu2019", []),
                      ("pemilu2024", ["hoax_all_categories"]), ("pemilu2024", [])]
    assert all(r.params["freq"] == "M" and r.params["alpha"] == 0.1 for r in planned.runs[:4])
    assert planned.runs[4].params == {
        "freq": "W", "alpha": 0.1, "election": "pilkada2024",
        "data": "published:komdigi_ais_hoax_monthly_2024", "claim": "komdigi_2024_11_pilkada"}
    assert planned.duplicates == [{"origin": "runs[1]", "run_key": planned.runs[0].run_key,
                                   "same_as": "grid run 1"}]
    # the keys are the runner's: the same folder `negtrend report` would write
    template = runner.template_path("trend_report")
    for run in planned.runs:
        resolved = runner.validate_parameters(template, run.params)
        assert run.run_key == runner.run_key("trend_report", resolved)
    assert len({r.run_key for r in planned.runs}) == 5
    # loading again gives the same plan
    assert sweep.load_sweep(path).runs == planned.runs


def test_report_option_names_are_accepted_and_relative_data_paths_resolved(tmp_path,
                                                                             monkeypatch):
    monkeypatch.chdir(tmp_path)  # data/sample/... is found under the project root
    path = write(tmp_path, """\
        runs:
          - data: data/sample/posts_pemilu2024.csv
            election: pemilu2024
            map: text=title,timestamp=published
            label: ["hoaks=tag:SALAH|HOAKS"]
            category: hoaks
        """)
    (run,) = sweep.load_sweep(path).runs
    assert run.params == {"data": str(SAMPLE.resolve()), "election": "pemilu2024",
                          "column_map": {"text": "title", "timestamp": "published"},
                          "labels": {"hoaks": "tag:SALAH|HOAKS"}, "categories": ["hoaks"]}
    with pytest.raises(sweep.SweepError, match="field 'categories': given twice"):
        sweep.load_sweep(write(tmp_path, "runs: [{category: a, categories: [b]}]\n"))


def test_dry_run_lists_the_runs(tmp_path):
    path = write(tmp_path, f"""\
        grid: {{election: [pemilu2019, pemilu2024], data: ["{SERIES}"]}}
        runs: [{{election: pemilu2019, data: "{SERIES}"}}]
        """)
    result = CliRunner().invoke(app, ["sweep", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "2 run(s)" in result.output
    assert "(duplicate, runs once) runs[0] = grid run 1" in result.output


def test_a_run_that_raises_becomes_a_failed_result(tmp_path):
    data = tmp_path / "gone.csv"
    data.write_text("text,timestamp\na,2024-01-01\n", encoding="utf-8")
    (run,) = sweep.load_sweep(write(tmp_path, f"runs: [{{data: '{data}'}}]\n")).runs
    data.unlink()  # vanishes between checking and running
    result = sweep._execute(run, "trend_report", str(tmp_path / "reports"), "negtrend")
    assert result.status == "failed" and not result.ok
    assert result.error.startswith("ParameterError: data file not found")


# --- running: 3 runs, twice ---------------------------------------------------------------------


SWEEP = """\
    name: test
    defaults: {{freq: M}}
    grid:
      election: [pemilu2019]
      data: ["{SERIES}", "{BROKEN}"]   # the second passes every check and fails in the notebook
    runs:
      - {{election: pemilu2024, data: "{SAMPLE}", freq: W,
         map: "text=title,timestamp=published", labels: {{hoaks: "tag:SALAH|HOAKS"}}}}
      - {{election: pemilu2019, data: "{SERIES}", categories: []}}   # = grid run 1
    """


@pytest.fixture(scope="module")
def two_sweeps(tmp_path_factory):
    """The same sweep run twice, into two report folders, both with --jobs 2."""
    folder = tmp_path_factory.mktemp("sweep")
    broken = folder / "no_dates.csv"  # a header the checks accept; no row has a usable date
    broken.write_text("text,timestamp\na,not a date\nb,nor this\n", encoding="utf-8")
    path = write(folder, SWEEP.format(SERIES=SERIES, SAMPLE=SAMPLE, BROKEN=broken))
    outcomes = []
    for name, extra in (("first", []), ("second", ["--no-progress"])):
        reports = folder / name
        result = CliRunner().invoke(app, ["sweep", str(path), "--jobs", "2",
                                          "--reports-dir", str(reports), *extra])
        outcomes.append((reports, result))
    return sweep.load_sweep(path), outcomes


@pytest.mark.slow
def test_a_failing_run_does_not_stop_the_others_and_the_exit_code_is_1(two_sweeps):
    planned, [(reports, result), _] = two_sweeps
    assert result.exit_code == 1, result.output
    ok_key, bad_key, sample_key = (r.run_key for r in planned.runs)
    lines = {line.split()[0]: line for line in result.output.splitlines() if "__" in line}
    assert " ok " in lines[ok_key] and " ok " in lines[sample_key]
    assert " failed " in lines[bad_key] and "no_dates.csv" in lines[bad_key]
    assert "3 run(s): 2 ok, 1 failed; 1 duplicate(s) run once" in result.output
    # the failed run keeps its notebook and report with the error
    assert (reports / bad_key / "report.html").exists()
    assert json.loads((reports / bad_key / "run.json").read_text())["status"] == "failed"
    # the summary file and the index
    summary = json.loads((reports / "sweep-test.json").read_text())
    assert (summary["n_runs"], summary["n_ok"], summary["n_failed"]) == (3, 2, 1)
    assert [r["run_key"] for r in summary["runs"]] == [ok_key, bad_key, sample_key]
    assert [r["status"] for r in summary["runs"]] == ["ok", "failed", "ok"]
    assert summary["duplicates"][0]["same_as"] == "grid run 1"
    index = (reports / "index.html").read_text()
    assert all(key in index for key in (ok_key, bad_key, sample_key))
    # the workers' and kernels' own output goes to a log, not through the progress bar
    assert (reports / "sweep-test.log").exists()


@pytest.mark.slow
def test_rerunning_a_sweep_gives_byte_identical_metrics(two_sweeps):
    planned, [(first, _), (second, result)] = two_sweeps
    assert result.exit_code == 1, result.output
    ok_keys = [r.run_key for r in planned.runs if "no_dates" not in str(r.params)]
    assert len(ok_keys) == 2
    for key in ok_keys:
        a, b = first / key / "metrics.json", second / key / "metrics.json"
        assert a.read_bytes() == b.read_bytes(), key
    assert sorted(p.name for p in first.iterdir()) == sorted(p.name for p in second.iterdir())
