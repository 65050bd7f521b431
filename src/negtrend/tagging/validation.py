"""Checking a tagger on your own data: a stratified sample to annotate, and its scores.

The sample is stratified by what the tagger said (each combination of predicted categories is
a stratum), because positives are rare: a simple random sample of a corpus would hold almost
none. Each sampled row carries its inverse-probability weight, so precision and recall
estimated from the annotations describe the whole corpus, not the sample.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from negtrend.data.labels import FALSE_WORDS, TRUE_WORDS
from negtrend.errors import NegtrendError

GOLD_PREFIX = "gold_"
PRED_PREFIX = "pred_"


class GoldError(NegtrendError, ValueError):
    """An annotation file that cannot be scored; names the file, row and column."""


def strata(tags: pd.DataFrame, categories: list[str]) -> pd.Series:
    """The stratum of each row: the '+'-joined predicted categories, or 'none'."""
    flags = tags[categories].fillna(False).astype(bool).to_numpy()
    codes = (flags * (1 << np.arange(len(categories)))).sum(axis=1)
    names = {code: "+".join(c for i, c in enumerate(categories) if code >> i & 1) or "none"
             for code in np.unique(codes)}
    return pd.Series([names[c] for c in codes], index=tags.index, dtype=object)


def choose_rows(tags: pd.DataFrame, categories: list[str], per_stratum: int = 100,
                seed: int = 0) -> pd.DataFrame:
    """Which rows to annotate: ``_row``, ``_stratum`` and ``_weight`` (stratum size / drawn)."""
    usable = tags[tags[categories].notna().all(axis=1)].copy()
    usable["_stratum"] = strata(usable, categories)
    parts = []
    for _, group in usable.groupby("_stratum", sort=True):
        take = group.sample(n=min(per_stratum, len(group)), random_state=seed)
        take["_weight"] = len(group) / len(take)
        parts.append(take)
    if not parts:
        return usable.head(0).assign(_weight=[])
    return pd.concat(parts)


def annotation_frame(chosen: pd.DataFrame, texts: pd.Series, categories: list[str]
                     ) -> pd.DataFrame:
    """The CSV an annotator fills in: predictions shown, gold columns blank."""
    out = pd.DataFrame({
        "_row": chosen["_row"].to_numpy(),
        "_stratum": chosen["_stratum"].to_numpy(),
        "_weight": chosen["_weight"].to_numpy(),
        "text": texts.reindex(chosen["_row"]).to_numpy(),
    })
    for name in categories:
        out[PRED_PREFIX + name] = chosen[name].astype(bool).astype(int).to_numpy()
    for name in categories:
        out[GOLD_PREFIX + name] = ""
    return out.sort_values(["_stratum", "_row"], kind="stable").reset_index(drop=True)


def draw_sample(tagged: pd.DataFrame, categories: list[str], per_stratum: int = 100,
                seed: int = 0, text_column: str = "text") -> pd.DataFrame:
    """In memory: up to ``per_stratum`` rows from each stratum, with weights and gold columns."""
    if "_row" not in tagged:
        tagged = tagged.assign(_row=np.arange(1, len(tagged) + 1))
    chosen = choose_rows(tagged, categories, per_stratum, seed)
    texts = tagged.set_index("_row")[text_column]
    return annotation_frame(chosen, texts, categories)


def sample_file(tagged_path: str | Path, out: str | Path, per_stratum: int = 100,
                seed: int = 0, categories: list[str] | None = None,
                text_column: str = "text") -> pd.DataFrame:
    """Draw the sample from a ``negtrend classify`` output and write it as CSV.

    Reads the category columns first and the text of the chosen rows only, so a corpus of
    millions of posts is not loaded whole.
    """
    schema = pq.read_schema(tagged_path)
    if categories is None:
        categories = [f.name for f in schema if str(f.type) == "bool"]
    if not categories:
        raise GoldError(f"{tagged_path}: no boolean category columns; is it classify output?")
    if text_column not in schema.names:
        text_like = [f.name for f in schema if str(f.type) in ("string", "large_string")]
        raise GoldError(f"{tagged_path}: no text column '{text_column}'; text columns are "
                        f"{text_like} (pass --text-col)")
    tags = pq.read_table(tagged_path, columns=["_row", *categories]).to_pandas()
    chosen = choose_rows(tags, categories, per_stratum, seed)
    picked = pq.read_table(tagged_path, columns=["_row", text_column],
                           filters=[("_row", "in", chosen["_row"].tolist())]).to_pandas()
    sample = annotation_frame(chosen, picked.set_index("_row")[text_column], categories)
    sample.to_csv(out, index=False)
    return sample


def _gold_values(frame: pd.DataFrame, column: str, path) -> pd.Series:
    text = frame[column].astype("string").str.strip().str.lower().fillna("")
    bad = ~text.isin(TRUE_WORDS | FALSE_WORDS | {""})
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise GoldError(f"{path}: row {row + 1}, column '{column}': expected 1/0 (or "
                        f"yes/no, true/false) or blank, got {frame[column].iloc[row]!r}")
    return text.map(lambda v: True if v in TRUE_WORDS else (False if v else None))


def evaluate_gold(annotated: pd.DataFrame, path: str | Path = "<annotations>") -> pd.DataFrame:
    """Weighted precision and recall per category from an annotated sample.

    Rows with a blank gold value are left out of that category (and counted). Without a
    ``_weight`` column every row weighs 1 (a simple random sample).
    """
    weights = (pd.to_numeric(annotated["_weight"], errors="coerce").fillna(1.0)
               if "_weight" in annotated else pd.Series(1.0, index=annotated.index))
    rows = []
    for column in annotated.columns:
        if not column.startswith(GOLD_PREFIX):
            continue
        name = column[len(GOLD_PREFIX):]
        pred_column = PRED_PREFIX + name
        if pred_column not in annotated:
            raise GoldError(f"{path}: column '{column}' has no matching '{pred_column}'")
        gold = _gold_values(annotated, column, path)
        done = gold.notna()
        g = gold[done].astype(bool).to_numpy()
        p = _gold_values(annotated, pred_column, path)[done].astype(bool).to_numpy()
        w = weights[done].to_numpy()
        true_positive = float(np.sum(w * (p & g)))
        predicted = float(np.sum(w * p))
        actual = float(np.sum(w * g))
        precision = true_positive / predicted if predicted else np.nan
        recall = true_positive / actual if actual else np.nan
        f1 = (2 * precision * recall / (precision + recall)
              if precision and recall and precision + recall else np.nan)
        rows.append({"category": name, "annotated": int(done.sum()),
                     "not_annotated": int((~done).sum()), "precision": precision,
                     "recall": recall, "f1": f1,
                     "gold_positive_in_sample": int(g.sum()),
                     "predicted_positive_in_sample": int(p.sum())})
    if not rows:
        raise GoldError(f"{path}: no '{GOLD_PREFIX}<category>' columns to score")
    return pd.DataFrame(rows)


def evaluate_gold_file(path: str | Path) -> pd.DataFrame:
    from negtrend.data import readers

    frame, raw_quarantine, _, _ = readers.read_table(path)
    if len(raw_quarantine):
        first = raw_quarantine.iloc[0]
        raise GoldError(f"{path}: row {first['_row']} could not be read: {first['reason']}")
    return evaluate_gold(frame.drop(columns="_row"), path)

