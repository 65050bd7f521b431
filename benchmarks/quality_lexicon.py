"""Precision, recall and F1 of the DEFAULT lexicon on the labeled sets in ../shared/data.

Not run by the tests. Usage:
    .venv/bin/python benchmarks/quality_lexicon.py [--data ../shared/data]
Prints a markdown table.

- judi_online on gbennnn (37,216 YouTube comments, label 0/1). The lexicon was developed while
  looking at one random half only (``SPLIT_SEED``: rows with ``rng.random() < 0.5``, the
  "development half"); the other half ("held-out half") was not read while writing the rules, and
  is reported separately.
- judi_online on the ayu-dash YouTube set: an out-of-sample check (never used for development).
  Its ``target`` labels come from keyword rules with a list of ~40 site names, not from people, so
  spam naming other sites counts as "false positive" here: read its precision as a lower bound.
- hoaks on turnbackhoax titles vs their verdict tag: the verdict is usually written in the title
  ("[SALAH] ..."), so this mostly checks verdict parsing, not hoax detection.
- ujaran_kebencian vs ``HS`` and sara vs ``HS_Religion or HS_Race`` on Ibrohim & Budi (2019),
  13,169 tweets (CC BY-NC-SA 4.0).
- pornografi and sara on Netifier (2018; 7,773 posts from Twitter, Instagram and Kaskus, train
  and test joined and de-duplicated by text, a text labelled both ways kept as positive). Split
  into halves by a hash of the text (``half()``) before any rule was written against it, so
  that rules written later while reading the development half leave the other half unseen.
- judi_online (promotion) and judi_online_mention (talk about gambling) on a gold sample of
  180 ayu-dash comments (``benchmarks/gold/ayu_dash_judi_online.csv``: record numbers, a hash of
  each text and the annotations, no text; how it was drawn and annotated: docs/annotation.md).
  Weighted by the inverse of each stratum's sampling probability, so the figures estimate the
  whole set; the texts are tagged again by the lexicon as it is now.
- hoaks on IDNHoaxCorpus (2020; 3,772 tweets with a verdict, ``?`` dropped): every tweet
  inherits its claim's verdict, so a tweet debunking a hoax is labelled ``hoax``. Reported per
  tweet and per claim (topic: the claim counts as flagged when at least a quarter of its
  tweets are).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from negtrend.data import paths
from negtrend.data.readers import read_table
from negtrend.tagging import lexicon

SPLIT_SEED = 20240214
GBENNNN = "judol_comments_labeled_gbennnn/dataset_judol_labelled.csv"
YOUTUBE = "youtube_judol_comments_2013_2025/labeled_comments.csv"
IBROHIM = "ibrohim_budi_2019_hate_abusive/re_dataset.csv"
TURNBACKHOAX = "turnbackhoax_titles_2015_2021/turnbackhoax_titles_2015_2021.csv"
NETIFIER = ("netifier_2018_social_negativity/data/raw/train.csv",
            "netifier_2018_social_negativity/data/raw/test.csv")
IDN_HOAX = "idn_hoax_corpus_2020/dataset/datasetUMPOHoax.csv"
TOPIC_SHARE = 0.25  # a claim is flagged when at least this share of its tweets is
HOAX_VERDICTS = {"SALAH", "HOAX", "HOAKS", "DISINFORMASI", "MISINFORMASI", "FITNAH", "FALSE",
                 "HASUT"}  # the label map for turnbackhoax in config/categories.yaml


def scores(predicted: np.ndarray, truth: np.ndarray) -> dict:
    tp = int((predicted & truth).sum())
    fp = int((predicted & ~truth).sum())
    fn = int((~predicted & truth).sum())
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else float("nan")
    return {"n": len(truth), "positives": int(truth.sum()), "flagged": int(predicted.sum()),
            "precision": precision, "recall": recall, "f1": f1}


def tag(tagger: lexicon.LexiconTagger, texts: pd.Series, category: str) -> np.ndarray:
    values = pa.array(texts.astype(object).where(texts.notna(), None).tolist(), pa.string())
    return tagger.tag_array(values)[category]


def flag(frame: pd.DataFrame, column: str) -> np.ndarray:
    return (frame[column].str.strip() == "1").to_numpy()


def gbennnn_rows(tagger, root: Path) -> list[dict]:
    frame = read_table(root / GBENNNN)[0]
    truth, predicted = flag(frame, "label"), tag(tagger, frame["comment_text"], "judi_online")
    development = np.random.default_rng(SPLIT_SEED).random(len(frame)) < 0.5
    name = "gbennnn judol comments"
    return [
        {"set": name, "part": "development half (seen)", "category": "judi_online",
         "label": "label", **scores(predicted[development], truth[development])},
        {"set": name, "part": "held-out half (unseen)", "category": "judi_online",
         "label": "label", "cite": True,
         **scores(predicted[~development], truth[~development])},
        {"set": name, "part": "all", "category": "judi_online", "label": "label",
         **scores(predicted, truth)},
    ]


def youtube_rows(tagger, root: Path) -> list[dict]:
    frame = read_table(root / YOUTUBE)[0]
    frame = frame[frame["target"].str.strip().isin(["0", "1"])]
    truth, predicted = flag(frame, "target"), tag(tagger, frame["comment_text"], "judi_online")
    return [{"set": "ayu-dash YouTube comments", "part": "all (out of sample; heuristic labels)",
             "category": "judi_online", "label": "target", **scores(predicted, truth)}]


def ibrohim_rows(tagger, root: Path) -> list[dict]:
    frame = read_table(root / IBROHIM)[0]
    hate = tag(tagger, frame["Tweet"], "ujaran_kebencian")
    sara = tag(tagger, frame["Tweet"], "sara")
    religion_or_race = flag(frame, "HS_Religion") | flag(frame, "HS_Race")
    name = "Ibrohim & Budi 2019 tweets"
    return [
        {"set": name, "part": "all (rules tuned on it)", "category": "ujaran_kebencian",
         "label": "HS", "cite": True, **scores(hate, flag(frame, "HS"))},
        {"set": name, "part": "all (rules tuned on it)", "category": "sara",
         "label": "HS_Religion or HS_Race", "cite": True, **scores(sara, religion_or_race)},
    ]


def turnbackhoax_rows(tagger, root: Path) -> list[dict]:
    frame = read_table(root / TURNBACKHOAX)[0]
    truth = frame["tag"].fillna("").str.strip().str.upper().isin(HOAX_VERDICTS).to_numpy()
    return [{"set": "turnbackhoax titles", "part": "all (verdict often in the title)",
             "category": "hoaks", "label": "tag in hoax verdicts", "cite": True,
             **scores(tag(tagger, frame["title"], "hoaks"), truth)}]


def half(texts: pd.Series) -> np.ndarray:
    """True for the development half: a stable hash of the text (so duplicates fall together
    and the split does not depend on row order)."""
    import hashlib

    return np.array([hashlib.sha256(str(t).encode("utf-8")).digest()[0] < 128 for t in texts])


def split_rows(name: str, category: str, label: str, predicted, truth, development) -> list:
    return [
        {"set": name, "part": "development half", "category": category, "label": label,
         **scores(predicted[development], truth[development])},
        {"set": name, "part": "held-out half", "category": category, "label": label,
         "cite": True, **scores(predicted[~development], truth[~development])},
    ]


def netifier_frame(root: Path) -> pd.DataFrame:
    """Netifier's train and test joined, one row per distinct text (a text labelled both ways
    is positive), sorted by text."""
    frame = pd.concat([read_table(root / part)[0] for part in NETIFIER], ignore_index=True)
    frame = frame[frame["original_text"].notna()]
    for column in ("pornografi", "sara"):
        frame[column] = frame[column].str.strip() == "1"
    return frame.groupby("original_text", as_index=False)[["pornografi", "sara"]].max()


def netifier_rows(tagger, root: Path) -> list[dict]:
    frame = netifier_frame(root)
    development = half(frame["original_text"])
    name = "Netifier 2018 posts"
    rows = []
    for category in ("pornografi", "sara"):
        rows += split_rows(name, category, category, tag(tagger, frame["original_text"],
                                                         category),
                           frame[category].to_numpy(), development)
    return rows


def idn_hoax_rows(tagger, root: Path) -> list[dict]:
    frame = read_table(root / IDN_HOAX)[0]
    frame = frame[frame["label"].str.strip().isin(["hoax", "valid"]) & frame["tweet"].notna()]
    truth = (frame["label"].str.strip() == "hoax").to_numpy()
    predicted = tag(tagger, frame["tweet"], "hoaks")
    name = "IDNHoaxCorpus 2020 tweets"
    topics = pd.DataFrame({"topic": frame["topik"].to_numpy(), "hoax": truth,
                           "flagged": predicted}).groupby("topic").agg(
        hoax=("hoax", "max"), share=("flagged", "mean"))
    return [
        {"set": name, "part": "per tweet (claim's verdict)", "category": "hoaks",
         "label": "label == hoax", "cite": True, **scores(predicted, truth)},
        {"set": name, "part": f"per claim (flagged: >= {TOPIC_SHARE:.0%} of its tweets)",
         "category": "hoaks", "label": "label == hoax",
         **scores(topics["share"].to_numpy() >= TOPIC_SHARE, topics["hoax"].to_numpy())},
    ]


BRAND = r"\b([a-z]{3,}(?:toto|togel|4d|slot|bet|win|jp|qq|\d{2,3}))\b"


def brand_rows(tagger, root: Path) -> list[dict]:
    """judi_online recall on labelled spam that names a brand, as written and with every
    brand replaced by a plain made-up word (``zorvanka``): how much the lexicon leans on the
    shape of brand names (the brand of a new campaign with a plain name is the second row)."""
    import re

    from negtrend.tagging import textnorm

    frame = read_table(root / GBENNNN)[0]
    spam = frame[flag(frame, "label")]["comment_text"].fillna("").tolist()
    normalized = textnorm.normalize_array(pa.array(spam), tagger.norm).to_pylist()
    shape = re.compile(BRAND)
    named = [n for n in normalized if n and shape.search(n)]
    masked = [shape.sub("zorvanka", n) for n in named]
    rows = []
    for part, texts in (("spam naming a brand, normalized text", named),
                        ("the same, every brand replaced by a plain word", masked)):
        found = tagger.tag_array(pa.array(texts), normalized=pa.array(texts))["judi_online"]
        rows.append({"set": "gbennnn judol comments", "part": part, "category": "judi_online",
                     "label": "label (positives only)",
                     **scores(found, np.ones(len(texts), dtype=bool))})
    return rows


GOLD = Path(__file__).parent / "gold"


def _digest(texts) -> list[str]:
    import hashlib

    return [hashlib.sha256(str(t).encode("utf-8")).hexdigest()[:16] for t in texts]


def gold_texts(name: str, gold: pd.DataFrame, root: Path) -> pd.Series:
    """The texts of a gold sample, from its source in ../shared/data, checked by hash."""
    if name == "ayu_dash_judi_online":
        source = read_table(root / YOUTUBE)[0].set_index("_row")
        texts = source.loc[gold["_row"], "comment_text"].fillna("")
        if _digest(texts) != gold["text_sha256"].tolist():
            raise SystemExit(f"{YOUTUBE}: the texts of the gold sample changed (hash mismatch)")
        return texts.reset_index(drop=True)
    frame = netifier_frame(root)
    development = half(frame["original_text"])
    part = frame.loc[development if name == "netifier_dev" else ~development, "original_text"]
    by_digest = dict(zip(_digest(part), part, strict=True))
    missing = [d for d in gold["text_sha256"] if d not in by_digest]
    if missing:
        raise SystemExit(f"{NETIFIER[0]}: {len(missing)} texts of the gold sample not found")
    return pd.Series([by_digest[d] for d in gold["text_sha256"]])


GOLD_SETS = {  # name -> (title, categories whose rules were revised after reading it)
    "ayu_dash_judi_online": ("ayu-dash comments, gold sample (weighted)", ()),
    "netifier_heldout": ("Netifier held-out half, gold sample (weighted)", ("penipuan",)),
    "netifier_dev": ("Netifier development half, gold sample (weighted)", ()),
}


def gold_rows(tagger, root: Path) -> list[dict]:
    """Weighted precision and recall on the annotated samples, tagged again now."""
    from negtrend.tagging import validation

    rows = []
    for name, (title, revised) in GOLD_SETS.items():
        gold = pd.read_csv(GOLD / f"{name}.csv")
        texts = gold_texts(name, gold, root)
        tagged = tagger.tag_array(pa.array(texts.tolist(), pa.string()))
        categories = [c[len("gold_"):] for c in gold.columns if c.startswith("gold_")]
        frame = gold.assign(**{f"pred_{c}": tagged[c].astype(int) for c in categories})
        scored = validation.evaluate_gold(frame).set_index("category")
        for category in categories:
            found = scored.loc[category]
            seen = " (rules revised after reading it)" if category in revised else ""
            # recall needs a positive among the posts the tagger passed over: with none in the
            # sample, "1.0" would only say the sample was too small
            missed_any = ((frame[f"gold_{category}"] == 1)
                          & (frame[f"pred_{category}"] == 0)).any()
            untagged = frame[f"pred_{category}"] == 0
            recall = found["recall"] if missed_any or not untagged.any() else None
            rows.append({"set": title, "part": f"annotated sample of {len(gold)} "
                                                f"({gold['_stratum'].nunique()} strata){seen}",
                         "category": category, "label": "gold annotation", "cite": not seen,
                         "n": int(found["annotated"]),
                         "positives": int(frame[f"gold_{category}"].sum()),
                         "flagged": int(frame[f"pred_{category}"].sum()),
                         "precision": found["precision"], "recall": recall,
                         "f1": found["f1"] if recall is not None else None})
    return rows


def _three(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def markdown(rows: list[dict]) -> str:
    lines = ["| data set | part | category | label | n | positives | flagged | precision | "
             "recall | F1 |", "|---|---|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['set']} | {r['part']} | {r['category']} | {r['label']} | {r['n']:,} "
                     f"| {r['positives']:,} | {r['flagged']:,} | {_three(r['precision'])} "
                     f"| {_three(r['recall'])} | {_three(r['f1'])} |")
    return "\n".join(lines)


QUALITY_HEADER = """\
# Measured quality of the default lexicon, per category: what a report's limitations cite.
# Written by `.venv/bin/python benchmarks/quality_lexicon.py --write config/quality.yaml`
# (the rows marked to cite: data not seen while writing rules where a split exists, else said
# in `data`); docs/benchmarks.md has every row. A category without an entry is not measured.
"""


def quality_file(rows: list[dict]) -> str:
    import yaml

    cited: dict = {}
    for row in rows:
        if row.get("cite"):
            cited.setdefault(row["category"], []).append({
                "data": f"{row['set']}, {row['part']}", "n": int(row["n"]),
                "precision": round(float(row["precision"]), 3),
                "recall": None if row["recall"] is None else round(float(row["recall"]), 3)})
    return QUALITY_HEADER + yaml.safe_dump({"lexicon": cited}, sort_keys=True,
                                           allow_unicode=True, width=100)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=paths.shared_data_dir())
    parser.add_argument("--write", type=Path, default=None,
                        help="write the cited rows to this file (config/quality.yaml)")
    args = parser.parse_args()
    if args.data is None or not Path(args.data).is_dir():
        raise SystemExit("no ../shared/data; pass --data FOLDER")
    start = time.perf_counter()
    tagger = lexicon.LexiconTagger()
    rows = (gbennnn_rows(tagger, args.data) + youtube_rows(tagger, args.data)
            + ibrohim_rows(tagger, args.data) + turnbackhoax_rows(tagger, args.data)
            + netifier_rows(tagger, args.data) + idn_hoax_rows(tagger, args.data)
            + gold_rows(tagger, args.data) + brand_rows(tagger, args.data))
    print(f"Default lexicon ({len(tagger.entries)} entries), threshold {tagger.threshold}, "
          f"textnorm.DEFAULT; gbennnn split seed {SPLIT_SEED}.\n")
    print(markdown(rows))
    print(f"\n({time.perf_counter() - start:.1f} s)")
    if args.write:
        args.write.write_text(quality_file(rows), encoding="utf-8")
        print(f"wrote {args.write}")


if __name__ == "__main__":
    main()
