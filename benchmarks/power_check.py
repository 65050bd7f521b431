"""Analytic against simulated power on the validation's scenarios (``validate_stats.py --power``).

The report's minimum detectable effect (MDE) comes by default from the comparison's own
standard error (``negtrend.analysis.power``, method ``analytic``); simulation stays available
(method ``simulate``). Two checks, on the series of ``validate_stats.py`` (same seeds, so the
same series):

1. **Predicted against observed power.** Each series' analytic power at its true ratio,
   averaged over the series, against the share of those series in which ``compare_periods``
   did detect the change (interval excluding 1 the right way): the rejection rate the
   simulation of the whole data-generating process gives. Target: within 5 points. The true
   ratio is taken at the series' own frequency (``effective_ratio``): a month labelled
   'campaign' also holds days outside the window, so a daily ratio of 0.5 is about 0.55
   between months.
2. **Analytic against simulated MDE.** On the first ``k`` series of each scenario, the MDE in
   the direction of the true change by both methods; the simulated one on a fine grid of
   ratios, read off by interpolating the power curve (on the log ratio) where it crosses 80%.
   Target: within 10%.

The simulation draws independent negative binomial noise around the observed design; the
scenarios' noise is autocorrelated (AR(1), rho 0.5), which the analytic error (from the
fitted AR(1) + white noise) sees and the simulation does not. Where the two disagree, check 1
says which one is right.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import sys
import time
import warnings

import numpy as np
import pandas as pd

SCENARIOS = ("decrease_0.8", "power_1.2", "power_1.2_calibrated", "power_1.2_quieter",
             "monthly_0.8", "monthly_0.5")
UPS = (1.05, 1.1, 1.15, 1.2, 1.25, 1.3, 1.35, 1.4, 1.45, 1.5, 1.6, 1.7, 1.8, 1.9, 2.0, 2.25,
       2.5, 2.75, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0, 10.0)
FINE = tuple(sorted({*UPS, *(round(1 / r, 4) for r in UPS)}))
TARGET = 0.8
BEGIN = "<!-- power-check:begin -->"
END = "<!-- power-check:end -->"


def crossing(curve: pd.DataFrame, up: bool, target: float = TARGET) -> float:
    """Where a simulated power curve first reaches ``target`` walking out from 1, by linear
    interpolation on the log ratio between the grid points around it (NaN: never)."""
    side = curve[curve["ratio"] > 1] if up else curve[curve["ratio"] < 1]
    side = side.sort_values("ratio", ascending=up)
    previous_log, previous_power = 0.0, 0.0
    for ratio, power in zip(side["ratio"], side["power"], strict=True):
        log_ratio = math.log(ratio)
        if power >= target:
            share = (target - previous_power) / (power - previous_power)
            return float(math.exp(previous_log + share * (log_ratio - previous_log)))
        previous_log, previous_power = log_ratio, power
    return math.nan


def effective_ratio(series, windows: pd.DataFrame, ratio: float) -> float:
    """The true campaign-to-baseline ratio at the series' own frequency. The change applies to
    the campaign and quiet days; a month labelled 'campaign' (most of its days in the window)
    also holds days outside it, so at monthly level the true ratio is diluted towards 1. Daily
    series: exactly ``ratio``."""
    changed = set()
    for _, row in windows[windows["window"].isin(["campaign", "quiet"])].iterrows():
        changed |= set(pd.date_range(row["start"], row["end"], freq="D"))
    frame = series.frame
    levels = {}
    for window in ("campaign", "before"):
        part = frame[frame["window"] == window]
        days = total = 0.0
        for start, end in zip(part.index, pd.to_datetime(part["period_end"]), strict=True):
            period = pd.date_range(start, end, freq="D")
            inside = sum(day in changed for day in period)
            days += len(period)
            total += inside * ratio + (len(period) - inside)
        levels[window] = total / days if days else math.nan
    return levels["campaign"] / levels["before"]


def check_series(task: tuple) -> dict:
    """One validation series: detected or not, analytic power at the truth, both MDEs."""
    from validate_stats import SPECS, draw_scenario, monthly_without_volume, series_rng

    from negtrend.analysis import compare, power, simulate

    name, index, seed, simulations = task
    spec = SPECS[name]
    rng = series_rng(seed, spec, index)
    scenario = draw_scenario(spec, rng)
    up = spec.ratio > 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = simulate.simulate_series(scenario, seed=int(rng.integers(2**31)))
        series = sim.series if spec.freq == "D" else monthly_without_volume(sim)
        comparison = compare.compare_phases(series, "sim")
        row = comparison.ratio("campaign")
        detected = bool(row.get("estimable")) and (row["ci_low"] > 1 if up
                                                   else row["ci_high"] < 1)
        truth = effective_ratio(series, sim.windows, spec.ratio)
        started = time.perf_counter()
        analytic = power.power(series, "sim", method="analytic", ratios=(truth,),
                               comparison=comparison)
        analytic_seconds = time.perf_counter() - started
        out = {"scenario": name, "index": index, "truth": spec.ratio, "effective": truth,
               "detected": detected,
               "df": float(row.get("df_resid") or math.nan),
               "predicted": float(analytic.curve["power"].iloc[0]),
               "mde_analytic": analytic.mde_increase if up else analytic.mde_decrease,
               "fallback": ",".join(n.code for n in analytic.notes
                                    if n.code.startswith("power_fallback")),
               "analytic_seconds": analytic_seconds}
        if simulations:
            started = time.perf_counter()
            side = [r for r in FINE if (r > 1) == up]  # only the direction of the change
            simulated = power.power(series, "sim", method="simulate", simulations=simulations,
                                    ratios=tuple(sorted({*side, spec.ratio})), seed=index,
                                    comparison=comparison)
            curve = simulated.curve
            at_truth = curve.loc[np.isclose(curve["ratio"], spec.ratio), "power"]
            out.update(mde_simulated=crossing(curve, up),
                       simulated_at_truth=float(at_truth.iloc[0]) if len(at_truth)
                       else math.nan,
                       simulate_seconds=time.perf_counter() - started)
    return out


def run(sims: int, mde_series: int, simulations: int, seed: int, workers: int,
        scenarios=SCENARIOS) -> pd.DataFrame:
    tasks = [(name, i, seed, simulations if i < mde_series else 0)
             for name in scenarios for i in range(sims)]
    tasks.sort(key=lambda task: -task[3])  # the slow ones first, so the pool stays busy
    started, rows = time.time(), []
    with mp.get_context("spawn").Pool(workers, initializer=_worker) as pool:
        for k, row in enumerate(pool.imap_unordered(check_series, tasks), 1):
            rows.append(row)
            if k % 100 == 0 or k <= len([t for t in tasks if t[3]]):
                print(f"  {k}/{len(tasks)} series, {time.time() - started:.0f}s",
                      file=sys.stderr, flush=True)
    return pd.DataFrame(rows).sort_values(["scenario", "index"]).reset_index(drop=True)


def _worker():
    import os
    from pathlib import Path

    warnings.simplefilter("ignore")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    sys.path.insert(0, str(Path(__file__).resolve().parent))


def summarise(results: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for name in SCENARIOS:
        part = results[results["scenario"] == name]
        if part.empty:
            continue
        n = len(part)
        observed = part["detected"].mean()
        observed_se = math.sqrt(observed * (1 - observed) / n)
        both = (part.dropna(subset=["mde_simulated"]) if "mde_simulated" in part
                else part.iloc[:0].assign(mde_simulated=[], simulated_at_truth=[],
                                          simulate_seconds=[]))
        gap = (both["mde_analytic"] / both["mde_simulated"] - 1).abs()
        rows.append({
            "scenario": name, "truth": part["truth"].iloc[0], "n": n,
            "effective": part["effective"].median(),
            "df": part["df"].median(),
            "observed": observed, "observed_se": observed_se,
            "predicted": part["predicted"].mean(),
            "difference": part["predicted"].mean() - observed,
            "fallbacks": int((part["fallback"].fillna("") != "").sum()),
            "k": len(both),
            "simulated_at_truth": both["simulated_at_truth"].mean() if len(both) else math.nan,
            "mde_analytic": both["mde_analytic"].median() if len(both) else math.nan,
            "mde_simulated": both["mde_simulated"].median() if len(both) else math.nan,
            "mde_gap_median": gap.median() if len(both) else math.nan,
            "within_10": (gap <= 0.10).mean() if len(both) else math.nan,
            "analytic_ms": 1000 * part["analytic_seconds"].median(),
            "simulate_s": both["simulate_seconds"].median() if len(both) else math.nan,
        })
    return pd.DataFrame(rows).set_index("scenario")


def section(summary: pd.DataFrame, provenance: str) -> list[str]:
    def pts(value):
        return f"{100 * value:+.1f}"

    lines = [BEGIN, "", "## Power: analytic against simulated", "", __doc__.split("\n\n", 1)[1]
             .strip(), "", f"Source: {provenance}.", "",
             "| scenario | true ratio | at the series' frequency (median) | n | t df (median) | "
             "detected (rejection rate) | analytic power, mean | difference (points) | "
             "auto fell back |", "|---|---|---|---|---|---|---|---|---|"]
    for name, s in summary.iterrows():
        lines.append(
            f"| `{name}` | {s['truth']:g} | {s['effective']:.3f} | {int(s['n'])} | "
            f"{s['df']:.0f} | "
            f"{100 * s['observed']:.1f} ± {100 * s['observed_se']:.1f} | "
            f"{100 * s['predicted']:.1f} | {pts(s['difference'])} | {int(s['fallbacks'])} |")
    lines += ["", "| scenario | k | simulated power at the nominal ratio, mean | MDE analytic "
              "(median) | MDE simulated (median) | analytic/simulated − 1, median abs | "
              "within 10% | analytic (ms) | simulated (s) |",
              "|---|---|---|---|---|---|---|---|---|"]
    for name, s in summary.iterrows():
        if not s["k"]:
            continue
        lines.append(
            f"| `{name}` | {int(s['k'])} | {100 * s['simulated_at_truth']:.1f} | "
            f"{s['mde_analytic']:.3f} | {s['mde_simulated']:.3f} | "
            f"{100 * s['mde_gap_median']:.1f}% | {100 * s['within_10']:.0f}% | "
            f"{s['analytic_ms']:.0f} | {s['simulate_s']:.0f} |")
    lines += ["", END]
    return lines
