import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from negtrend.analysis import compare, engine
from negtrend.analysis.effect import row_verdict
from negtrend.data import series
from negtrend.report import sentences
from negtrend.report.words import method_text, note_text

from helpers import monthly_counts, windows_frame

SPANS = {"before": ("2020-01-01", "2020-03-31"), "campaign": ("2020-04-01", "2020-06-30")}


def flagged_monthly(values, totals=None, spans=SPANS):
    counts = monthly_counts("2020-01-01", values, totals=totals)
    return series.flag_windows(series.from_counts(counts), windows_frame(spans))


def test_rate_ratio_and_interval_match_a_hand_computation():
    before, campaign = [10, 14, 12], [20, 26, 21]
    result = compare.compare_phases(flagged_monthly(before + campaign), "hoax")
    row = result.primary().set_index("window").loc["campaign"]

    days_b = 31 + 29 + 31  # Jan-Mar 2020 (leap year)
    days_c = 30 + 31 + 30
    ratio = (sum(campaign) / days_c) / (sum(before) / days_b)
    # Poisson fit: fitted value = group rate x days; Pearson dispersion over 6 - 2 df
    rate_b, rate_c = sum(before) / days_b, sum(campaign) / days_c
    fitted = [rate_b * d for d in (31, 29, 31)] + [rate_c * d for d in (30, 31, 30)]
    pearson = sum((y - m) ** 2 / m for y, m in zip(before + campaign, fitted, strict=True))
    dispersion = pearson / 4
    se = math.sqrt(1 / sum(before) + 1 / sum(campaign)) * math.sqrt(max(dispersion, 1.0))
    t = sps.t.ppf(0.975, 4)
    assert row["estimate"] == pytest.approx(ratio, rel=1e-6)
    assert row["dispersion"] == pytest.approx(dispersion, rel=1e-6)
    assert row["ci_low"] == pytest.approx(ratio * math.exp(-t * se), rel=1e-6)
    assert row["ci_high"] == pytest.approx(ratio * math.exp(t * se), rel=1e-6)
    assert row["p_value"] == pytest.approx(2 * sps.t.sf(math.log(ratio) / se, 4), rel=1e-6)
    assert result.primary_measure == "count_per_day"


def test_overdispersion_widens_the_interval():
    calm = compare.compare_phases(flagged_monthly([100, 101, 99, 150, 151, 149]), "hoax")
    wild = compare.compare_phases(flagged_monthly([40, 160, 100, 60, 240, 150]), "hoax")
    width = lambda r: r.primary()["ci_high"].iloc[0] / r.primary()["ci_low"].iloc[0]  # noqa: E731
    assert width(wild) > 2 * width(calm)


def test_share_is_the_primary_measure_when_volume_is_known():
    # counts double but so does collection: the share does not move
    values = [10, 12, 11, 20, 24, 22]
    totals = [100, 120, 110, 200, 240, 220]
    result = compare.compare_phases(flagged_monthly(values, totals), "hoax")
    assert result.primary_measure == "share"
    share = result.ratios.set_index(["measure", "window"]).loc[("share", "campaign")]
    count = result.ratios.set_index(["measure", "window"]).loc[("count_per_day", "campaign")]
    assert share["estimate"] == pytest.approx(1.0, abs=1e-9)
    assert count["estimate"] > 1.9
    assert sentences.basis_sentence(result).startswith("The verdict rests on the share")


def test_no_residual_degrees_of_freedom_means_no_interval():
    spans = {"before": ("2020-01-01", "2020-01-31"), "campaign": ("2020-02-01", "2020-02-29")}
    result = compare.compare_phases(flagged_monthly([10, 30], spans=spans), "hoax")
    row = result.primary().iloc[0]
    assert not row["estimable"]
    assert math.isnan(row["ci_low"])
    assert row["note"].code == "no_residual_df"
    assert "residual degrees of freedom" in note_text(row["note"])
    assert row_verdict(row) == "not estimable"


def test_empty_baseline_is_reported_not_estimated():
    spans = {"before": ("2019-01-01", "2019-06-30"), "campaign": ("2020-01-01", "2020-06-30")}
    result = compare.compare_phases(flagged_monthly([1, 2, 3, 4, 5, 6], spans=spans), "hoax")
    assert not result.primary()["estimable"].any()
    assert all("no M-periods fall in the 'before' window" in note_text(note)
               for note in result.primary()["note"])
    assert "not estimable" in sentences.comparison_sentences(result)[0]


