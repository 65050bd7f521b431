"""Plain-language result sentences, written from result data (never typed by hand)."""

from __future__ import annotations

import math

import pandas as pd

from negtrend.stats import MEASURES, PhaseComparison, verdict

WINDOW_PHRASES = {
    "campaign": "during the campaign",
    "quiet": "during the quiet period",
    "voting": "on voting day",
    "after": "after the vote",
    "before": "before the campaign",
}
BASELINE_PHRASES = {**WINDOW_PHRASES, "before": "before it"}


def number(value: float, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    return f"{value:,.{digits}f}"


def p_text(p: float) -> str:
    if p is None or math.isnan(p):
        return "p n/a"
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"


def ratio_sentence(row: dict | pd.Series, category: str, alpha: float) -> str:
    """One sentence for one window-vs-baseline rate ratio, saying inconclusive when it is."""
    row = dict(row)
    where = WINDOW_PHRASES.get(row["window"], f"in '{row['window']}'")
    base = BASELINE_PHRASES.get(row["baseline"], f"in '{row['baseline']}'")
    measure = MEASURES[row["measure"]]
    level = int(round(100 * (1 - alpha)))
    outcome = verdict(row)
    if outcome == "not estimable":
        shown = (f" (point estimate {number(row['estimate'])})"
                 if row.get("estimate") is not None and not math.isnan(row["estimate"]) else "")
        return (f"For {category}, the {measure} {where} compared with {base}: "
                f"not estimable{shown} — {row['note']}.")
    head = (f"For {category}, the {measure} {where} was {number(row['estimate'])} times its "
            f"level {base} (rate ratio; {level}% CI {number(row['ci_low'])}–"
            f"{number(row['ci_high'])}, {p_text(row['p_value'])})")
    if outcome == "inconclusive":
        return (f"{head}: inconclusive — the interval includes 1, so these data cannot tell a "
                "rise from a fall.")
    return f"{head}: {outcome} {where} than {base}."


def basis_sentence(comparison: PhaseComparison) -> str:
    if comparison.primary_measure == "share":
        return ("The verdict rests on the share of collected items (the rate per item "
                "collected), so changes in how much was collected do not drive it; counts per "
                "day are shown beside it.")
    return ("The verdict rests on counts per day: the collection volume behind these figures "
            "is not known, so a fall in how much was collected or published would look the "
            "same as a fall in the content itself.")


def comparison_sentences(comparison: PhaseComparison) -> list[str]:
    """The verdict sentences for the primary measure, then the basis, then the caveats."""
    primary = comparison.primary()
    lines = [ratio_sentence(row, comparison.category, comparison.alpha)
             for _, row in primary.iterrows()]
    if not lines:
        lines.append(f"No window could be compared with '{comparison.baseline}' for "
                     f"{comparison.category}.")
    lines.append(basis_sentence(comparison))
    lines += [note[0].upper() + note[1:] + "." for note in comparison.notes]
    return lines


def claim_assessments(claim, comparisons: list[PhaseComparison]) -> list[dict]:
    """For each category: the primary ratio of the claim's phase and what it says of the claim."""
    from negtrend.claims import assess

    out = []
    for comparison in comparisons:
        rows = comparison.primary()
        rows = rows[(rows["window"] == claim.phase) & (rows["baseline"] == claim.baseline)]
        if rows.empty:
            out.append({"category": comparison.category, "assessment": "not estimable",
                        "outcome": "not estimable", "row": None,
                        "note": f"no '{claim.phase}' period to compare"})
            continue
        row = rows.iloc[0].to_dict()
        outcome = verdict(row)
        out.append({"category": comparison.category, "outcome": outcome,
                    "assessment": assess(claim.direction, outcome), "row": row,
                    "note": row.get("note", "")})
    return out


def claim_sentences(claim, comparisons: list[PhaseComparison]) -> list[str]:
    """The claim, then one sentence per category saying what these data show about it."""
    lines = [f"Claim tested ({claim.claimant}, {claim.date}): {claim.summary} "
             f"Source: {claim.source}"]
    alpha = comparisons[0].alpha if comparisons else 0.05
    for item in claim_assessments(claim, comparisons):
        category, row = item["category"], item["row"]
        if item["assessment"] == "not estimable":
            lines.append(f"For {category}, the claim cannot be tested with these data: "
                         f"{item['note']}.")
            continue
        evidence = ratio_sentence(row, category, alpha).rstrip(".")
        lead = {
            "supported": "the data support the claim",
            "contradicted": "the data contradict the claim",
            "inconclusive": "the data neither support nor contradict the claim",
        }[item["assessment"]]
        if item["assessment"] == "inconclusive":
            points_down = row["estimate"] < 1
            agrees = points_down == (claim.direction == "decrease")
            lead += (f"; the point estimate points {'the same way' if agrees else 'the other way'}"
                     f" (a {'fall' if points_down else 'rise'}), but not beyond chance")
        lines.append(f"Claim ({claim.direction} {WINDOW_PHRASES.get(claim.phase, '')}): "
                     f"{lead}. {evidence}.")
    if claim.caveat:
        lines.append(f"Caveat: {claim.caveat}")
    return lines
