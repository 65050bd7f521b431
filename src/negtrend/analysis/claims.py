"""Public claims to test (``config/claims.yaml``) and whether a comparison supports one."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from negtrend.data import paths
from negtrend.data.calendar import WINDOW_ORDER

DIRECTIONS = ("decrease", "increase")


class ClaimError(ValueError):
    """An unknown or malformed claim."""


@dataclass(frozen=True)
class Claim:
    id: str
    claimant: str
    date: str
    direction: str
    phase: str
    baseline: str
    quote: str
    summary: str
    source: str
    caveat: str = ""
    summary_id: str = ""  # the summary and caveat in Bahasa Indonesia, for reports in "id"
    caveat_id: str = ""


def load_claims(path: str | Path | None = None) -> dict[str, Claim]:
    path = Path(path) if path else paths.config_dir() / "claims.yaml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    claims = {}
    for claim_id, entry in (raw.get("claims") or {}).items():
        for key in ("direction", "phase", "baseline", "summary", "source"):
            if not entry.get(key):
                raise ClaimError(f"{path}: claim '{claim_id}', field '{key}': required")
        if entry["direction"] not in DIRECTIONS:
            raise ClaimError(f"{path}: claim '{claim_id}', field 'direction': expected one of "
                             f"{DIRECTIONS}, got {entry['direction']!r}")
        for key in ("phase", "baseline"):
            if entry[key] not in WINDOW_ORDER:
                raise ClaimError(f"{path}: claim '{claim_id}', field '{key}': expected one of "
                                 f"{WINDOW_ORDER}, got {entry[key]!r}")
        claims[claim_id] = Claim(
            id=claim_id, claimant=str(entry.get("claimant", "")), date=str(entry.get("date", "")),
            direction=entry["direction"], phase=entry["phase"], baseline=entry["baseline"],
            quote=" ".join(str(entry.get("quote", "")).split()),
            summary=" ".join(str(entry["summary"]).split()), source=str(entry["source"]),
            caveat=" ".join(str(entry.get("caveat", "")).split()),
            summary_id=" ".join(str(entry.get("summary_id", "")).split()),
            caveat_id=" ".join(str(entry.get("caveat_id", "")).split()),
        )
    return claims


def get_claim(claim_id: str, path: str | Path | None = None) -> Claim:
    claims = load_claims(path)
    if claim_id not in claims:
        raise ClaimError(f"unknown claim '{claim_id}'; known: {', '.join(claims) or 'none'}")
    return claims[claim_id]


def assess(direction: str, outcome: str) -> str:
    """What a comparison outcome (higher/lower/inconclusive/not estimable) says of a claim."""
    if outcome in ("inconclusive", "not estimable"):
        return outcome
    agrees = (outcome == "lower") == (direction == "decrease")
    return "supported" if agrees else "contradicted"


def placebo_minimum(alpha: float) -> int:
    """Placebo dates needed before the permutation p can fall below ``alpha``: with n dates
    the smallest p is 1 / (n + 1)."""
    import math

    return math.ceil(1 / alpha) - 1


def check_claim(
    series,
    category: str,
    windows,
    direction: str = "decrease",
    phase: str = "campaign",
    baseline: str = "before",
    alpha: float = 0.05,
    placebo_step: int | None = None,
    power_simulations: int = 100,
    seed: int = 0,
    placebo_result=None,
    power_result=None,
    comparison=None,
) -> dict:
    """Supported, contradicted or inconclusive - with the evidence behind the verdict.

    Supported needs the interval to exclude 1 in the claimed direction *and*, where enough
    placebo dates exist for the permutation p to fall below alpha (``placebo_minimum``), the
    placebo check to agree: a model-based interval alone is not enough to back a public claim
    when the series can say how unusual the change is. Contradicted needs the same the other
    way (the interval excludes 1 against the claim, and the placebo check agrees): refuting a
    claim is a claim too. Anything else is inconclusive, and the minimum detectable effect
    says how large a change the data could have shown. A report that has already run the
    placebo check and the power simulation for the same phase and baseline passes them in
    (``placebo_result``, ``power_result``) instead of running them again, and likewise the
    ``stats.compare_phases`` result for this category, baseline and alpha (``comparison``).
    """
    import math

    from negtrend.analysis import placebo, power, stats
    from negtrend.jsonable import jsonable

    if direction not in DIRECTIONS:
        raise ClaimError(f"direction must be one of {DIRECTIONS}, got {direction!r}")
    if comparison is None:
        comparison = stats.compare_phases(series, category, baseline=baseline, alpha=alpha)
    elif (comparison.category, comparison.baseline, comparison.alpha) != (category, baseline,
                                                                           alpha):
        raise ValueError(
            f"the comparison passed in is for category {comparison.category!r}, baseline "
            f"{comparison.baseline!r}, alpha {comparison.alpha}; this claim needs "
            f"{category!r}, {baseline!r}, {alpha}")
    rows = comparison.primary()
    rows = rows[rows["window"] == phase]
    row = rows.iloc[0].to_dict() if len(rows) else {}
    check = placebo_result or placebo.placebo(series, windows, category, phase, baseline,
                                              step=placebo_step)
    detectable = power_result or (power.power(series, category, phase, baseline, alpha=alpha,
                                              simulations=power_simulations, seed=seed)
                                  if power_simulations > 0 else None)
    outcome = stats.verdict(row) if row else "not estimable"
    verdict = assess(direction, outcome)
    notes = []
    n_placebos = check.effect["n_placebos"]
    informative = n_placebos >= placebo_minimum(alpha)
    if (verdict in ("supported", "contradicted") and informative
            and math.isfinite(check.p_value) and check.p_value >= alpha):
        verdict = "inconclusive"
        notes.append(f"the interval excludes 1 but placebo dates give ratios this far from 1 "
                     f"as often as p = {check.p_value:.2f}")
    elif 0 < n_placebos < placebo_minimum(alpha):
        notes.append(f"only {n_placebos} placebo dates fit in the data, too few for the "
                     f"placebo check to reach p < {alpha:g}; the verdict rests on the interval")
    if verdict == "not estimable":
        verdict = "inconclusive"
        notes.append(row.get("note") or f"no '{phase}' period to compare")
    if not math.isfinite(check.p_value):
        notes.append("no placebo dates fit in the data outside the election windows")

    mde = mde_other = math.nan
    if detectable is None:
        notes.append("power not computed (power_simulations = 0)")
    else:
        mde = detectable.mde_decrease if direction == "decrease" else detectable.mde_increase
        mde_other = (detectable.mde_increase if direction == "decrease"
                     else detectable.mde_decrease)
    if detectable is not None and not math.isfinite(mde):
        extreme = "a tenth of" if direction == "decrease" else "ten times"
        notes.append(f"even the largest change tried ({extreme} the baseline rate) would be "
                     f"detected in fewer than {detectable.target:.0%} of simulations: these "
                     "data have almost no power to test this claim")

    return jsonable({
        "verdict": verdict,
        "direction": direction,
        "category": category,
        "phase": phase,
        "baseline": baseline,
        "measure": comparison.primary_measure,
        "estimate": row.get("estimate"),
        "ci_low": row.get("ci_low"),
        "ci_high": row.get("ci_high"),
        "p_value": row.get("p_value"),
        "alpha": alpha,
        "method": row.get("method", ""),
        "placebo_p": check.p_value,
        "n_placebos": check.effect["n_placebos"],
        "mde": mde,
        "mde_other_direction": mde_other,
        "power_simulations": detectable.simulations if detectable else 0,
        "notes": notes,
    })