def test_sentences_say_inconclusive_when_the_interval_includes_one():
    result = compare.compare_phases(flagged_monthly([100, 80, 120, 110, 90, 125]), "hoax")
    row = result.primary().iloc[0]
    assert row["ci_low"] < 1 < row["ci_high"]
    sentence = sentences.ratio_sentence(row, "hoax", 0.05)
    assert "inconclusive" in sentence and "95% CI" in sentence
    rising = compare.compare_phases(flagged_monthly([25, 27, 53, 175, 353, 453]), "hoax")
    sentence = sentences.ratio_sentence(rising.primary().iloc[0], "hoax", 0.05)
    assert "higher during the campaign than before it" in sentence


def simulated_monthly(rng, ratio, months=6, mean=120.0, alpha_nb=0.05):
    """Negative binomial months: variance mean + alpha*mean^2 (overdispersed)."""
    means = np.array([mean] * months + [mean * ratio] * months)
    n = 1 / alpha_nb
    return rng.negative_binomial(n, n / (n + means))


@pytest.mark.slow
def test_monthly_false_alarm_rate_and_coverage_by_simulation():
    rng = np.random.default_rng(20241127)
    spans = {"before": ("2020-01-01", "2020-06-30"), "campaign": ("2020-07-01", "2020-12-31")}
    rejections, covered, reps = 0, 0, 400
    for _ in range(reps):
        values = simulated_monthly(rng, ratio=1.0)
        row = compare.compare_phases(flagged_monthly(list(values), spans=spans), "hoax")
        row = row.primary().iloc[0]
        rejections += row["p_value"] < 0.05
        covered += row["ci_low"] <= 1.0 <= row["ci_high"]
    # nominal 5%: binomial sd over 400 reps is about 1.1 points
    assert rejections / reps <= 0.08
    assert covered / reps >= 0.92
    # and it has power: a 1.5x rise is detected most of the time
    detected = 0
    for _ in range(100):
        values = simulated_monthly(rng, ratio=1.5)
        row = compare.compare_phases(flagged_monthly(list(values), spans=spans), "hoax")
        detected += row.primary().iloc[0]["ci_low"] > 1
    assert detected >= 55  # about 70% expected at this noise level


@pytest.mark.slow
def test_one_day_window_is_not_declared_significant_by_chance():
    """A sandwich alone gives voting day (one period) a near-zero error; it must not."""
    rng = np.random.default_rng(11)
    days = pd.date_range("2021-01-01", periods=120, freq="D")
    spans = {"before": ("2021-01-01", "2021-02-28"), "campaign": ("2021-03-01", "2021-04-27"),
             "voting": ("2021-04-28", "2021-04-28"), "after": ("2021-04-29", "2021-04-30")}
    rejections = 0
    for _ in range(200):
        frame = pd.DataFrame({"date": days, "text": "x"})
        result = series.from_posts(frame, freq="D")
        result.frame[series.ALL_ITEMS] = rng.poisson(15, len(days))
        flagged = series.flag_windows(result, windows_frame(spans))
        ratios = compare.compare_phases(flagged, series.ALL_ITEMS).primary().set_index("window")
        rejections += ratios.loc["voting", "p_value"] < 0.05
    assert rejections / 200 <= 0.08


@pytest.mark.slow
def test_daily_autocorrelated_series_uses_robust_errors_and_keeps_false_alarms_down():
    rng = np.random.default_rng(7)
    days = pd.date_range("2021-01-01", periods=180, freq="D")
    spans = {"before": ("2021-01-01", "2021-03-31"), "campaign": ("2021-04-01", "2021-06-29")}
    rejections, reps = 0, 150
    for _ in range(reps):
        noise = np.zeros(len(days))
        for i in range(1, len(days)):
            noise[i] = 0.6 * noise[i - 1] + rng.normal(0, 0.25)
        counts = rng.poisson(20 * np.exp(noise))
        frame = pd.DataFrame({"date": np.repeat(days, 1), "text": "x"})
        result = series.from_posts(frame, freq="D")
        result.frame[series.ALL_ITEMS] = counts
        flagged = series.flag_windows(result, windows_frame(spans))
        row = compare.compare_phases(flagged, series.ALL_ITEMS).primary().iloc[0]
        assert "AR(1) plus white noise fitted by REML" in method_text(row["method"])
        rejections += row["p_value"] < 0.05
    # a plain Poisson test rejects most of these; errors from the fitted noise keep it near
    # nominal
    assert rejections / reps <= 0.12


