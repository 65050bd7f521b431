"""The sentences of a report, written from result data in any language of ``report.lang``:
the verdict on each window, its basis and caveats, the claim, power and limitations."""

from __future__ import annotations

import math

import pandas as pd

from negtrend.analysis.claims import assess
from negtrend.analysis.compare import PhaseComparison
from negtrend.analysis.effect import row_verdict
from negtrend.analysis.notes import note
from negtrend.report import lang as languages
from negtrend.report.tables import gaps_text, outside_text
from negtrend.report.words import note_text, number, p_text

POWER_NOTES = ("no_power_decrease", "no_power_increase", "power_not_computed")


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "." if text else text


def ratio_sentence(row: dict | pd.Series, category: str, alpha: float, lang: str = "en") -> str:
    """One sentence for one window-vs-baseline rate ratio, saying inconclusive when it is."""
    words = languages.get(lang)
    row = dict(row)
    where = words.WINDOW_PHRASES.get(row["window"], f"'{row['window']}'")
    base = words.BASELINE_PHRASES.get(row["baseline"], f"'{row['baseline']}'")
    fields = {"category": category, "measure": words.MEASURES[row["measure"]], "where": where,
              "base": base, "estimate": number(row.get("estimate"), lang)}
    outcome = row_verdict(row)
    if outcome == "not estimable":
        estimate = row.get("estimate")
        has_estimate = estimate is not None and not math.isnan(estimate)
        shown = words.RATIO["point_estimate"].format(**fields) if has_estimate else ""
        return words.RATIO["not_estimable"].format(**fields, shown=shown,
                                                   note=note_text(row.get("note"), lang))
    head = words.RATIO["head"].format(**fields, level=int(round(100 * (1 - alpha))),
                                      low=number(row["ci_low"], lang),
                                      high=number(row["ci_high"], lang),
                                      p=p_text(row["p_value"], lang))
    if outcome == "inconclusive":
        return words.RATIO["inconclusive"].format(head=head)
    return words.RATIO["decided"].format(**fields, head=head,
                                         outcome=words.RATIO_OUTCOMES[outcome])


def basis_sentence(comparison: PhaseComparison, lang: str = "en") -> str:
    return languages.get(lang).BASIS[comparison.primary_measure]


def comparison_sentences(comparison: PhaseComparison, lang: str = "en") -> list[str]:
    """The verdict sentences for the primary measure, then the basis, then the caveats."""
    words = languages.get(lang)
    lines = [ratio_sentence(row, comparison.category, comparison.alpha, lang)
             for _, row in comparison.primary().iterrows()]
    if not lines:
        lines.append(words.NO_WINDOW_COMPARED.format(baseline=comparison.baseline,
                                                     category=comparison.category))
    lines.append(basis_sentence(comparison, lang))
    lines += [_sentence(note_text(item, lang)) for item in comparison.notes]
    return lines


def claim_assessments(claim, comparisons: list[PhaseComparison], checks: dict | None = None
                      ) -> list[dict]:
    """For each category: the primary ratio of the claim's phase and what it says of the claim.

    ``checks`` (category -> ``claims.check_claim`` output) makes the assessment the full claim
    check's, which also asks the placebo test to agree before calling a claim supported."""
    out = []
    for comparison in comparisons:
        rows = comparison.primary()
        rows = rows[(rows["window"] == claim.phase) & (rows["baseline"] == claim.baseline)]
        if rows.empty:
            out.append({"category": comparison.category, "assessment": "untestable",
                        "outcome": "not estimable", "row": None,
                        "note": note("no_phase_period", phase=claim.phase)})
            continue
        row = rows.iloc[0].to_dict()
        outcome = row_verdict(row)
        item = {"category": comparison.category, "outcome": outcome,
                "assessment": assess(claim.direction, outcome), "row": row,
                "note": row.get("note"), "checks": []}
        check = (checks or {}).get(comparison.category)
        if check:
            item.update(assessment=check["verdict"], placebo_p=check["placebo_p"],
                        mde=check["mde"], checks=list(check["notes"]))
            if check["verdict"] == "untestable":
                item.update(note=check["reason"], checks=[])
        out.append(item)
    return out


def claim_sentences(claim, comparisons: list[PhaseComparison], lang: str = "en",
                    checks: dict | None = None) -> list[str]:
    """The claim, then one sentence per category saying what these data show about it."""
    words = languages.get(lang)
    summary = getattr(claim, f"summary_{lang}", "") or claim.summary
    caveat = getattr(claim, f"caveat_{lang}", "") or claim.caveat
    lines = [words.CLAIM["tested"].format(claimant=claim.claimant, date=claim.date,
                                          summary=summary, source=claim.source)]
    alpha = comparisons[0].alpha if comparisons else 0.05
    for item in claim_assessments(claim, comparisons, checks):
        category, row = item["category"], item["row"]
        if item["assessment"] == "untestable":
            lines.append(words.CLAIM["untestable"].format(
                category=category, note=note_text(item["note"], lang)))
            continue
        evidence = ratio_sentence(row, category, alpha, lang).rstrip(".")
        lead = words.ASSESSMENTS[item["assessment"]]
        if item["assessment"] == "inconclusive":
            lead += _inconclusive_lean(row["estimate"], claim.direction, words)
        lines.append(words.CLAIM["verdict"].format(
            direction=words.DIRECTIONS[claim.direction],
            where=words.WINDOW_PHRASES.get(claim.phase, ""), lead=lead, evidence=evidence))
        lines += [_sentence(note_text(check, lang)) for check in item.get("checks", [])
                  if check.code not in POWER_NOTES]
    if caveat:
        lines.append(words.CLAIM["caveat"].format(caveat=caveat))
    return lines


