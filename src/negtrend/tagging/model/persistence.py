"""Saving and loading models safely: skops for the pipeline, JSON for everything else.

A model folder may come from anyone, and pickle runs code on load, so ``load`` refuses pickles
and any type that ``build_pipeline`` does not produce (``allowed_types``), and checks the
metadata before a pipeline is used.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import skops.io as sio
from sklearn.pipeline import Pipeline

from negtrend.errors import NegtrendError
from negtrend.jsonable import jsonable
from negtrend.tagging.model.estimators import _fit_quietly, build_pipeline, chain_scores
from negtrend.tagging.model.featurize import norm_config
from negtrend.tagging.model.params import CLASSIFIERS
from negtrend.tagging.model.training import TrainedModel

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
FORMAT = "negtrend-model"
FORMAT_VERSION = 2  # 2: metadata.json may hold "parents" (nested labels)
PICKLE_SUFFIXES = {".pkl", ".pickle"}
PICKLE_MESSAGE = "pickle can run code on load; negtrend only loads skops files"


class ModelLoadError(NegtrendError, ValueError):
    """A model file that negtrend will not load (pickle, unexpected types, missing parts)."""


def _path_text(value) -> str:
    """``json.dumps`` hook: a Path (e.g. in caller-added metadata) is written as its text."""
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def save(model: TrainedModel, folder) -> Path:
    """``folder/model.skops`` (the pipeline) and ``folder/metadata.json`` (everything else)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sio.dump(model.pipeline, folder / MODEL_FILE)
    info = {"format": FORMAT, "format_version": FORMAT_VERSION, "labels": list(model.labels),
            "thresholds": model.thresholds, "parents": model.parents, "norm": model.norm,
            "metadata": model.metadata}
    text = json.dumps(jsonable(info), ensure_ascii=False, indent=2, default=_path_text)
    (folder / METADATA_FILE).write_text(text + "\n", encoding="utf-8")
    return folder


@functools.cache
def allowed_types() -> frozenset[str]:
    """Every type skops does not trust by default that a ``build_pipeline`` model contains.

    Computed by fitting tiny pipelines of each supported classifier, single- and multi-label.
    """
    texts = ["alpha beta", "beta gamma", "delta epsilon", "epsilon zeta"] * 3
    multi = np.array([[1, 0], [1, 0], [0, 1], [0, 1]] * 3)
    found: set[str] = set()
    for kind in CLASSIFIERS:
        for Y in (multi, multi[:, :1]):
            pipeline = build_pipeline(classifier=kind, word_min_df=1, char_min_df=1)
            _fit_quietly(pipeline, texts, Y)
            found.update(sio.get_untrusted_types(data=sio.dumps(pipeline)))
    return frozenset(found)


def _refuse_pickle(path: Path) -> None:
    if path.suffix.lower() in PICKLE_SUFFIXES:
        raise ModelLoadError(f"{path}: {PICKLE_MESSAGE}")
    with open(path, "rb") as handle:
        if handle.read(1) == b"\x80":
            raise ModelLoadError(f"{path}: {PICKLE_MESSAGE}")


def _model_paths(location) -> tuple[Path, Path]:
    """(model file, metadata file) for a model folder or a path to its model file."""
    path = Path(location)
    if path.is_file():
        _refuse_pickle(path)
        return path, path.parent / METADATA_FILE
    model_file = path / MODEL_FILE
    if not model_file.exists():
        pickles = sorted(p.name for p in path.glob("*") if p.suffix.lower() in PICKLE_SUFFIXES)
        if pickles:
            raise ModelLoadError(f"{path / pickles[0]}: {PICKLE_MESSAGE}")
        raise ModelLoadError(f"{path}: no {MODEL_FILE} here (save one with negtrend.model.save)")
    _refuse_pickle(model_file)
    return model_file, path / METADATA_FILE


def _load_pipeline(model_file: Path) -> Pipeline:
    try:
        untrusted = sio.get_untrusted_types(file=model_file)
    except Exception as exc:  # a corrupt or foreign file: say which and why
        raise ModelLoadError(f"{model_file}: not a readable skops file ({exc})") from exc
    extra = sorted(set(untrusted) - allowed_types())
    if extra:
        raise ModelLoadError(f"{model_file}: refusing to load types that negtrend models do not "
                             f"contain: {', '.join(extra)}")
    pipeline = sio.load(model_file, trusted=list(untrusted))
    steps = getattr(pipeline, "named_steps", {})
    if not isinstance(pipeline, Pipeline) or list(steps) != ["features", "clf"]:
        raise ModelLoadError(f"{model_file}: not a negtrend pipeline (features + clf)")
    return pipeline


def _valid_parents(parents, labels: list) -> bool:
    """Whether ``parents`` maps labels to other labels without a cycle."""
    if not isinstance(parents, dict) or not all(
            isinstance(c, str) and isinstance(p, str) and c in labels and p in labels and c != p
            for c, p in parents.items()):
        return False
    try:
        chain_scores(np.ones((1, len(labels))),
                     {labels.index(c): labels.index(p) for c, p in parents.items()})
    except ValueError:
        return False
    return True


def _read_metadata(path: Path) -> dict:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{path}: cannot read model metadata ({exc})") from exc
    missing = [k for k in ("labels", "thresholds", "norm") if k not in info]
    if info.get("format") != FORMAT or missing:
        raise ModelLoadError(f"{path}: not negtrend model metadata (missing {missing})")
    if not isinstance(info.get("format_version"), int) or info["format_version"] > FORMAT_VERSION:
        raise ModelLoadError(f"{path}: model format version {info.get('format_version')!r}; "
                             f"this negtrend reads up to {FORMAT_VERSION}")
    if set(info["thresholds"]) != set(info["labels"]):
        raise ModelLoadError(f"{path}: thresholds do not match labels")
    if not _valid_parents(info.get("parents", {}), info["labels"]):  # format 1 has none
        raise ModelLoadError(f"{path}: nested labels {info['parents']!r} do not match labels "
                             "(unknown label, self-parent or cycle)")
    try:
        norm_config(info["norm"])
    except (TypeError, ValueError) as exc:
        raise ModelLoadError(f"{path}: {exc}") from exc
    return info


def saved_labels(folder) -> list[str]:
    """The labels of a saved model, from its metadata alone (no pipeline is loaded)."""
    return list(_read_metadata(_model_paths(folder)[1])["labels"])


def load(folder) -> TrainedModel:
    """Load a saved model; pickles and any type beyond ``allowed_types()`` are refused."""
    model_file, meta_file = _model_paths(folder)
    info = _read_metadata(meta_file)
    pipeline = _load_pipeline(model_file)
    return TrainedModel(pipeline=pipeline, labels=list(info["labels"]),
                        thresholds={k: float(v) for k, v in info["thresholds"].items()},
                        norm=dict(info["norm"]), metadata=dict(info.get("metadata", {})),
                        parents=dict(info.get("parents", {})))
