"""The workbench and the cross-election view, executed headless through the runner on bundled
data; assertions are on the numbers they record, not only on the run finishing."""

import json

import pandas as pd
import pytest

from negtrend.run import runner

pytestmark = pytest.mark.slow  # executes the templates


@pytest.fixture(scope="module")
def explore_run(tmp_path_factory):
    reports = tmp_path_factory.mktemp("explore")
    outcome = runner.run_report({}, template="explore", reports_dir=reports)
    assert outcome.ok, outcome.error
    return outcome


def test_explore_recovers_both_known_effects_of_the_bundled_corpus(explore_run):
    """scripts/make_sample.py: hoax share x1.5 in the Pemilu 2024 campaign, x1.0 in Pilkada's."""
    metrics = json.loads((explore_run.folder / "metrics.json").read_text())
    first, second = metrics["views"]
    assert (first["election"]["id"], second["election"]["id"]) == ("pemilu2024", "pilkada2024")

    def campaign(view):
        comparison = next(c for c in view["comparisons"] if c["category"] == "hoaks")
        return next(r for r in comparison["ratios"] if r["window"] == "campaign"
                    and r["measure"] == comparison["primary_measure"])

    assert campaign(first)["ci_low"] < 1.5 < campaign(first)["ci_high"]
    assert campaign(first)["verdict"] == "higher"
    assert campaign(second)["ci_low"] < 1.0 < campaign(second)["ci_high"]
    assert campaign(second)["verdict"] == "inconclusive"


def test_explore_shows_tagged_examples_with_reasons_and_exports_what_it_shows(explore_run):
    metrics = json.loads((explore_run.folder / "metrics.json").read_text())
    examples = metrics["examples"]
    hoax = [e for e in examples if e["category"] == "hoaks"]
    assert hoax and {e["window"] for e in hoax} >= {"before", "campaign", "after"}
    # every hoax example is a hoax title of the generator, and says which entry fired
    assert all(e["text"].startswith(("[SALAH]", "[HOAKS]")) for e in hoax)
    assert all("hoaks.txt:" in e["why"] for e in hoax)
    assert len([e for e in hoax if e["window"] == "campaign"]) == 3  # examples_per_window
    exported = metrics["exported"]
    assert "export/view.json" in exported
    ratios = pd.read_csv(explore_run.folder / "export" / "ratios_pemilu2024.csv")
    row = ratios[(ratios["category"] == "hoaks") & (ratios["window"] == "campaign")].iloc[0]
    view = json.loads((explore_run.folder / "export" / "view.json").read_text())
    recorded = next(r for r in view["pemilu2024"]["ratios"]
                    if r["category"] == "hoaks" and r["window"] == "campaign")
    assert row["estimate"] == pytest.approx(recorded["estimate"])


def test_cross_election_reads_only_earlier_metrics(explore_run, tmp_path):
    """Two fake earlier runs: the forest rows are exactly their recorded ratios."""
    for key, election, estimate in (("a", "pemilu2019", 2.5), ("b", "pilkada2024", 0.9)):
        folder = tmp_path / key
        folder.mkdir()
        (folder / "run.json").write_text(json.dumps({
            "template": "trend_report.ipynb", "status": "ok",
            "parameters": {"data": f"published:{key}_series"}}))
        (folder / "metrics.json").write_text(json.dumps({
            "election": {"id": election, "name": election},
            "comparisons": [{"category": "hoaks", "primary_measure": "share", "ratios": [
                {"measure": "share", "window": "campaign", "estimate": estimate,
                 "ci_low": estimate * 0.8, "ci_high": estimate * 1.2, "estimable": True},
                {"measure": "count_per_day", "window": "campaign", "estimate": 7.0,
                 "ci_low": 6.0, "ci_high": 8.0, "estimable": True}]}]}))
    outcome = runner.run_report({"reports_dir": str(tmp_path)}, template="cross_election",
                                reports_dir=tmp_path / "out")
    assert outcome.ok, outcome.error
    metrics = json.loads((outcome.folder / "metrics.json").read_text())
    rows = {r["election"]: r for r in metrics["rows"]}
    assert set(rows) == {"pemilu2019", "pilkada2024"}
    assert rows["pemilu2019"]["estimate"] == 2.5 and rows["pemilu2019"]["verdict"] == "higher"
    assert rows["pilkada2024"]["verdict"] == "inconclusive"  # 0.72..1.08
    assert rows["pilkada2024"]["measure"] == "share"  # the primary measure, not counts
    assert (outcome.folder / "figures" / "forest_campaign.svg").exists()