def test_benjamini_hochberg_across_categories_matches_the_step_up_rule():
    comparisons = []
    for values in ([10, 11, 9, 30, 33, 29], [10, 12, 9, 11, 12, 10], [20, 22, 18, 25, 27, 24]):
        comparisons.append(compare.compare_phases(flagged_monthly(values), "hoax"))
    table = compare.adjust_across_categories(comparisons)
    p = table["p_value"].to_numpy()
    order = np.argsort(p)
    m = len(p)
    expected = np.minimum.accumulate((p[order] * m / np.arange(1, m + 1))[::-1])[::-1]
    assert np.allclose(table["p_bh"].to_numpy()[order], np.minimum(expected, 1))
    assert (table["p_bh"] >= table["p_value"]).all()


def _two_blocks(n_before=75, n_campaign=70):
    n = n_before + n_campaign
    return np.column_stack([np.ones(n), np.r_[np.zeros(n_before), np.ones(n_campaign)]])


def _cosines(n):
    terms = max(int(math.floor(0.4 * n ** (2 / 3))), 1)
    t = (np.arange(n) + 0.5) / n
    return np.sqrt(2.0 / n) * np.cos(np.pi * np.outer(np.arange(1, terms + 1), t))


def test_ewc_bias_factor_equals_the_explicit_residual_maker_computation():
    rng = np.random.default_rng(3)
    design = _two_blocks()
    weights = rng.uniform(5, 50, len(design))  # GLM working weights (mu / (1 + alpha mu))
    bread = np.linalg.inv(design.T @ (design * weights[:, None]))
    basis = _cosines(len(design))
    factors = engine.ewc_bias_factors(design, weights, bread, basis)
    # the same by brute force: M = I - X bread X' W, working variance V = diag(1 / w)
    n = len(weights)
    residual_maker = np.eye(n) - design @ bread @ (design * weights[:, None]).T
    variance = np.diag(1 / weights)
    contrast = (design @ bread) * weights[:, None]
    for j in range(design.shape[1]):
        a = contrast[:, j]
        true = a @ variance @ a
        expected = np.mean([(h @ residual_maker) @ variance @ (h @ residual_maker)
                            for h in basis * a]) * n
        assert factors[j] == pytest.approx(max(true / expected, 1.0), rel=1e-9)
    # residuals are demeaned within each 70-day window, so the raw EWC comes out too small
    assert factors[1] > 1.1


def test_bias_corrected_ewc_variance_is_unbiased_for_independent_noise():
    """Monte Carlo with known truth: for independent unit-variance noise the estimate's variance
    is exactly bread[1, 1]; the corrected EWC variance averages to it, the uncorrected one
    falls short (windows plus day-of-week terms: residuals demeaned many ways)."""
    rng = np.random.default_rng(11)
    n = 75 + 70 + 3 + 1 + 45
    design = np.zeros((n, 5))
    design[:, 0], design[75:145, 1], design[145:148, 2], design[148, 3] = 1, 1, 1, 1
    design[149:, 4] = 1
    day = np.arange(n) % 7
    design = np.column_stack([design] + [(day == k).astype(float) for k in range(1, 7)])
    weights = np.ones(n)
    bread = np.linalg.inv(design.T @ design)
    factor = engine.ewc_bias_factors(design, weights, bread, _cosines(n))[1]
    corrected = []
    for _ in range(4000):
        y = rng.normal(size=n)
        residual = y - design @ (bread @ design.T @ y)
        cov, _ = engine.ewc_covariance(design, design * residual[:, None], weights)
        corrected.append(cov[1, 1])
    truth = bread[1, 1]
    assert np.mean(corrected) == pytest.approx(truth, rel=0.03)
    assert np.mean(corrected) / factor < 0.9 * truth  # what the plain EWC gave


