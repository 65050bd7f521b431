"""Placebo-in-time, power and the claim verdict, against simulated series with known truth."""

import json
import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from negtrend.analysis import claims, compare, placebo, power, simulate
from negtrend.cli import app
from negtrend.data import calendar
from negtrend.data.claims import Claim
from negtrend.report import records, sentences
from negtrend.report.words import note_text
from negtrend.run import pipeline

pytestmark = pytest.mark.slow


def long_scenario(**effects):
    """A year of quiet time before the election, so placebo dates exist."""
    return simulate.Scenario(start="2022-06-01", before_days=400, campaign_days=70,
                             after_days=60, effects=effects, noise_sd=0.1)


def test_placebo_p_is_small_for_a_real_effect_and_not_for_none():
    strong = simulate.simulate_series(long_scenario(campaign=2.0), seed=1)
    windows = strong.windows.copy()
    # compare the campaign with the 70 days before it; the earlier year is placebo time
    windows.loc[windows["window"] == "before", "start"] = windows.loc[
        windows["window"] == "campaign", "start"].iloc[0] - __import__("pandas").Timedelta(
        days=70)
    result = placebo.placebo(strong.series, windows, "sim")
    assert result.effect["n_placebos"] >= 20
    assert result.method == "placebo" and result.meta["plot"] == "distribution"
    assert result.estimate > 1.6 and result.p_value < 0.1
    null = simulate.simulate_series(long_scenario(), seed=2)
    result = placebo.placebo(null.series, windows, "sim")
    assert result.p_value > 0.1
    assert len(result.table) == result.effect["n_placebos"]
    assert (result.table["estimate"] > 0).all()


def test_minimum_detectable_effect_shrinks_with_more_data():
    few = simulate.Scenario(volume=10, share=0.05, noise_sd=0.05)  # about 0.5 items a day
    many = simulate.Scenario(volume=5000, share=0.05, noise_sd=0.05)
    thin = power.power(simulate.simulate_series(few, seed=3).series, "sim", simulations=40)
    rich = power.power(simulate.simulate_series(many, seed=3).series, "sim", simulations=40)
    assert rich.mde_increase <= 1.25  # 250 items a day: modest changes are detectable
    assert math.isnan(thin.mde_increase) or thin.mde_increase > rich.mde_increase
    assert set(rich.curve.columns) == {"ratio", "power"}
    assert set(rich.curve.columns) == {"ratio", "power"}


def test_claim_verdicts_follow_the_truth():
    windows_of = simulate.windows_for
    down = simulate.simulate_series(simulate.Scenario(effects={"campaign": 0.5}), seed=5)
    verdict = claims.check_claim(down.series, "sim", windows_of(simulate.Scenario()),
                                 direction="decrease", power_simulations=20)
    assert verdict["verdict"] == "supported" and verdict["ci_high"] < 1
    opposite = claims.check_claim(down.series, "sim", windows_of(simulate.Scenario()),
                                  direction="increase", power_simulations=20)
    assert opposite["verdict"] == "contradicted"
    flat = simulate.aggregate(simulate.simulate_series(simulate.Scenario(), seed=6), "M")
    verdict = claims.check_claim(flat, "sim", windows_of(simulate.Scenario()),
                                 direction="decrease", power_simulations=20)
    assert verdict["verdict"] == "inconclusive"


def test_claim_command_prints_one_json_object_and_exits_zero():
    result = CliRunner().invoke(app, [
        "claim", "--data", "published:komdigi_ais_hoax_monthly_2024", "--election",
        "pilkada2024", "--category", "hoax_all_categories", "--direction", "decrease"])
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.output)
    for key in ("verdict", "estimate", "ci_low", "ci_high", "p_value", "placebo_p", "mde"):
        assert key in verdict
    assert verdict["verdict"] in {"supported", "contradicted", "inconclusive"}
    includes_one = verdict["ci_low"] <= 1 <= verdict["ci_high"]
    assert (verdict["verdict"] == "inconclusive") or not includes_one
    assert verdict["power_method"] == "analytic" and verdict["mde"] < 1


