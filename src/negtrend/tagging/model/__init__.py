"""Trained classifier backend: TF-IDF word and char n-grams, one linear model per label.

A researcher must be able to retrain, measure and inspect the tagger, so everything is plain
data in, plain data out. One job per module:

* ``featurize``: the normalization a model applies and its TF-IDF views (fast char_wb path);
* ``params``: the settings, their defaults and their validation;
* ``estimators``: the pipeline, NB-LR folded into plain logistic regressions, nested labels;
* ``tuning``: thresholds, ``nb_scale`` and view stacking chosen by inner cross-validation;
* ``folds``: multi-label stratified folds that keep duplicate texts together;
* ``training``: ``train`` and the ``TrainedModel`` it returns;
* ``evaluation``: ``evaluate`` on held-out rows, ``cross_validate``;
* ``persistence``: ``save`` and ``load`` with skops (pickles and unknown types refused).

Labelled files are read by ``negtrend.data.labeled``.
"""

from __future__ import annotations

from negtrend.data.labeled import parse_label_specs, read_labeled  # names kept from model.py
from negtrend.tagging.model.estimators import (
    NEST_MIN_ROWS,
    build_pipeline,
    chain_scores,
    nb_log_ratios,
    nested_parents,
)
from negtrend.tagging.model.evaluation import cross_validate, cv_folds, evaluate, scores_table
from negtrend.tagging.model.featurize import (
    feature_blocks,
    features,
    norm_config,
    norm_dict,
    normalize_texts,
)
from negtrend.tagging.model.folds import stratified_folds
from negtrend.tagging.model.params import (
    CLASSIFIERS,
    DEFAULT_PARAMS,
    ModelSettingsError,
    nb_scale_grid,
    resolve_params,
)
from negtrend.tagging.model.persistence import (
    FORMAT,
    FORMAT_VERSION,
    METADATA_FILE,
    MODEL_FILE,
    PICKLE_MESSAGE,
    PICKLE_SUFFIXES,
    ModelLoadError,
    allowed_types,
    load,
    save,
    saved_labels,
)
from negtrend.tagging.model.training import (
    SVM_MIN_CLASS,
    TrainedModel,
    content_sha256,
    train,
)
from negtrend.tagging.model.tuning import INNER_FOLDS, STACK_FOLDS

__all__ = [
    "CLASSIFIERS", "DEFAULT_PARAMS", "FORMAT", "FORMAT_VERSION", "INNER_FOLDS", "METADATA_FILE",
    "MODEL_FILE", "NEST_MIN_ROWS", "PICKLE_MESSAGE", "PICKLE_SUFFIXES", "STACK_FOLDS",
    "SVM_MIN_CLASS", "ModelLoadError", "ModelSettingsError", "TrainedModel", "allowed_types",
    "build_pipeline",
    "chain_scores", "content_sha256", "cross_validate", "cv_folds", "evaluate", "feature_blocks",
    "features", "load", "nb_log_ratios", "nb_scale_grid", "nested_parents", "norm_config",
    "norm_dict", "normalize_texts", "parse_label_specs", "read_labeled", "resolve_params",
    "save", "saved_labels", "scores_table", "stratified_folds", "train",
]