def test_moment_alpha_recovers_negative_binomial_overdispersion():
    rng = np.random.default_rng(5)
    mu = rng.uniform(20, 400, 5000)
    for alpha in (0.0, 0.05, 0.3):
        gamma = rng.gamma(1 / alpha, alpha, len(mu)) if alpha else np.ones(len(mu))
        y = rng.poisson(mu * gamma).astype(float)
        assert engine.moment_alpha(y, mu) == pytest.approx(alpha, abs=0.015 + 0.1 * alpha)


def test_robust_fit_weights_by_negative_binomial_variance_not_volume():
    """With multiplicative noise and a volume that varies tenfold, NB working weights give a
    clearly smaller sampling sd than Poisson weights (which trust busy days far too much)."""
    rng = np.random.default_rng(9)
    n_before, n_campaign = 80, 70
    design = pd.DataFrame(_two_blocks(n_before, n_campaign), columns=["const", "campaign"])
    nb_estimates, poisson_estimates = [], []
    for _ in range(300):
        volume = np.exp(rng.uniform(np.log(20), np.log(2000), len(design)))
        y = rng.poisson(volume * np.exp(rng.normal(0, 0.4, len(design)))).astype(float)
        fit = engine.fit_count_model(pd.Series(y), design, np.log(volume), True)
        nb_estimates.append(fit.params["campaign"])
        import statsmodels.api as sm

        plain = sm.GLM(y, design, family=sm.families.Poisson(), offset=np.log(volume)).fit()
        poisson_estimates.append(plain.params["campaign"])
    assert abs(np.mean(nb_estimates)) < 0.03  # no effect, no bias
    assert np.std(nb_estimates) < 0.85 * np.std(poisson_estimates)


def test_moment_alpha_corrects_for_the_rates_fitted_to_few_points():
    """Six monthly points around two fitted rates lose a third of their spread: the estimate
    with ``n_params=2`` is close to the truth on average, the uncorrected one clearly low."""
    rng = np.random.default_rng(3)
    alpha, plain, corrected = 0.3, [], []
    exposure = np.full(6, 30.0)
    in_phase = np.r_[np.zeros(3, bool), np.ones(3, bool)]
    for _ in range(4000):
        y = rng.poisson(300 * rng.gamma(1 / alpha, alpha, 6)).astype(float)
        rates = [y[~in_phase].sum() / 90, y[in_phase].sum() / 90]
        mu = exposure * np.where(in_phase, rates[1], rates[0])
        plain.append(engine.moment_alpha(y, mu))
        corrected.append(engine.moment_alpha(y, mu, n_params=2))
    assert np.mean(corrected) == pytest.approx(alpha, rel=0.15)
    assert np.mean(plain) < 0.8 * alpha


def _column_by_column_design(frame, baseline, use_dow, use_holidays):
    """The design as the engine built it with pandas column by column (before issue 13): the
    reference the array-built design must equal, value for value and in memory layout."""
    from negtrend.data.calendar import WINDOW_ORDER, holiday_covariates

    design = pd.DataFrame({"const": 1.0}, index=frame.index)
    present = set(frame["window"])
    for window in WINDOW_ORDER:
        if window != baseline and window in present:
            design[window] = (frame["window"] == window).astype(float)
    in_window = frame["window"].isin(WINDOW_ORDER)
    if in_window.any():
        first, last = frame.index[in_window].min(), frame.index[in_window].max()
        outside = frame["window"] == "outside"
        for name, mask in (("outside_early", outside & (frame.index < first)),
                           ("outside_late", outside & (frame.index > last))):
            if mask.any():
                design[name] = mask.astype(float)
    for period in frame.index[frame["window"] == "mixed"]:
        design[f"mixed_{period:%Y%m%d}"] = (frame.index == period).astype(float)
    if use_dow:
        dow = pd.Series(design.index.day_of_week, index=design.index)
        for day in range(1, 7):
            if (dow == day).any():
                design[f"dow{day}"] = (dow == day).astype(float)
    if use_holidays:
        days = design.index
        covariates = holiday_covariates(days.min(), days.max()).reindex(days, fill_value=False)
        for name in covariates.columns:
            column = covariates[name].astype(float).to_numpy()
            if column.min() == column.max():
                continue
            candidate = design.assign(**{name: column})
            if np.linalg.matrix_rank(candidate.to_numpy()) == candidate.shape[1]:
                design = candidate
    return design