def test_claim_power_method_simulate_is_used_and_a_bad_one_is_exit_2():
    base = ["claim", "--data", "published:komdigi_ais_hoax_monthly_2024", "--election",
            "pilkada2024", "--category", "hoax_all_categories"]
    simulated = CliRunner().invoke(app, [*base, "--power-method", "simulate",
                                         "--power-simulations", "10"])
    assert simulated.exit_code == 0, simulated.output
    record = json.loads(simulated.output)
    assert record["power_method"] == "simulate" and record["power_simulations"] == 10
    bad = CliRunner().invoke(app, [*base, "--power-method", "bootstrap"])
    assert bad.exit_code == 2 and "--power-method" in bad.output


def test_placebo_p_is_computed_and_bounded_when_few_placebo_dates_fit():
    """Few placebo positions: p is still the permutation p, and its floor is stated."""
    strong = simulate.simulate_series(simulate.Scenario(effects={"campaign": 2.0}, volume=3000,
                                                        noise_sd=0.05, after_days=200), seed=7)
    windows = strong.windows[strong.windows["window"].isin(["before", "campaign"])]
    result = placebo.placebo(strong.series, windows, "sim", step=14)
    n = result.effect["n_placebos"]
    assert 0 < n < 19
    assert (result.table["estimate"] < result.estimate).all()  # the real effect is extreme
    assert result.p_value == __import__("pytest").approx(1 / (1 + n))
    assert result.outcome == "typical"  # p cannot go below 1/(n+1) > 0.05
    assert any("smallest possible p-value" in note_text(note) for note in result.notes)


def test_power_is_undefined_not_a_crash_when_the_baseline_is_empty():
    """Komdigi's 2024 series starts in January: no month before the Pemilu 2024 campaign."""
    import negtrend as nt

    windows = nt.windows(nt.get_election("pemilu2024"))
    built = nt.build_series(nt.load_source("published:komdigi_ais_hoax_monthly_2024"), freq="M",
                            windows=windows)
    result = power.power(built, built.categories[0], simulations=5)
    assert math.isnan(result.mde_increase) and math.isnan(result.mde_decrease)


def test_too_few_placebo_dates_do_not_veto_a_claim_the_interval_supports():
    falling = simulate.simulate_series(simulate.Scenario(effects={"campaign": 0.5}, volume=3000,
                                                         noise_sd=0.05, after_days=200), seed=7)
    windows = falling.windows[falling.windows["window"].isin(["before", "campaign"])]
    check = claims.check_claim(falling.series, "sim", windows, direction="decrease",
                               placebo_step=14, power_simulations=0)
    assert 0 < check["n_placebos"] < claims.placebo_minimum(0.05) == 19
    assert check["ci_high"] < 1 and check["verdict"] == "supported"
    assert [note.code for note in check["notes"]] == ["few_placebos", "power_not_computed"]
    assert "too few for the placebo check" in note_text(check["notes"][0])


def test_check_claim_reuses_a_comparison_and_refuses_a_mismatched_one():
    sim = simulate.simulate_series(simulate.Scenario(effects={"campaign": 0.7}), seed=4)
    comparison = compare.compare_phases(sim.series, "sim")
    fresh = claims.check_claim(sim.series, "sim", sim.windows, power_simulations=0)
    reused = claims.check_claim(sim.series, "sim", sim.windows, power_simulations=0,
                                comparison=comparison)
    assert reused == fresh
    with pytest.raises(ValueError, match="baseline 'before'.*'after'"):
        claims.check_claim(sim.series, "sim", sim.windows, baseline="after",
                           power_simulations=0, comparison=comparison)


