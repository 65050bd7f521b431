"""The finding that opens a trend report, in a few sentences of the report's language.

In order: the claim's verdict when a claim was checked; one sentence per category (its
verdict, rate ratio and interval for the headline window, and the measure the verdict rests
on); the smallest change these data could detect, per category; and one line on what the data
count (for a published series, from its catalog entry: takedowns and fact-checks measure effort,
not how much content circulated). The first sentence is the headline: the claim's verdict, else
the first category's (the index page shows it).

The numbers come from analysis results; the words from ``report.lang``; number formatting,
verdicts, window and measure names from :mod:`negtrend.report.words` and
:mod:`negtrend.report.sentences`.
"""

from __future__ import annotations

from negtrend.analysis.compare import PhaseComparison
from negtrend.analysis.effect import row_verdict
from negtrend.data import published
from negtrend.data.paths import source_label
from negtrend.report import lang as languages
from negtrend.report.sentences import claim_assessments, power_text
from negtrend.report.words import measure_name, note_text, number

HEADLINE_WINDOW = "campaign"  # the window a category's sentence is about, when compared


def headline_row(comparison: PhaseComparison) -> dict:
    """The primary measure's ratio for the campaign, else for the first window compared
    (empty when no window was compared)."""
    row = comparison.ratio(HEADLINE_WINDOW)
    if row:
        return row
    rows = comparison.primary()
    return rows.iloc[0].to_dict() if len(rows) else {}


def category_sentence(comparison: PhaseComparison, lang: str = "en") -> str:
    """Verdict, rate ratio, interval and measure of one category's headline comparison."""
    words = languages.get(lang)
    found = words.FINDING
    row = headline_row(comparison)
    if not row:
        return found["no_window"].format(
            category=comparison.category,
            base=words.WINDOWS.get(comparison.baseline, comparison.baseline))
    fields = {"category": comparison.category,
              "measure": measure_name(row["measure"], lang),
              "where": words.WINDOW_PHRASES.get(row["window"], f"'{row['window']}'"),
              "base": words.BASELINE_PHRASES.get(row["baseline"], f"'{row['baseline']}'"),
              "estimate": number(row.get("estimate"), lang),
              "level": int(round(100 * (1 - comparison.alpha))),
              "low": number(row.get("ci_low"), lang), "high": number(row.get("ci_high"), lang)}
    outcome = row_verdict(row)
    if outcome == "not estimable":
        return found["not_estimable"].format(**fields, note=note_text(row.get("note"), lang))
    if outcome == "inconclusive":
        return found["inconclusive"].format(**fields)
    return found["decided"].format(**fields, outcome=words.RATIO_OUTCOMES[outcome])


def power_line(category: str, result, lang: str = "en") -> str:
    """The smallest change detectable with the target power (``result``: a PowerResult)."""
    return power_text(languages.get(lang).FINDING["power"], category, result.mde_increase,
                      result.mde_decrease, result.target, lang, result.computed)


def counted_kind(source: str, kind: str, tagging: str, counts: str | None = None) -> str:
    """What the data count, as a key of ``FINDING["counted"]``: what the data's format says
    (``counts``, e.g. fact_checks for a fact-checker's archive), a published series' catalog
    entry (takedowns, fact_checks, monitoring, complaints, share), "counts" for other count
    tables, else how posts were tagged (lexicon, model, labels, none)."""
    if counts:
        return counts
    if kind == "counts":
        return published.series_counts(source) or "counts"
    return tagging if tagging in ("lexicon", "model", "labels") else "none"


def counted_line(source: str, kind: str, tagging: str, lang: str = "en",
                 counts: str | None = None) -> str:
    return languages.get(lang).FINDING["counted"][
        counted_kind(source, kind, tagging, counts)].format(source=source_label(source))


def claim_line(claim, comparisons: list[PhaseComparison], checks: dict | None,
               lang: str = "en") -> str:
    """The claim's verdict in one sentence: each assessment with the categories it holds for
    (the claim section gives the evidence)."""
    words = languages.get(lang)
    grouped: dict[str, list[str]] = {}
    for item in claim_assessments(claim, comparisons, checks):
        grouped.setdefault(item["assessment"], []).append(str(item["category"]))
    parts = [words.FINDING["claim_part"].format(
        assessment=words.ASSESSMENTS[assessment],
        categories=words.LIST_SEPARATOR.join(categories))
        for assessment, categories in grouped.items()]
    return words.FINDING["claim"].format(
        claimant=claim.claimant, date=claim.date, direction=words.DIRECTIONS[claim.direction],
        where=words.WINDOW_PHRASES.get(claim.phase, f"'{claim.phase}'"),
        verdicts="; ".join(parts))


def finding(summary: dict, comparisons: list[PhaseComparison], effects: dict, tagging: str,
            lang: str = "en", claim=None, claim_comparisons: list[PhaseComparison] | None = None,
            claim_checks: dict | None = None) -> list[str]:
    """The finding's sentences, headline first (see the module docstring).

    ``summary`` is the data accounting (``tables.data_summary``: its source and kind);
    ``effects`` maps category -> {"power": PowerResult, ...}; ``tagging`` is how items came to
    be counted (counts, labels, lexicon, model, none)."""
    lines = []
    if claim is not None:
        lines.append(claim_line(claim, claim_comparisons or [], claim_checks, lang))
    lines += [category_sentence(comparison, lang) for comparison in comparisons]
    for comparison in comparisons:
        result = (effects.get(comparison.category) or {}).get("power")
        if result is not None:
            lines.append(power_line(comparison.category, result, lang))
    lines.append(counted_line(str(summary.get("source", "")), str(summary.get("kind", "")),
                              tagging, lang, summary.get("counts")))
    return lines
