"""Every command, given a bad argument, says what is wrong on one line and exits 2: no
traceback, nothing run."""

import pytest
from typer.testing import CliRunner

from negtrend.cli import app


@pytest.fixture
def a_file(tmp_path):
    path = tmp_path / "not_a_folder.txt"
    path.write_text("x", encoding="utf-8")
    return path


def cases(tmp_path, a_file):
    missing = str(tmp_path / "missing.csv")
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes("name: caf\u00e9\nruns: [{}]\n".encode("latin-1"))
    posts = tmp_path / "posts.csv"
    posts.write_text("text,timestamp\na,2024-01-02\n", encoding="utf-8")
    return {
        "elections": (["elections", "--config", str(tmp_path / "none.yaml")],
                      "elections file not found"),
        "report": (["report", "--data", "published:kominfo_ais_hoax_monthly", "--election",
                    "pemilu2019", "--label", "x=map:nope"], "names column 'map'"),
        "report-map": (["report", "--data", "published:kominfo_ais_hoax_monthly", "--election",
                        "pemilu2019", "--label", "map:nope"], "no label map 'nope'"),
        "report-freq": (["report", "--data", "published:kominfo_ais_hoax_monthly",
                         "--election", "pemilu2019", "--freq", "Y"], "freq must be one of"),
        "classify": (["classify", "--data", missing, "--out", str(tmp_path / "o.parquet")],
                     "missing.csv"),
        "train": (["train", "--data", missing, "--text-col", "t", "--labels", "a",
                   "--out", str(tmp_path / "m")], "missing.csv"),
        "evaluate": (["evaluate", "--gold", missing], "missing.csv"),
        "sample": (["sample", "--data", missing, "--out", str(tmp_path / "s.csv")],
                   "missing.csv"),
        "claim": (["claim", "--data", "published:kominfo_ais_hoax_monthly", "--election",
                   "pemilu2019", "--category", "hoax_all_categories", "--phase", "nope"],
                  "phase: expected one of"),
        "index": (["index", "--reports-dir", str(a_file)], "not a folder"),
        "report-reports-dir": (["report", "--data", "published:kominfo_ais_hoax_monthly",
                                "--election", "pemilu2019", "--reports-dir", str(a_file)],
                               "not a folder"),
        "report-category": (["report", "--data", "published:kominfo_ais_hoax_monthly",
                             "--election", "pemilu2019", "--category", "hoaks",
                             "--reports-dir", str(tmp_path / "reports")],
                            "category ['hoaks'] is not among"),
        "claim-kind": (["claim", "--data", str(posts), "--election", "pemilu2024",
                        "--category", "hoaks", "--kind", "tweets"], "kind"),
        "sweep-encoding": (["sweep", str(latin1), "--dry-run"], "not UTF-8"),
        "cross-election": (["cross-election", "--window", "nope"], "window"),
        "sweep": (["sweep", str(tmp_path / "none.yaml")], "none.yaml"),
    }


COMMANDS = ["elections", "report", "report-map", "report-freq", "report-reports-dir",
            "report-category", "classify", "train", "evaluate", "sample", "claim", "claim-kind",
            "index", "cross-election", "sweep", "sweep-encoding"]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_argument_is_one_line_and_exit_2(command, tmp_path, a_file):
    arguments, expected = cases(tmp_path, a_file)[command]
    result = CliRunner().invoke(app, arguments)
    assert result.exit_code == 2, (result.output, result.exception)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and lines[0].startswith("error: "), result.output
    if command.startswith("sweep"):  # a sweep lists every problem in its file, one a line
        assert expected in result.stderr
    else:
        assert expected in lines[0] and len(lines) == 1, lines


def test_published_without_its_catalog_is_one_line_and_exit_2(tmp_path, monkeypatch):
    monkeypatch.setenv("NEGTREND_ROOT", str(tmp_path))
    result = CliRunner().invoke(app, ["published"])
    assert result.exit_code == 2 and result.stderr.startswith("error: ")
    assert "catalog.csv" in result.stderr


def test_explain_with_a_broken_lexicon_is_one_line_and_exit_2(tmp_path, monkeypatch):
    (tmp_path / "lexicons").mkdir()
    (tmp_path / "lexicons" / "hoaks.txt").write_text("re: (unclosed\n", encoding="utf-8")
    monkeypatch.setenv("NEGTREND_CONFIG", str(tmp_path))
    result = CliRunner().invoke(app, ["explain", "hoaks"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert result.stderr.startswith("error: ") and "hoaks.txt" in result.stderr


def test_an_interrupted_command_says_so_on_one_line_and_exits_130(monkeypatch):
    from negtrend.run import runner

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt("SIGINT")

    monkeypatch.setattr(runner, "run_report", stopped)
    result = CliRunner().invoke(app, ["report", "--data", "published:kominfo_ais_hoax_monthly",
                                      "--election", "pemilu2019"])
    assert result.exit_code == 130
    assert result.stderr.strip() == "interrupted" and "Traceback" not in result.output
