"""The finding that opens a report: verdict sentences on simulated series with known effects,
the claim's verdict first, the smallest detectable change, and what the data count."""

import dataclasses

import pytest

from negtrend.analysis import compare, power, simulate
from negtrend.analysis.effect import row_verdict
from negtrend.data import published
from negtrend.data.claims import get_claim
from negtrend.report import finding, words

CLEAR = dict(volume=3000, noise_sd=0.03, nb_alpha=0.0)  # a large effect is found every time


def simulated(effect: float, seed: int = 3, **scenario):
    sim = simulate.simulate_series(simulate.Scenario(effects={"campaign": effect},
                                                     **(scenario or CLEAR)), seed=seed)
    return sim, compare.compare_phases(sim.series, "sim")


@pytest.fixture(scope="module")
def rise():
    return simulated(2.0)


@pytest.fixture(scope="module")
def fall():
    return simulated(0.5)


@pytest.fixture(scope="module")
def flat():
    # no effect, few items and much noise: the interval straddles 1
    return simulated(1.0, seed=5, volume=60, share=0.05, noise_sd=0.4, nb_alpha=0.3)


def campaign(comparison) -> dict:
    return comparison.ratio("campaign")


def test_a_known_rise_reads_higher_with_ratio_interval_and_measure(rise):
    _, comparison = rise
    row = campaign(comparison)
    assert row_verdict(row) == "higher" and comparison.primary_measure == "share"
    line = finding.category_sentence(comparison, "en")
    assert line == (f"sim: higher during the campaign than before it — rate ratio "
                    f"{row['estimate']:.2f} (95% CI {row['ci_low']:.2f}–{row['ci_high']:.2f}), "
                    "based on the share of collected items.")
    indonesian = finding.category_sentence(comparison, "id")
    assert indonesian.startswith("sim: lebih tinggi selama masa kampanye dibanding sebelumnya")
    assert f"{row['estimate']:.2f}".replace(".", ",") in indonesian
    assert "SK 95%" in indonesian and "proporsi dari item yang dikumpulkan" in indonesian


def test_a_known_fall_reads_lower(fall):
    _, comparison = fall
    assert row_verdict(campaign(comparison)) == "lower"
    assert finding.category_sentence(comparison, "en").startswith(
        "sim: lower during the campaign than before it — rate ratio 0.")
    assert finding.category_sentence(comparison, "id").startswith(
        "sim: lebih rendah selama masa kampanye")


def test_no_effect_in_noisy_data_reads_inconclusive(flat):
    _, comparison = flat
    row = campaign(comparison)
    assert row_verdict(row) == "inconclusive"
    line = finding.category_sentence(comparison, "en")
    assert line.startswith("sim: no clear change during the campaign from the level before it")
    assert "which includes 1" in line and "higher" not in line and "lower" not in line
    assert "tak tampak perubahan yang jelas" in finding.category_sentence(comparison, "id")


def test_a_category_with_no_items_is_not_estimable_with_its_reason(rise):
    sim, _ = rise
    frame = sim.series.frame.copy()
    frame["sim"] = 0.0
    empty = compare.compare_phases(dataclasses.replace(sim.series, frame=frame), "sim")
    line = finding.category_sentence(empty, "en")
    assert line.startswith("sim: no rate ratio during the campaign could be estimated")
    assert "no items at all" in line


def test_the_smallest_detectable_change_comes_from_the_power_result(rise):
    sim, comparison = rise
    result = power.power(sim.series, "sim", method="analytic", comparison=comparison)
    line = finding.power_line("sim", result, "en")
    assert line == (f"Smallest change these data could detect for sim (80% power): a rise to "
                    f"{words.number(result.mde_increase)} times or a fall to "
                    f"{words.number(result.mde_decrease)} times the baseline rate.")
    only_up = dataclasses.replace(result, mde_decrease=float("nan"))
    assert "no fall down to a tenth" in finding.power_line("sim", only_up, "en")
    none = dataclasses.replace(result, mde_increase=float("nan"), mde_decrease=float("nan"))
    assert "even a tenfold change" in finding.power_line("sim", none, "en")
    skipped = dataclasses.replace(result, method="none")
    assert "not computed" in finding.power_line("sim", skipped, "en")
    assert "tidak dihitung" in finding.power_line("sim", skipped, "id")


EFFORT = ("effort", "not how much such content circulated")