def _same(a, b):
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a)
                      and math.isnan(b))


@pytest.mark.parametrize("freq", ["D", "W", "M"])
def test_array_built_design_and_fit_equal_the_column_by_column_ones(freq):
    """The designs are built as arrays (issue 13): same columns, same values, the same
    column-major layout, so the fit gives the very same numbers (not merely close ones)."""
    from negtrend.analysis import simulate

    scenario = simulate.Scenario(lead_days=40, effects={"campaign": 1.3}, nb_alpha=0.2)
    sim = simulate.simulate_series(scenario, seed=5)
    # a 90% majority leaves weeks and months split between windows: mixed periods
    flagged = series.flag_windows(simulate.aggregate(sim, freq), sim.windows, min_share=0.9)
    usable, exposure = engine.usable_rows(flagged.frame, "sim", "share")
    use = freq == "D"
    built = engine.seasonal_terms(engine.window_design(usable, "before"), use, use)
    reference = _column_by_column_design(usable, "before", use, use)
    assert list(built.columns) == list(reference.columns)
    assert {"outside_early", "campaign"} <= set(built.columns)
    if use:
        assert {"voting", "dow1", "holiday"} <= set(built.columns)
    if freq != "D":
        assert any(name.startswith("mixed_") for name in built.columns)
    assert np.array_equal(built.to_numpy(), reference.to_numpy())
    assert built.to_numpy().flags.f_contiguous and reference.to_numpy().flags.f_contiguous
    y, offset = usable["sim"].astype(float), np.log(exposure)
    for robust in (True, False):
        ours = engine.fit_count_model(y, built, offset, robust)
        theirs = engine.fit_count_model(y, reference, offset, robust)
        assert ours.params.equals(theirs.params) and ours.bse.equals(theirs.bse)
        assert (ours.df, ours.dispersion, ours.nb_alpha) == (theirs.df, theirs.dispersion,
                                                             theirs.nb_alpha)


def test_window_ratio_is_the_comparison_row():
    """compare.window_ratio (one measure, one window: what placebo dates fit) gives exactly
    the row compare_phases gives, for every window, measure and baseline."""
    from negtrend.analysis import simulate

    sim = simulate.simulate_series(simulate.Scenario(effects={"campaign": 0.8}), seed=2)
    for flagged in (sim.series, simulate.aggregate(sim, "M")):
        for baseline in ("before", "after"):
            comparison = compare.compare_phases(flagged, "sim", baseline=baseline)
            for measure in ("share", "count_per_day"):
                rows = comparison.ratios[comparison.ratios["measure"] == measure]
                for window in ("before", "campaign", "quiet", "voting", "after", "outside"):
                    got = compare.window_ratio(flagged, "sim", window, baseline=baseline,
                                               measure=measure)
                    expected = rows[rows["window"] == window]
                    if not len(expected):
                        assert got == {}
                        continue
                    expected = expected.iloc[0].to_dict()
                    assert list(got) == list(expected)
                    assert all(_same(got[k], expected[k]) for k in got), (window, measure)
            assert compare.window_ratio(flagged, "sim", "campaign", baseline=baseline) == \
                compare.window_ratio(flagged, "sim", "campaign", baseline=baseline,
                                     measure=comparison.primary_measure)
    with pytest.raises(KeyError):
        compare.window_ratio(sim.series, "nope", "campaign")
    with pytest.raises(ValueError):
        compare.window_ratio(sim.series, "sim", "campaign", baseline="later")


def test_importing_the_analysis_loads_no_statistics_library():
    """statsmodels is imported on the first fit, ruptures only for binary segmentation, and
    Student's t comes from scipy.special: importing the estimators stays light."""
    import subprocess
    import sys

    code = ("import sys\n"
            "import negtrend.analysis.compare, negtrend.analysis.placebo, negtrend.analysis.its\n"
            "import negtrend.analysis.event_study, negtrend.analysis.changepoints\n"
            "import negtrend.analysis.did, negtrend.analysis.tagging_error\n"
            "print(sorted(m for m in ('statsmodels', 'scipy.stats', 'ruptures') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
