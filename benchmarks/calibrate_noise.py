"""Measure the extra-Poisson noise of real daily count series, to set the simulation's noise.

    .venv/bin/python benchmarks/calibrate_noise.py            # prints the table
    .venv/bin/python benchmarks/calibrate_noise.py --json out.json

``negtrend.simulate`` puts AR(1) noise on the log rate (``ar``, ``noise_sd``) on top of
negative binomial counts. This script estimates the same two numbers from real daily series in
``../shared/data`` (skipped cleanly when absent):

* TurnBackHoax fact-check titles (``turnbackhoax_titles_2015_2021``): titles per day, low
  counts;
* YouTube comments (``youtube_judol_comments_2013_2025/labeled_comments.csv``, timestamp
  ``published_at`` in ``%m/%d/%y %H:%M``): comments per day in the busy spans of 2025, and the
  share of labelled gambling comments (``target`` = 1) among them (a Poisson GLM with the
  day's comments as exposure, days without comments left out): the quantity that the
  simulation's log-share noise stands for.

Both are read with ``negtrend.load_source`` (posts, Asia/Jakarta days) and counted per calendar
day, days without items counted as 0.

Method, per series (a span of days):

1. Poisson GLM of the daily count on day-of-week dummies and a smooth trend: a natural cubic
   regression spline of time (patsy ``cr``) with one degree of freedom per 30 days (at least
   4). The spline takes up changes slower than about a month, so what is left is the
   day-to-day noise the simulation's AR(1) (rho 0.5, memory of a few days) stands for.
2. Residual log rate ``r_t = log(y_t + 0.5) - E[log(Y + 0.5) | Y ~ Poisson(mu_t)]``, with the
   expectation and the Poisson variance ``v_t = Var[log(Y + 0.5) | Poisson(mu_t)]`` computed
   exactly from the Poisson pmf (``v_t`` is about ``1 / mu_t`` for large ``mu_t``, but not at
   the 3-7 items a day of the TurnBackHoax series).
3. Method of moments: extra-Poisson variance ``V = var(r) * n / (n - p) - mean(v_t)``
   (``p`` GLM parameters; clipped at 0); lag-1 autocovariance ``g1`` of ``r`` (Poisson noise
   is independent from day to day, so ``g1`` is all extra noise); ``rho = g1 / V`` (clipped to
   [-0.95, 0.95]); AR(1) innovation sd ``sqrt(V * (1 - rho^2))``; stationary sd ``sqrt(V)``.

Caveats (they are printed with the table). The whole extra-Poisson variance is attributed to
one AR(1): the simulation adds NB overdispersion (alpha 0.05, about 0.05 of log-rate variance,
white) on top of its AR(1), so a scenario with these AR(1) numbers *and* NB alpha 0.05 is
noisier than the data. The count series have no separate collection volume, so their noise
includes the variation of the volume, which a share measure divides out: an upper bound for the
noise of a share (the judol-share rows divide it out). At 3-10 items a day ``V`` is a small
difference of two larger numbers and ``rho`` is poorly determined.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"


@dataclass(frozen=True)
class Span:
    name: str
    path: str  # under SHARED
    column_map: dict
    start: str
    end: str
    timestamp_format: str | None = None
    share_of: str | None = None  # count the items where this column is "1", total as exposure


TBH = "turnbackhoax_titles_2015_2021/turnbackhoax_titles_2015_2021.csv"
YT = "youtube_judol_comments_2013_2025/labeled_comments.csv"
TBH_MAP = {"text": "title", "timestamp": "date"}
YT_MAP = {"text": "comment_text", "timestamp": "published_at"}
YT_FMT = "%m/%d/%y %H:%M"
SPANS = [
    Span("TurnBackHoax titles", TBH, TBH_MAP, "2018-01-01", "2019-12-31"),
    Span("TurnBackHoax titles", TBH, TBH_MAP, "2020-04-01", "2021-03-31"),
    Span("YouTube comments", YT, YT_MAP, "2025-04-01", "2025-08-31", YT_FMT),
    # the scrape ends on 12 Nov 2025; its last days are incomplete
    Span("YouTube comments", YT, YT_MAP, "2025-09-01", "2025-11-09", YT_FMT),
    # the simulated quantity itself: the share of a category (labelled gambling comments,
    # column ``target``) among all items, the day's comments as exposure
    Span("YouTube judol share", YT, YT_MAP, "2025-04-01", "2025-08-31", YT_FMT, "target"),
    Span("YouTube judol share", YT, YT_MAP, "2025-09-01", "2025-11-09", YT_FMT, "target"),
]


def daily_counts(span: Span, cache: dict) -> tuple[pd.Series, pd.Series | None]:
    """Items per calendar day (Asia/Jakarta) over the span, 0 on days without items; with
    ``share_of``, the category's items per day and all items per day (the exposure)."""
    import negtrend

    key = (span.path, span.timestamp_format)
    if key not in cache:
        cache[key] = negtrend.load_source(SHARED / span.path, kind="posts",
                                          column_map=span.column_map,
                                          timestamp_format=span.timestamp_format).data
    data = cache[key]
    stamps = data["timestamp"].dt.tz_localize(None).dt.normalize()
    days = pd.date_range(span.start, span.end, freq="D")
    total = stamps.value_counts().reindex(days, fill_value=0).astype(float)
    if span.share_of is None:
        return total, None
    hits = stamps[data[span.share_of].astype(str).str.strip() == "1"]
    return hits.value_counts().reindex(days, fill_value=0).astype(float), total


