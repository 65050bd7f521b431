"""Power and the minimum detectable effect, by simulation, so a null result is read correctly.

"No significant change" from twelve noisy monthly figures says little; the minimum detectable
rate ratio (MDE) says how large a change these data could have shown. The simulation keeps the
observed design - the periods in the baseline and in the phase, their exposures, the level and
the overdispersion measured on the series - injects a rate ratio, and refits with the same
method; the MDE is the smallest ratio detected (interval excluding 1 in the right direction)
in at least ``target`` of the simulations.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from negtrend.analysis.compare import compare_phases
from negtrend.analysis.engine import moment_alpha, usable_rows
from negtrend.data.series import SeriesResult
from negtrend.jsonable import jsonable


@dataclass(frozen=True)
class PowerResult:
    mde_increase: float  # smallest ratio > 1 detected with the target power (NaN: none tried)
    mde_decrease: float  # largest ratio < 1 detected with the target power
    target: float
    simulations: int
    alpha_nb: float
    curve: pd.DataFrame  # ratio, power

    def to_dict(self) -> dict:
        return jsonable({"mde_increase": self.mde_increase, "mde_decrease": self.mde_decrease,
                         "target": self.target, "simulations": self.simulations,
                         "nb_alpha": self.alpha_nb,
                         "curve": self.curve[["ratio", "power"]].astype(float).to_dict(
                             orient="records")})


def _overdispersion(counts, exposure, in_phase) -> tuple[float, float]:
    """Baseline rate, and NB alpha by the engine's moment estimator around each group's own
    rate (the means the simulation draws around)."""
    rates = [counts[group].sum() / exposure[group].sum() for group in (~in_phase, in_phase)]
    mu = exposure * np.where(in_phase, rates[1], rates[0])
    return rates[0], moment_alpha(counts, mu, n_params=2)


def _walk(downs, ups, rows, target):
    """Yield ratios outward from 1; a direction stops once a ratio reaches the target."""
    for direction in (downs, ups):
        for ratio in direction:
            yield ratio
            if rows and rows[-1]["power"] >= target:
                break


def power(
    series: SeriesResult,
    category: str,
    phase: str = "campaign",
    baseline: str = "before",
    ratios: tuple[float, ...] = (0.1, 0.25, 0.33, 0.5, 0.6, 0.7, 0.8, 0.9, 1.1, 1.25, 1.5,
                                 1.75, 2.0, 3.0, 4.0, 10.0),
    simulations: int = 100,
    target: float = 0.8,
    alpha: float = 0.05,
    seed: int = 0,
) -> PowerResult:
    """Power on a grid of ratios and the minimum detectable rate ratio in each direction (NaN
    when no ratio on the grid reaches the target: even that large a change could be missed)."""
    comparison = compare_phases(series, category, baseline=baseline, alpha=alpha)
    part, exposure = usable_rows(series.frame, category, comparison.primary_measure)
    exposure = exposure.to_numpy()
    counts = part[category].astype(float).to_numpy()
    in_phase = (part["window"] == phase).to_numpy()
    in_baseline = part["window"].eq(baseline).to_numpy()
    if simulations <= 0 or not in_phase.any() or in_phase.all() or not in_baseline.any():
        # none asked for, or nothing to compare: simulations 0 says power is not known
        empty = pd.DataFrame({"ratio": [], "power": []})
        return PowerResult(math.nan, math.nan, target, 0, math.nan, empty)
    compared = part["window"].isin([phase, baseline]).to_numpy()
    rate, alpha_nb = _overdispersion(counts[compared], exposure[compared], in_phase[compared])
    if rate == 0:  # nothing to scale: no change in a series of zeros can be detected
        return PowerResult(math.nan, math.nan, target, 0, math.nan,
                           pd.DataFrame({"ratio": [], "power": []}))
    rng = np.random.default_rng(seed)
    template = series.frame.loc[part.index].copy()
    rows = []
    # walk away from 1 in each direction and stop at the first ratio with enough power
    downs = sorted((r for r in ratios if r < 1), reverse=True)
    ups = sorted(r for r in ratios if r > 1)
    for ratio in _walk(downs, ups, rows, target):
        mean = rate * exposure * np.where(in_phase, ratio, 1.0)
        detected = 0
        for _ in range(simulations):
            draw = mean * (rng.gamma(1 / alpha_nb, alpha_nb, len(mean)) if alpha_nb > 0 else 1)
            simulated = template.copy()
            simulated[category] = rng.poisson(draw).astype(float)
            result = compare_phases(SeriesResult(simulated, series.categories, series.freq,
                                                 series.exposure), category, baseline=baseline,
                                    alpha=alpha)
            row = result.ratio(phase)
            if not row or not bool(row["estimable"]):
                continue
            low, high = float(row["ci_low"]), float(row["ci_high"])
            detected += (low > 1) if ratio > 1 else (high < 1)
        rows.append({"ratio": ratio, "power": detected / simulations})
    curve = pd.DataFrame(rows).sort_values("ratio").reset_index(drop=True)
    up = curve[(curve["ratio"] > 1) & (curve["power"] >= target)]["ratio"]
    down = curve[(curve["ratio"] < 1) & (curve["power"] >= target)]["ratio"]
    return PowerResult(float(up.min()) if len(up) else math.nan,
                       float(down.max()) if len(down) else math.nan,
                       target, simulations, alpha_nb, curve)
