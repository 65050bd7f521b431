"""The records a run writes (``metrics.json``): every number a report states, with its notes
written out in English, so that a figure in a paper can be traced to its run.

Records are deterministic for the same inputs: rerunning a report rewrites the same bytes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from negtrend.analysis.compare import PhaseComparison
from negtrend.analysis.effect import EffectResult
from negtrend.data.calendar import Election
from negtrend.jsonable import jsonable
from negtrend.report import lang as languages
from negtrend.report import sentences
from negtrend.report.tables import window_frame
from negtrend.report.words import labels, method_text, render

RECORD_LANG = "en"  # notes and method lines in metrics.json are written in English


def comparison_record(comparison: PhaseComparison, lang: str | None = None) -> dict:
    """A comparison's numbers and notes in English, and its sentences in ``lang`` if given."""
    record = render(comparison.as_dict(), RECORD_LANG)
    for row in record["ratios"]:
        row["note"] = row["note"] or ""
    if lang is not None:
        record["sentences"] = sentences.comparison_sentences(comparison, lang)
    return jsonable(record)


def effect_record(result) -> dict:
    """An estimator's result (``EffectResult``, or ``PowerResult``) as JSON: numbers, notes and
    method line in English, the method line and label in every language."""
    if not isinstance(result, EffectResult):
        return result.to_dict()
    record = render(result.as_dict(), RECORD_LANG)
    record["labels"] = labels(result)
    for lang in languages.available():
        if lang != RECORD_LANG:
            record["meta"][f"model_{lang}"] = method_text(result.meta.get("model"), lang)
    return jsonable(record)


def claim_record(claim, comparisons: list[PhaseComparison], checks: dict | None,
                 lang: str = "en") -> dict:
    """The claim, each category's assessment with its evidence, and the claim's sentences."""
    assessments = []
    for item in sentences.claim_assessments(claim, comparisons, checks):
        row = item["row"] or {}
        assessment = {k: v for k, v in item.items() if k != "row"}
        assessment.update(note=assessment["note"] or "", estimate=row.get("estimate"),
                          ci_low=row.get("ci_low"), ci_high=row.get("ci_high"),
                          p_value=row.get("p_value"))
        assessments.append(assessment)
    return jsonable(render({
        "id": claim.id, "direction": claim.direction, "phase": claim.phase,
        "baseline": claim.baseline, "source": claim.source, "assessments": assessments,
        "sentences": sentences.claim_sentences(claim, comparisons, lang, checks),
    }, RECORD_LANG))


def check_record(check: dict) -> dict:
    """``analysis.claims.check_claim`` output as JSON, notes and method in English."""
    return jsonable(render(check, RECORD_LANG))


def relative_figures(figures: dict, output_dir) -> list[str]:
    """Every file written (``figures``: name -> paths), relative to the run folder, sorted."""
    output_dir = Path(output_dir)
    return sorted(str(Path(p).relative_to(output_dir)) for paths in figures.values()
                  for p in paths)


def trend_metrics(summary: dict, windows: pd.DataFrame, election: Election,
                  comparisons: list[PhaseComparison], figures: dict, output_dir,
                  claim=None, claim_comparisons: list[PhaseComparison] | None = None,
                  lang: str = "en", effects: dict | None = None,
                  adjusted: pd.DataFrame | None = None, claim_checks: dict | None = None,
                  limitations: list[str] | None = None, corrected: dict | None = None,
                  finding: list[str] | None = None, categories: dict | None = None) -> dict:
    """The whole record of a trend report's numbers.

    ``effects`` maps category -> {name: EffectResult or PowerResult} (ITS, event study,
    placebo, changepoints, power); ``finding`` is the report's opening sentences in ``lang``
    (``report.finding``), the headline first; ``categories`` what each category shown is:
    kind (negative, mention, topic), what a mention talks about, label, and the measured
    quality of the lexicon for it (``run.pipeline.about_categories``).
    """
    return jsonable({
        "lang": lang,
        "election": {"id": election.id, "name": election.name},
        "finding": list(finding or []),
        "claim": (None if claim is None else
                  claim_record(claim, claim_comparisons or [], claim_checks, lang)),
        "windows": window_frame(windows).reset_index().to_dict(orient="records"),
        "data": summary,
        "categories": dict(categories or {}),
        "comparisons": [comparison_record(c, lang) for c in comparisons],
        "adjusted_across_categories": ([] if adjusted is None
                                       else adjusted.to_dict(orient="records")),
        "effects": {category: {name: effect_record(result) for name, result in found.items()
                               if result is not None}
                    for category, found in (effects or {}).items()},
        "limitations": list(limitations or []),
        "tagging_error": {category: table.to_dict(orient="records")
                          for category, table in (corrected or {}).items()},
        "figures": relative_figures(figures, output_dir),
    })


def cross_election_metrics(rows: pd.DataFrame, window: str, lang: str, output_dir,
                           figures: dict) -> dict:
    return jsonable({
        "lang": lang,
        "window": window,
        "rows": rows.to_dict(orient="records"),
        "figures": relative_figures(figures, output_dir),
    })
