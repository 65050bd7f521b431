"""Whether the data support a public claim: the interval, the placebo check and the power.

The claims themselves (who said what) are data: ``negtrend.data.claims``.
"""

from __future__ import annotations

import math

from negtrend.analysis import placebo, power
from negtrend.analysis.compare import compare_phases
from negtrend.analysis.effect import row_verdict
from negtrend.analysis.engine import usable_rows
from negtrend.analysis.notes import NOTHING_FITTED, Note, note
from negtrend.data.claims import (
    DIRECTIONS,
    Claim,
    ClaimError,
    check_claim_spec,
    get_claim,
    load_claims,
)
from negtrend.jsonable import jsonable

__all__ = ["DIRECTIONS", "VERDICTS", "Claim", "ClaimError", "assess", "check_claim",
           "check_claim_spec", "empty_window", "get_claim", "load_claims", "placebo_minimum"]

# "inconclusive": the data were tested and could not tell; "untestable": the claim's phase or
# baseline window holds no data, so nothing was tested at all.
VERDICTS = ("supported", "contradicted", "inconclusive", "untestable")


def assess(direction: str, outcome: str) -> str:
    """What a comparison outcome (higher/lower/inconclusive/not estimable) says of a claim."""
    if outcome in ("inconclusive", "not estimable"):
        return outcome
    agrees = (outcome == "lower") == (direction == "decrease")
    return "supported" if agrees else "contradicted"


def placebo_minimum(alpha: float) -> int:
    """Placebo dates needed before the permutation p can fall below ``alpha``: with n dates
    the smallest p is 1 / (n + 1)."""
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
    power_method: str = "auto",
    placebo_result=None,
    power_result=None,
    comparison=None,
) -> dict:
    """Supported, contradicted, inconclusive or untestable - with the evidence behind it.

    Untestable: the claim's phase or baseline window holds no usable period of the series
    (the data start later, end earlier, or the window is shorter than a period); the check
    stops there, with one note naming the window, its dates and the data's span, and runs
    neither the placebo check nor the power simulation. Inconclusive is kept for data that
    were tested and could not tell.

    Supported needs the interval to exclude 1 in the claimed direction *and*, where enough
    placebo dates exist for the permutation p to fall below alpha (``placebo_minimum``), the
    placebo check to agree: a model-based interval alone is not enough to back a public claim
    when the series can say how unusual the change is. Contradicted needs the same the other
    way (the interval excludes 1 against the claim, and the placebo check agrees): refuting a
    claim is a claim too. Anything else is inconclusive, and the minimum detectable effect
    says how large a change the data could have shown. A report that has already run the
    placebo check and the power simulation for the same phase and baseline passes them in
    (``placebo_result``, ``power_result``) instead of running them again, and likewise the
    ``compare_phases`` result for this category, baseline and alpha (``comparison``).

    Returns a dict of JSON-safe numbers and codes (``reason`` is the untestable note, else
    None), plus ``method`` and ``notes`` as notes for the report layer to write out.
    """
    check_claim_spec(direction, phase, baseline)
    if comparison is None:
        comparison = compare_phases(series, category, baseline=baseline, alpha=alpha)
    elif (comparison.category, comparison.baseline, comparison.alpha) != (category, baseline,
                                                                           alpha):
        raise ValueError(
            f"the comparison passed in is for category {comparison.category!r}, baseline "
            f"{comparison.baseline!r}, alpha {comparison.alpha}; this claim needs "
            f"{category!r}, {baseline!r}, {alpha}")
    row = comparison.ratio(phase)
    empty = empty_window(series, windows, category, comparison.primary_measure,
                         (baseline, phase))
    if empty is not None:
        return _untestable(empty, direction, category, phase, baseline, alpha,
                           comparison.primary_measure)
    check = placebo_result or placebo.placebo(series, windows, category, phase, baseline,
                                              step=placebo_step)
    detectable = power_result or (power.power(series, category, phase, baseline, alpha=alpha,
                                              simulations=power_simulations, seed=seed,
                                              method=power_method, comparison=comparison)
                                  if power_simulations > 0 else None)
    verdict, notes = _verdict(direction, row, phase, check, alpha)
    mde = mde_other = math.nan
    if detectable is None:
        notes.append(note("power_not_computed"))
    elif not detectable.computed:  # nothing to compute power from: no rate in the windows
        notes.append(note("power_not_estimable"))
    else:
        mde = detectable.mde_decrease if direction == "decrease" else detectable.mde_increase
        mde_other = (detectable.mde_increase if direction == "decrease"
                     else detectable.mde_decrease)
        if not math.isfinite(mde):
            notes.append(note(f"no_power_{direction}", target=detectable.target))
        notes += [n for n in detectable.notes if n.code.startswith("power_fallback")]
    numbers = jsonable({
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
        "placebo_p": check.p_value,
        "n_placebos": check.effect["n_placebos"],
        "mde": mde,
        "mde_other_direction": mde_other,
        "power_method": detectable.method if detectable else "none",
        "power_simulations": detectable.simulations if detectable else 0,
        "reason": None,
    })
    return {**numbers, "method": row.get("method", NOTHING_FITTED), "notes": notes}


