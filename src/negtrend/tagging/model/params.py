"""The model's settings: defaults, what each one does, and validation.

Kept apart so that the command line and the benchmarks can check settings (typos must not pass)
before any work, and so that one place documents them.
"""

from __future__ import annotations

from negtrend.errors import NegtrendError


class ModelSettingsError(NegtrendError, ValueError):
    """A model or normalization setting that does not exist or has a bad value."""

DEFAULT_PARAMS: dict = {
    "word_ngram": (1, 2),
    "word_min_df": 2,
    "word_max_features": 200_000,
    "char_ngram": (2, 5),
    "char_min_df": 2,
    "char_max_features": 300_000,
    "classifier": "logreg",  # or "svm" (LinearSVC + sigmoid calibration; needs >= 5 per class)
    "C": 1.0,  # with nb_scale 1 (NB-LR), chosen by 5-fold CV; see benchmarks/quality_model.py
    # NB-LR (Wang & Manning 2012): weight of a logistic regression fitted per label on features
    # scaled by that label's naive-Bayes log-count ratio, interpolated with the plain one
    # (0 = plain LR, 1 = NB-LR only). Folded into plain LogisticRegression weights after fitting,
    # so a saved model holds no extra types. Ignored by "svm". A list of values is a grid: each
    # label takes the value whose inner-CV out-of-fold F1 is best (training part only; ties ->
    # the value nearest 1), recorded in metadata["nb_scale"]. Default: 0.5 or 1 per label (on
    # the hate-speech set HS and SARA take 0.5, Abusive 1; see docs/benchmarks.md).
    "nb_scale": (0.5, 1.0),
    "nb_alpha": 1.0,  # add-alpha smoothing of the log-count ratio
    "class_weight": "balanced",
    # Nested labels: a label whose positives lie (almost) all inside another label's positives
    # (share >= nest_containment) is scored as P(parent) * P(label | parent), the conditional
    # model fitted on the parent's positive rows only (``nested_parents``). None: never.
    "nest_containment": 0.95,
    # Stacked views: each un-nested label is also fitted on every feature block alone (word
    # n-grams only, char n-grams only; same nb_scale grid, chosen per view), and a logistic
    # regression on the logits of the inner out-of-fold scores of [all features, each view]
    # combines them (``_stack_views``). Logits of linear models on one feature vector add up to
    # a linear model, so the stack is folded into that label's plain LogisticRegression weights:
    # same saved types, same prediction cost. Costs about twice the training time.
    "stack_views": False,
    "max_iter": 2000,
    "random_state": None,  # train() sets it from its seed unless given here
}
CLASSIFIERS = ("logreg", "svm")


def resolve_params(params: dict | None = None) -> dict:
    """Defaults overridden by ``params``; unknown names are an error (typos must not pass)."""
    params = dict(params or {})
    unknown = sorted(set(params) - set(DEFAULT_PARAMS))
    if unknown:
        raise ModelSettingsError(f"unknown model parameters {unknown}; known: "
                                 f"{sorted(DEFAULT_PARAMS)}")
    out = {**DEFAULT_PARAMS, **params}
    for key in ("word_ngram", "char_ngram"):
        out[key] = tuple(int(n) for n in out[key])
    if out["classifier"] not in CLASSIFIERS:
        raise ModelSettingsError(f"classifier must be one of {CLASSIFIERS}, not "
                                 f"{out['classifier']!r}")
    out["nb_scale"] = _nb_scale_param(out["nb_scale"])
    if not isinstance(out["stack_views"], bool):
        raise ModelSettingsError(f"stack_views must be true or false, not {out['stack_views']!r}")
    if out["stack_views"] and out["classifier"] != "logreg":
        raise ModelSettingsError("stack_views needs classifier 'logreg' (it folds logistic "
                                 "regressions)")
    share = out["nest_containment"]
    if share is not None and not 0.5 < float(share) <= 1.0:
        raise ModelSettingsError(f"nest_containment must be None or in (0.5, 1], not {share!r}")
    return out


def _nb_scale_param(value):
    """A number in [0, 1] as float; several (list or tuple) as a sorted tuple of floats."""
    many = isinstance(value, list | tuple)
    values = sorted({float(v) for v in value}) if many else [float(value)]
    if not values or not all(0.0 <= v <= 1.0 for v in values):
        raise ModelSettingsError(f"nb_scale must be a number in [0, 1] or a list of them, not "
                                 f"{value!r}")
    return tuple(values) if many else values[0]


def nb_scale_grid(params: dict) -> tuple:
    """The ``nb_scale`` candidates of resolved params: a number is a grid of one."""
    value = params["nb_scale"]
    return value if isinstance(value, tuple) else (value,)
