"""What the errors from the fitted noise cost (issue 16): one daily comparison and one claim
check with placebo dates, with the errors now used (``ar_noise``) and the earlier EWC errors
side by side in the same run, on simulated daily series of three lengths.

    .venv/bin/python benchmarks/bench_errors.py            # median of 7 runs per cell
    .venv/bin/python benchmarks/bench_errors.py --repeat 3

A comparison fits the share and the count per day (two fits); the claim check refits the
share at every placebo date (7-day step) as well. One process, one thread for BLAS
(``OMP_NUM_THREADS=1``, as the validation runs); timings exclude imports and the first call.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")

LENGTHS = ((75, 60), (400, 400), (900, 800))  # (days before the campaign, days after voting)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    from negtrend.analysis import claims, compare, engine, simulate

    warnings.simplefilter("ignore")
    print("| days | errors | compare_phases (ms) | check_claim (ms) | placebo dates |")
    print("|---|---|---|---|---|")
    for before, after in LENGTHS:
        scenario = simulate.Scenario(lead_days=before - 75, before_days=75, campaign_days=70,
                                     after_days=after, noise_sd=0.3)
        sim = simulate.simulate_series(scenario, seed=1)
        for errors in ("ewc", "ar_noise"):
            engine.ROBUST_ERRORS = errors
            compare.compare_phases(sim.series, "sim")
            check = claims.check_claim(sim.series, "sim", sim.windows, direction="decrease",
                                       power_simulations=0)
            times = {"compare": [], "claim": []}
            for _ in range(args.repeat):
                started = time.perf_counter()
                compare.compare_phases(sim.series, "sim")
                times["compare"].append(time.perf_counter() - started)
                started = time.perf_counter()
                claims.check_claim(sim.series, "sim", sim.windows, direction="decrease",
                                   power_simulations=0)
                times["claim"].append(time.perf_counter() - started)
            print(f"| {len(sim.series.frame)} | {errors} | "
                  f"{1000 * statistics.median(times['compare']):.0f} | "
                  f"{1000 * statistics.median(times['claim']):.0f} | {check['n_placebos']} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
