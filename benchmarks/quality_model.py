"""Quality of the trained backend: 5-fold cross-validation on the real labelled sets.

Not run by the tests. Usage:
    .venv/bin/python benchmarks/quality_model.py [--folds 5] [--seed 0] [--only judol|hate]
        [--params '{"C": 10}'] [--norm '{"slang": true}'] [--no-group] [--no-speed]

e.g. ``--params '{"stack_views": true}'`` for the stacked word/char views (docs/benchmarks.md).

Skips a dataset when ../shared/data is absent. Test folds are never seen in training: thresholds
are tuned by inner CV inside each training part, and texts that normalize to the same string stay
in one fold (``--no-group`` shows the leakier split that published figures usually use).
Prints a markdown table and the settings; record results in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import platform
import time

import numpy as np

from negtrend.data import paths
from negtrend.data.labeled import read_labeled
from negtrend.tagging import model

DATASETS = [
    {"name": "judol_comments_labeled_gbennnn",
     "file": "judol_comments_labeled_gbennnn/dataset_judol_labelled.csv",
     "text": "comment_text", "labels": ["judol=label"]},
    {"name": "ibrohim_budi_2019_hate_abusive",
     "file": "ibrohim_budi_2019_hate_abusive/re_dataset.csv",
     "text": "Tweet", "labels": ["HS", "Abusive", "sara=HS_Religion|HS_Race"]},
]
TARGETS = {"judol": 0.98, "HS": 0.85, "Abusive": 0.90, "sara": 0.75}


def run_cv(spec: dict, root, args) -> list[dict]:
    """One dataset's CV -> table rows."""
    texts, labels = read_labeled(root / spec["file"], spec["text"], spec["labels"])
    started = time.perf_counter()
    table = model.cross_validate(texts, labels, folds=args.folds, seed=args.seed,
                                 norm=args.norm, params=args.params,
                                 group_duplicates=not args.no_group)
    seconds = time.perf_counter() - started
    nested = table.attrs["nested"]
    print(f"{spec['name']}: nested labels per fold (label -> parent, found on each training "
          f"part): {nested if any(nested) else 'none'}")
    print(f"{spec['name']}: nb_scale per fold (label -> value used; a grid is chosen per label by "
          f"inner CV on each training part): {table.attrs['nb_scale']}")
    return [{"dataset": spec["name"], "label": label, **row.to_dict(), "seconds": seconds}
            for label, row in table.iterrows()]


def predict_speed(root, args) -> dict:
    """Train on the whole gambling set, then score it: training seconds and texts/s."""
    spec = DATASETS[0]
    texts, labels = read_labeled(root / spec["file"], spec["text"], spec["labels"])
    started = time.perf_counter()
    fitted = model.train(texts, labels, norm=args.norm, params=args.params, seed=args.seed)
    train_s = time.perf_counter() - started
    batch = texts.tolist()
    best = np.inf
    for _ in range(3):
        started = time.perf_counter()
        fitted.predict(batch)
        best = min(best, time.perf_counter() - started)
    return {"rows": len(batch), "train_s": train_s, "predict_per_s": len(batch) / best,
            "n_features": fitted.metadata["n_features"]}


def markdown(rows: list[dict]) -> str:
    lines = ["| dataset | label | precision | recall | F1 ± sd | target | support | seconds |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        target = TARGETS.get(r["label"])
        mark = "" if target is None else f"≥ {target:.2f} {'✓' if r['f1'] >= target else '✗'}"
        lines.append(f"| {r['dataset']} | {r['label']} | {r['precision']:.3f} | "
                     f"{r['recall']:.3f} | {r['f1']:.3f} ± {r['f1_sd']:.3f} | {mark} | "
                     f"{int(r['support'])} | {r['seconds']:.0f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=["judol", "hate"])
    parser.add_argument("--params", type=json.loads, default=None, help="JSON model params")
    parser.add_argument("--norm", type=json.loads, default=None, help="JSON NormConfig fields")
    parser.add_argument("--no-group", action="store_true", help="let duplicates straddle folds")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    root = paths.shared_data_dir()
    if root is None:
        print("../shared/data is absent: nothing to evaluate")
        return
    chosen = [d for d in DATASETS if args.only is None or d["name"].startswith(
        {"judol": "judol", "hate": "ibrohim"}[args.only])]
    rows = [row for spec in chosen if (root / spec["file"]).exists()
            for row in run_cv(spec, root, args)]
    print(markdown(rows))
    print("F1 to four decimals: " + ", ".join(f"{r['label']} {r['f1']:.4f}" for r in rows))
    print()
    print(f"Settings: {args.folds}-fold iterative multi-label stratified CV, seed {args.seed}, "
          f"duplicates {'not ' if args.no_group else ''}grouped; thresholds per label from inner "
          f"{model.INNER_FOLDS}-fold CV on each training part.")
    params = model.resolve_params({"random_state": args.seed, **(args.params or {})})
    print(f"Model params: {json.dumps(params)}")
    print(f"Normalization: {json.dumps(model.norm_dict(args.norm))}")
    if not args.no_speed and (root / DATASETS[0]["file"]).exists():
        speed = predict_speed(root, args)
        print(f"Speed (gambling set, {speed['rows']} rows, {speed['n_features']} features): "
              f"train {speed['train_s']:.1f} s; predict {speed['predict_per_s']:,.0f} texts/s "
              "(one process, normalization included)")
    print(f"Machine: {platform.processor() or platform.machine()}, Python "
          f"{platform.python_version()}")


if __name__ == "__main__":
    main()
