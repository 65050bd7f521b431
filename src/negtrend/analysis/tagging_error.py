"""Prevalence corrected for tagging error, with the tagger's own uncertainty carried along.

A tagger with precision (PPV) ``p`` and recall ``r`` that tags a share ``q`` of the items
implies a true share ``q * p / r``: the tagged items hold ``q * p`` true positives, which are
the fraction ``r`` of all true positives (the precision-recall form of the Rogan-Gladen
correction). Precision and recall come from annotated samples (``negtrend evaluate --gold``),
so they are uncertain too; on the log scale the three variances add (delta method).

When precision and recall are the same before and during the campaign they cancel in a rate
ratio, which is why phase comparisons are robust to a tagger that errs consistently; the
correction matters for levels, and for ratios only when the tagger's error changes over time.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from scipy import special


@dataclass(frozen=True)
class CorrectedShare:
    observed: float
    corrected: float
    ci_low: float
    ci_high: float
    naive_ci_low: float  # the interval if precision and recall were known exactly
    naive_ci_high: float

    def to_dict(self) -> dict:
        return {k: float(v) for k, v in self.__dict__.items()}


def corrected_share(tagged: int, total: int, precision: float, recall: float,
                    n_precision: int, n_recall: int, alpha: float = 0.05) -> CorrectedShare:
    """Corrected share of items in the category, with a delta-method interval.

    ``n_precision``: annotated items the tagger flagged (precision's denominator);
    ``n_recall``: annotated true positives (recall's denominator).
    """
    for name, value in (("precision", precision), ("recall", recall)):
        if not 0 < value <= 1:
            raise ValueError(f"{name} must be in (0, 1], got {value}")
    if not 0 < tagged <= total:
        raise ValueError(f"need 0 < tagged <= total, got {tagged} of {total}")
    q = tagged / total
    corrected = q * precision / recall
    var_q = (1 - q) / (q * total)
    var_p = (1 - precision) / (precision * n_precision) if n_precision else math.inf
    var_r = (1 - recall) / (recall * n_recall) if n_recall else math.inf
    z = special.ndtri(1 - alpha / 2)  # scipy.stats.norm.ppf, without loading scipy.stats
    spread = z * math.sqrt(var_q + var_p + var_r)
    naive = z * math.sqrt(var_q)
    return CorrectedShare(q, corrected, corrected * math.exp(-spread),
                          corrected * math.exp(spread), corrected * math.exp(-naive),
                          corrected * math.exp(naive))


def corrected_shares(comparison, rates: dict, alpha: float = 0.05
                     ) -> pd.DataFrame:
    """Per window: the tagged share and the share corrected for tagging error (precision and
    recall from an annotated sample, ``negtrend evaluate --gold``, or entered by the user:
    ``{"precision", "recall", "n_precision", "n_recall"}``), with the interval that carries
    the tagger's own uncertainty (:func:`corrected_share`)."""
    missing = {"precision", "recall", "n_precision", "n_recall"} - set(rates)
    if missing:
        raise ValueError(f"tagging_error for {comparison.category}: missing {sorted(missing)}")
    rows = []
    for _, row in comparison.phase_table.iterrows():
        if not (row["total"] > 0 and row["count"] > 0):
            continue
        share = corrected_share(int(row["count"]), int(row["total"]), rates["precision"],
                                rates["recall"], rates["n_precision"], rates["n_recall"], alpha)
        rows.append({"window": row["window"], **share.to_dict()})
    return pd.DataFrame(rows, columns=["window", "observed", "corrected", "ci_low", "ci_high",
                                       "naive_ci_low", "naive_ci_high"])