def empty_window(series, windows, category: str, measure: str, names) -> Note | None:
    """The first of the windows ``names`` with no usable period of the series (a known count
    and a positive exposure), as a note with the window's dates and the series' span."""
    if "window" not in series.frame:
        raise ValueError("flag the series with election windows first (series.flag_windows)")
    usable, _ = usable_rows(series.frame, category, measure)
    present = set(usable["window"])
    for name in names:
        if name in present:
            continue
        dates = windows.set_index("window")
        start, end = ((f"{dates.loc[name, 'start']:%Y-%m-%d}", f"{dates.loc[name, 'end']:%Y-%m-%d}")
                      if name in dates.index else ("?", "?"))
        frame = series.frame
        return note("claim_window_empty", window=name, start=start, end=end, freq=series.freq,
                    first=f"{frame.index.min():%Y-%m-%d}",
                    last=f"{frame['period_end'].max():%Y-%m-%d}")
    return None


def _untestable(reason: Note, direction: str, category: str, phase: str, baseline: str,
                alpha: float, measure: str) -> dict:
    """The record of a claim whose window holds no data: no estimate, no placebo, no power."""
    numbers = jsonable({
        "verdict": "untestable", "direction": direction, "category": category,
        "phase": phase, "baseline": baseline, "measure": measure, "estimate": None,
        "ci_low": None, "ci_high": None, "p_value": None, "alpha": alpha, "placebo_p": None,
        "n_placebos": 0, "mde": None, "mde_other_direction": None, "power_method": "none",
        "power_simulations": 0,
    })
    return {**numbers, "reason": reason, "method": NOTHING_FITTED, "notes": [reason]}


def _verdict(direction: str, row: dict, phase: str, check, alpha: float) -> tuple[str, list]:
    """The verdict from the interval, vetoed by the placebo check where it can speak."""
    outcome = row_verdict(row) if row else "not estimable"
    verdict = assess(direction, outcome)
    notes = []
    n_placebos = check.effect["n_placebos"]
    informative = n_placebos >= placebo_minimum(alpha)
    if (verdict in ("supported", "contradicted") and informative
            and math.isfinite(check.p_value) and check.p_value >= alpha):
        verdict = "inconclusive"
        notes.append(note("placebo_disagrees", p=check.p_value))
    elif 0 < n_placebos < placebo_minimum(alpha):
        notes.append(note("few_placebos", n=n_placebos, alpha=alpha))
    if verdict == "not estimable":
        verdict = "inconclusive"
        notes.append(row.get("note") or note("no_phase_period", phase=phase))
    if n_placebos == 0:  # with some placebo dates but no real estimate, "few_placebos" speaks
        notes.append(note("no_placebos"))
    return verdict, notes