@pytest.mark.parametrize(("series_id", "kind"), [
    ("kominfo_komdigi_judol_takedown_monthly", "takedowns"),
    ("tiktok_pemilu2024_enforcement", "takedowns"),
    ("mafindo_hoax_monthly", "fact_checks"),
    ("komdigi_ais_hoax_monthly_2024", "fact_checks"),
])
def test_enforcement_and_fact_check_series_count_effort_not_circulation(series_id, kind):
    source = f"published:{series_id}"
    assert published.series_counts(source) == kind  # from the catalog, not from the name
    line = finding.counted_line(source, "counts", "counts", "en")
    assert all(part in line for part in EFFORT), line
    assert source in line
    assert ("takedowns" in line or "took down" in line) if kind == "takedowns" \
        else "fact-checked" in line
    indonesian = finding.counted_line(source, "counts", "counts", "id")
    assert "upaya" in indonesian and "bukan banyaknya konten" in indonesian


def test_what_other_data_count():
    # a count table of the user's own: what it counts is unknown, so the caveat is general
    own = finding.counted_line("/data/my_counts.csv", "counts", "counts", "en")
    assert "my_counts.csv" in own and "/data/" not in own and "effort" in own
    assert published.series_counts("/data/my_counts.csv") is None
    assert published.series_counts("published:no_such_series") is None
    sentiment = finding.counted_line("published:komdigi_pilkada2024_sentiment", "counts",
                                     "counts", "en")
    assert "percentage" in sentiment and "effort" not in sentiment
    # posts: what was counted, and by what
    lexicon = finding.counted_line("posts.csv", "posts", "lexicon", "en")
    assert "posts in posts.csv that the default lexicon tagged" in lexicon
    assert "effort" not in lexicon
    assert "trained model" in finding.counted_line("posts.csv", "posts", "model", "en")
    assert "own labels" in finding.counted_line("posts.csv", "posts", "labels", "en")
    assert "every post" in finding.counted_line("posts.csv", "posts", "none", "en")


def summary_of(source="published:mafindo_hoax_monthly", kind="counts"):
    return {"source": source, "kind": kind}


def test_without_a_claim_the_first_category_heads_the_finding(rise, fall):
    sim, up = rise
    _, down = fall
    down = dataclasses.replace(down, category="other")
    effects = {"sim": {"power": power.power(sim.series, "sim", method="analytic",
                                            comparison=up)}}
    lines = finding.finding(summary_of(), [up, down], effects, "counts", "en")
    assert lines[0] == finding.category_sentence(up, "en")
    assert lines[1] == finding.category_sentence(down, "en")
    assert lines[2] == finding.power_line("sim", effects["sim"]["power"], "en")
    assert lines[3] == finding.counted_line("published:mafindo_hoax_monthly", "counts",
                                            "counts", "en")
    assert len(lines) == 4  # no power for "other": no line


def test_with_a_claim_its_verdict_comes_first(rise, fall):
    claim = get_claim("komdigi_2024_11_pilkada")  # a decrease during the campaign
    _, down = fall
    _, up = rise
    up = dataclasses.replace(up, category="rising")
    lines = finding.finding(summary_of(), [down, up], {}, "counts", "en", claim=claim,
                            claim_comparisons=[down, up])
    assert lines[0] == ("Claim by Komdigi (Dirjen IKP Prabu Revolusi) on 2024-11-25 of a "
                        "decrease during the campaign: the data support the claim (sim); the "
                        "data contradict the claim (rising).")
    assert lines[1:3] == [finding.category_sentence(down, "en"),
                          finding.category_sentence(up, "en")]
    indonesian = finding.finding(summary_of(), [down], {}, "counts", "id", claim=claim,
                                 claim_comparisons=[down])
    assert indonesian[0] == ("Klaim Komdigi (Dirjen IKP Prabu Revolusi) pada 2024-11-25 tentang "
                             "penurunan selama masa kampanye: data mendukung klaim tersebut "
                             "(sim).")
    # the full check's verdict (placebo included) is the one stated
    checks = {"sim": {"verdict": "inconclusive", "placebo_p": 0.4, "mde": 0.7, "notes": []}}
    checked = finding.finding(summary_of(), [down], {}, "counts", "en", claim=claim,
                              claim_comparisons=[down], claim_checks=checks)
    assert "neither support nor contradict the claim (sim)" in checked[0]