def test_placebo_check_vetoes_a_contradiction_as_it_vetoes_support():
    """An interval that excludes 1 against the claim is not enough to call it contradicted when
    placebo dates show changes that large are common (here the claimed direction is reversed
    on a real increase, and a scrambled placebo p stands in for a noisy series)."""
    from dataclasses import replace

    strong = simulate.simulate_series(long_scenario(campaign=2.0), seed=1)
    windows = strong.windows.copy()
    windows.loc[windows["window"] == "before", "start"] = windows.loc[
        windows["window"] == "campaign", "start"].iloc[0] - pd.Timedelta(days=70)
    check = placebo.placebo(strong.series, windows, "sim")
    assert check.effect["n_placebos"] >= claims.placebo_minimum(0.05)
    common = replace(check, effect={**check.effect, "p_value": 0.5})
    verdict = claims.check_claim(strong.series, "sim", windows, direction="decrease",
                                 power_simulations=0, placebo_result=common)
    assert verdict["verdict"] == "inconclusive"
    assert any("placebo dates give ratios this far" in note_text(note)
               for note in verdict["notes"])
    agreed = claims.check_claim(strong.series, "sim", windows, direction="decrease",
                                power_simulations=0, placebo_result=check)
    assert agreed["verdict"] == "contradicted"


# --- a claim that cannot be tested is not "inconclusive" ----------------------------------------


def posts_from(path, first="2024-01-02", days=120, per_day=4):
    """A posts corpus starting ``first``: every third post tagged HOAKS."""
    stamps = pd.date_range(first, periods=days * per_day, freq=f"{24 // per_day}h")
    tags = ["HOAKS" if i % 3 == 0 else "OK" for i in range(len(stamps))]
    pd.DataFrame({"date": stamps.strftime("%Y-%m-%dT%H:%M:%S"), "title": "berita",
                  "tag": tags}).to_csv(path, index=False)
    return path


CLAIM_ARGS = ["--map", "text=title,timestamp=date", "--label", "hoaks=tag:HOAKS",
              "--election", "pemilu2024", "--category", "hoaks"]