def _inconclusive_lean(estimate: float, direction: str, words) -> str:
    points_down = estimate < 1
    agrees = points_down == (direction == "decrease")
    return words.CLAIM["lean"].format(way=words.CLAIM["same_way" if agrees else "other_way"],
                                      change=words.CLAIM["fall" if points_down else "rise"])


def section(name: str, lang: str = "en") -> str:
    return languages.get(lang).SECTIONS[name]


def power_sentence(category: str, mde_increase: float, mde_decrease: float, target: float,
                   lang: str = "en", computed: bool = True) -> str:
    """What the minimum detectable effect means for reading a null result (``computed``
    False: nothing is known about power)."""
    return power_text(languages.get(lang).POWER, category, mde_increase, mde_decrease, target,
                      lang, computed)


def power_case(mde_increase: float, mde_decrease: float, computed: bool = True) -> str:
    """Which power template applies: not_computed, none (no change tried is detected), some
    (a rise and a fall are), only_up or only_down."""
    if not computed:
        return "not_computed"
    up, down = (value is not None and math.isfinite(value)
                for value in (mde_increase, mde_decrease))
    if not up and not down:
        return "none"
    return "some" if up and down else ("only_up" if up else "only_down")


def power_text(templates: dict, category: str, mde_increase: float, mde_decrease: float,
               target: float, lang: str = "en", computed: bool = True) -> str:
    """The minimum detectable effect in one of ``templates`` (keyed by :func:`power_case`),
    numbers written for ``lang``."""
    key = power_case(mde_increase, mde_decrease, computed)
    return templates[key].format(
        category=category, share=f"{target:.0%}",
        up=number(mde_increase, lang) if key in ("some", "only_up") else "",
        down=number(mde_decrease, lang) if key in ("some", "only_down") else "")


def power_how(notes, lang: str = "en") -> str:
    """How the power was got (analytic or simulated) and why it was simulated, if it fell back
    ("" when nothing was computed)."""
    parts = [note_text(item, lang) for item in notes]
    if not parts:
        return ""
    return languages.get(lang).POWER["how"].format(method="; ".join(parts))


def _coverage_lines(summary: dict, lang: str) -> list[str]:
    """What the series leaves out: rows outside the analysis span, and collection gaps."""
    words = languages.get(lang).LIMITATIONS
    lines = []
    outside, span = summary.get("out_of_span") or {}, summary.get("analysis_span")
    if outside and span:
        lines.append(words["out_of_span"].format(
            n=sum(found["n"] for found in outside.values()), start=span[0], end=span[1],
            where=outside_text(outside, lang)))
    if summary.get("gaps") and summary.get("kind") == "posts":
        lines.append(words["gaps"].format(gaps=gaps_text(summary["gaps"], lang)))
    return lines


def category_lines(about: dict, tagging: str, lang: str = "en") -> list[str]:
    """What each category shown counts and, tagged by the lexicon, its measured precision and
    recall and on what data (or that none was measured). ``about``: category -> {label,
    text_label, measured: [{data, n, precision, recall}]} (run.pipeline.about_categories)."""
    if tagging not in ("lexicon", "model"):
        return []
    words = languages.get(lang).LIMITATIONS
    lines = []
    for category, facts in about.items():
        if facts.get("text_label"):
            lines.append(words["text_label"].format(category=category, label=facts["label"],
                                                    text_label=facts["text_label"]))
        if tagging != "lexicon":
            continue
        measured = facts.get("measured") or []
        if not measured:
            lines.append(words["not_measured"].format(category=category, label=facts["label"]))
            continue
        parts = [words["measurement"].format(
            precision=number(row["precision"], lang), recall=number(row["recall"], lang),
            data=row["data"], n=number(row["n"], lang, 0)) for row in measured]
        lines.append(words["measured"].format(category=category, label=facts["label"],
                                              measurements="; ".join(parts)))
    return lines


def limitations(summary: dict, tagging: str, powers: dict, lang: str = "en",
                corrected: dict | None = None, about: dict | None = None) -> list[str]:
    """Limitations written from the numbers: collection, tagging, power, thin series.

    ``tagging`` is "counts" (published figures), "labels" (labels from the source),
    "lexicon", "model" or "none"; ``powers`` maps category -> PowerResult (or None);
    ``corrected`` maps category -> the corrected-share table (``tables.corrected_shares``);
    ``about`` what each category counts and how well it is tagged (:func:`category_lines`).
    """
    words = languages.get(lang).LIMITATIONS
    phrases = languages.get(lang).WINDOW_PHRASES
    lines = [words["volume_known" if summary.get("exposure") == "total" else "volume_unknown"],
             words[tagging], *category_lines(about or {}, tagging, lang)]
    for category, table in (corrected or {}).items():
        if len(table):
            row = table.iloc[0]
            lines.append(words["corrected"].format(
                category=category, where=phrases.get(row["window"], row["window"]),
                observed=number(1000 * row["observed"], lang),
                corrected=number(1000 * row["corrected"], lang),
                low=number(1000 * row["ci_low"], lang), high=number(1000 * row["ci_high"], lang)))
    lines += _coverage_lines(summary, lang)
    periods = summary.get("periods", 0)
    if summary.get("freq") == "M" and periods < 36:
        lines.append(words["few_months"].format(periods=periods))
    for category, result in powers.items():
        if result is not None:
            lines.append(power_sentence(category, result.mde_increase, result.mde_decrease,
                                        result.target, lang, result.computed))
    return lines