def poisson_log_moments(mu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """E and Var of log(Y + 0.5) for Y ~ Poisson(mu), from the pmf."""
    top = int(np.max(mu) + 12 * np.sqrt(np.max(mu)) + 30)
    k = np.arange(top + 1)
    logs = np.log(k + 0.5)
    pmf = sps.poisson.pmf(k[None, :], mu[:, None])
    mean = pmf @ logs
    var = pmf @ logs**2 - mean**2
    return mean, var


def measure(counts: pd.Series, exposure: pd.Series | None = None) -> dict:
    """The extra-Poisson AR(1) noise of one daily series (see the module docstring)."""
    import patsy
    import statsmodels.api as sm

    if exposure is not None:  # days with no items at all say nothing about a share
        keep = exposure > 0
        counts, exposure = counts[keep], exposure[keep]
    n = len(counts)
    t = np.arange(n, dtype=float)
    df = max(4, int(round(n / 30)))
    trend = np.asarray(patsy.dmatrix(f"cr(t, df={df}) - 1", {"t": t}))
    dow = pd.get_dummies(counts.index.day_of_week, prefix="dow", drop_first=True).to_numpy(float)
    design = np.column_stack([np.ones(n), trend, dow])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        offset = None if exposure is None else np.log(exposure.to_numpy())
        fit = sm.GLM(counts.to_numpy(), design, family=sm.families.Poisson(),
                     offset=offset).fit()
    mu = np.asarray(fit.fittedvalues)
    p = int(np.linalg.matrix_rank(design))
    mean, v_pois = poisson_log_moments(mu)
    r = np.log(counts.to_numpy() + 0.5) - mean
    r = r - r.mean()
    total = float(np.mean(r**2)) * n / (n - p)
    extra = max(total - float(np.mean(v_pois)), 0.0)
    g1 = float(np.mean(r[1:] * r[:-1]))
    rho = float(np.clip(g1 / extra, -0.95, 0.95)) if extra > 0 else math.nan
    innovation = math.sqrt(extra * (1 - rho**2)) if extra > 0 else 0.0
    return {"days": n, "mean_per_day": float(counts.mean()), "spline_df": df,
            "var_total": total, "var_poisson": float(np.mean(v_pois)), "var_extra": extra,
            "lag1_autocov": g1, "rho": rho, "innovation_sd": innovation,
            "stationary_sd": math.sqrt(extra)}


def run() -> list[dict]:
    rows, cache = [], {}
    for span in SPANS:
        if not (SHARED / span.path).exists():
            print(f"skipped {span.name}: {SHARED / span.path} not found", file=sys.stderr)
            continue
        counts, exposure = daily_counts(span, cache)
        rows.append({"series": span.name, "span": f"{span.start} – {span.end}",
                     **measure(counts, exposure)})
    return rows


def summary(rows: list[dict]) -> dict:
    """Medians over the series (rho over series where it is defined)."""
    rhos = [r["rho"] for r in rows if math.isfinite(r["rho"])]
    return {"n_series": len(rows),
            "median_innovation_sd": float(np.median([r["innovation_sd"] for r in rows]))
            if rows else math.nan,
            "median_rho": float(np.median(rhos)) if rhos else math.nan,
            "median_stationary_sd": float(np.median([r["stationary_sd"] for r in rows]))
            if rows else math.nan}


def table(rows: list[dict]) -> str:
    lines = ["| series | span | days | mean count/day | Poisson var | extra var | rho | "
             "innovation sd | stationary sd |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['series']} | {r['span']} | {r['days']} | {r['mean_per_day']:.1f} | "
                     f"{r['var_poisson']:.3f} | {r['var_extra']:.3f} | {r['rho']:.2f} | "
                     f"{r['innovation_sd']:.3f} | {r['stationary_sd']:.3f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, default=None, help="also write the rows here")
    args = parser.parse_args(argv)
    if not SHARED.exists():
        print(f"{SHARED} not found; nothing to measure", file=sys.stderr)
        return 0
    rows = run()
    med = summary(rows)
    print(table(rows))
    print(f"\nmedian over {med['n_series']} series: rho {med['median_rho']:.2f}, innovation sd "
          f"{med['median_innovation_sd']:.3f}, stationary sd {med['median_stationary_sd']:.3f}")
    print("simulate.Scenario defaults: rho 0.5, innovation sd 0.15 (stationary sd 0.173), plus "
          "NB alpha 0.05 (about 0.05 more log-rate variance, white)")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "summary": med}, indent=1),
                             encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