def test_a_claim_whose_baseline_holds_no_data_is_untestable_with_the_window_and_span(
        tmp_path):
    data = posts_from(tmp_path / "posts.csv")
    result = CliRunner().invoke(app, ["claim", "--data", str(data), *CLAIM_ARGS,
                                      "--baseline", "before", "--kind", "posts"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert record["verdict"] == "untestable" and record["kind"] == "posts"
    before = calendar.windows("pemilu2024").set_index("window").loc["before"]
    reason = record["reason"]
    assert "'before'" in reason
    assert f"{before['start']:%Y-%m-%d}..{before['end']:%Y-%m-%d}" in reason
    assert "2024-01-01.." in reason  # where the data (monthly periods) begin
    assert record["notes"] == [reason]  # nothing else: no placebo or power notes
    assert record["estimate"] is None and record["placebo_p"] is None
    assert "inconclusive" not in result.output
    # the Python API says the same
    api = pipeline.claim_check(str(data), "pemilu2024", "hoaks", column_map="text=title,"
                               "timestamp=date", labels_spec=["hoaks=tag:HOAKS"])
    assert api["verdict"] == "untestable" and api["reason"] == reason


def test_a_testable_claim_on_the_same_data_is_not_untestable(tmp_path):
    """With the campaign as baseline and the after-window as phase, both hold data."""
    data = posts_from(tmp_path / "posts.csv", days=200)
    record = pipeline.claim_check(str(data), "pemilu2024", "hoaks", phase="after",
                                  baseline="campaign", freq="W", kind="posts",
                                  column_map="text=title,timestamp=date",
                                  labels_spec=["hoaks=tag:HOAKS"], power_simulations=0)
    assert record["verdict"] in ("supported", "contradicted", "inconclusive")
    assert record["reason"] is None and record["estimate"] is not None


def test_a_claim_on_a_window_that_does_not_exist_is_refused_by_the_api(tmp_path):
    data = posts_from(tmp_path / "posts.csv")
    with pytest.raises(claims.ClaimError, match="phase: expected one of"):
        pipeline.claim_check(str(data), "pemilu2024", "hoaks", phase="nope",
                             column_map="text=title,timestamp=date",
                             labels_spec=["hoaks=tag:HOAKS"])


def untestable_series(tmp_path):
    data = posts_from(tmp_path / "posts.csv")
    prepared = pipeline.prepare(str(data), column_map="text=title,timestamp=date",
                                labels_spec=["hoaks=tag:HOAKS"], categories=["hoaks"])
    return pipeline.election_series(prepared, "pemilu2024")


@pytest.mark.parametrize("lang", ["en", "id"])
def test_the_report_claim_section_says_untestable_not_inconclusive(tmp_path, lang):
    built = untestable_series(tmp_path)
    claim = Claim(id="t", claimant="Someone", date="2024-11", direction="decrease",
                  phase="campaign", baseline="before", quote="", summary="It fell.",
                  source="https://example.org")
    comparison = compare.compare_phases(built.series, "hoaks", baseline="before")
    check = claims.check_claim(built.series, "hoaks", built.windows, power_simulations=0)
    lines = sentences.claim_sentences(claim, [comparison], lang, {"hoaks": check})
    said = " ".join(lines)
    cannot = {"en": "cannot be tested", "id": "tidak dapat diuji"}[lang]
    assert cannot in said and "2024-01-01" in said
    assert {"en": "inconclusive", "id": "tidak meyakinkan"}[lang] not in said
    [assessment] = records.claim_record(claim, [comparison], {"hoaks": check},
                                        lang)["assessments"]
    assert assessment["assessment"] == "untestable" and "'before'" in assessment["note"]


def test_notes_never_contradict_each_other_or_the_simulations_run():
    """Placebo dates fit but the real ratio is not estimable (no items in the campaign): the
    notes say how many placebo dates fit and never also that none do; with
    power_simulations 0, nothing is said of what the simulations detected."""
    scenario = simulate.Scenario(start="2022-06-01", before_days=400, campaign_days=70,
                                 after_days=60, effects={"campaign": 1e-9}, noise_sd=0.1)
    sim = simulate.simulate_series(scenario, seed=1)
    windows = sim.windows.copy()
    campaign_start = windows.loc[windows["window"] == "campaign", "start"].iloc[0]
    windows.loc[windows["window"] == "before", "start"] = campaign_start - pd.Timedelta(days=70)
    for simulations in (0, 10):
        check = claims.check_claim(sim.series, "sim", windows, power_simulations=simulations,
                                   placebo_step=30)
        codes = [note.code for note in check["notes"]]
        assert check["n_placebos"] > 0 and check["verdict"] == "inconclusive"
        assert "no_placebos" not in codes
        if check["power_method"] == "none":
            assert not {"no_power_decrease", "no_power_increase"} & set(codes)
            assert "power_not_computed" in codes
        text = " ".join(note_text(note) for note in check["notes"])
        assert not ("no placebo dates fit" in text and "only" in text)


def test_power_with_no_simulations_is_not_known_rather_than_a_crash():
    sim = simulate.simulate_series(simulate.Scenario(), seed=1)
    result = power.power(sim.series, "sim", simulations=0)
    assert not result.computed and result.method == "none" and math.isnan(result.mde_increase)
    said = sentences.power_sentence("sim", result.mde_increase, result.mde_decrease,
                                    result.target, "en", result.computed)
    assert "not computed" in said and "less than" not in said


def test_the_claim_record_counts_rows_set_aside_as_unused(tmp_path):
    """A month given twice (a revision) is set aside as overlapping; the claim says so."""
    months = pd.date_range("2023-06-01", "2024-06-01", freq="MS")
    ends = months + pd.offsets.MonthEnd(0)
    rows = [{"period_start": f"{m:%Y-%m-%d}", "period_end": f"{e:%Y-%m-%d}",
             "category": "hoaks", "count": 100 + i}
            for i, (m, e) in enumerate(zip(months, ends, strict=True))]
    rows.append({**rows[3], "count": 999})  # the same month again
    path = tmp_path / "counts.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    record = pipeline.claim_check(str(path), "pemilu2024", "hoaks", kind="counts",
                                  power_simulations=0)
    assert record["kind"] == "counts"
    assert record["n_read"] == len(rows) and record["n_unused"] == 1
    assert record["unused_reasons"] == {"overlaps_other_row": 1}
    assert record["n_used"] == len(rows) - 1
