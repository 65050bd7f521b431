"""negtrend.model: training, thresholds from inner CV, honest cross-validation, safe save/load."""

import ast
import json
import os
import pickle
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import skops.io as sio
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from negtrend.data.labeled import read_labeled
from negtrend.tagging import model as nm

VOCAB = {
    "judol": ["slot", "gacor", "maxwin", "depo", "jackpot", "scatter", "wd", "togel"],
    "hate": ["benci", "usir", "kafir", "bodoh", "musnahkan", "antek", "penjajah", "laknat"],
    "rare": ["zakat", "fitrah", "mustahik", "amil"],
}
NEUTRAL = [f"kata{i}" for i in range(300)]


def synthetic(n, seed, rates=(0.3, 0.3, 0.04)):
    """Texts of neutral words, plus two words from a label's vocabulary when it is positive."""
    rng = np.random.default_rng(seed)
    flags = rng.random((n, len(VOCAB))) < np.array(rates)
    texts = []
    for row in flags:
        words = list(rng.choice(NEUTRAL, size=rng.integers(5, 10)))
        for on, vocab in zip(row, VOCAB.values(), strict=True):
            if on:
                words += list(rng.choice(vocab, size=2))
        rng.shuffle(words)
        texts.append(" ".join(words))
    return texts, pd.DataFrame(flags, columns=list(VOCAB))


def random_unique(n, seed, rate=0.3):
    """Unique texts of random tokens and labels that have nothing to do with them."""
    rng = np.random.default_rng(seed)
    texts = [" ".join(f"w{t}" for t in rng.integers(0, 5000, size=8)) + f" id{i}"
             for i in range(n)]
    return texts, pd.DataFrame({"noise": rng.random(n) < rate})


@pytest.fixture(scope="module")
def fitted():
    texts, labels = synthetic(300, seed=1)
    return nm.train(texts, labels, seed=0)


def test_train_predicts_held_out_examples(fitted):
    texts, labels = synthetic(150, seed=2)
    table = nm.evaluate(fitted, texts, labels)
    assert list(table.index) == list(VOCAB)
    assert (table.loc[["judol", "hate"], "f1"] >= 0.95).all(), table
    predicted = fitted.predict(pd.Series(texts[:5], index=[10, 11, 12, 13, 14]))
    assert list(predicted.columns) == list(VOCAB)
    assert list(predicted.index) == [10, 11, 12, 13, 14]
    assert all(pd.api.types.is_bool_dtype(dtype) for dtype in predicted.dtypes)
    scores = fitted.predict_scores(["slot gacor maxwin kata1", "kata2 kata3 kata4"])
    assert scores.loc[0, "judol"] > 0.5 > scores.loc[1, "judol"]
    assert ((scores >= 0) & (scores <= 1)).all().all()


def test_rare_label_gets_threshold_from_inner_cv(fitted):
    assert fitted.metadata["label_counts"]["rare"] < 20
    for label in VOCAB:
        assert 0 < fitted.thresholds[label] < 1
        assert fitted.metadata["thresholds_from"][label]["source"] == "inner 3-fold CV"


def test_thresholds_come_from_out_of_fold_scores_not_in_sample():
    # A model memorizes unique texts, so in-sample scores separate random labels perfectly;
    # only out-of-fold scores reveal that the label cannot be predicted.
    texts, labels = random_unique(240, seed=3)
    model = nm.train(texts, labels, params={"C": 100.0, "nb_scale": 0.0, "word_min_df": 1,
                                              "char_min_df": 1, "classifier": "logreg"})
    in_sample = nm.evaluate(model, texts, labels).loc["noise", "f1"]
    assert in_sample > 0.9
    assert model.metadata["thresholds_from"]["noise"]["oof_f1"] < 0.7


def test_label_too_rare_for_inner_cv_keeps_half():
    texts, labels = synthetic(120, seed=14, rates=(0.3, 0.3, 0.0))
    labels.loc[:1, "rare"] = True  # two positives cannot fill three inner folds
    model = nm.train(texts, labels)
    assert model.thresholds["rare"] == 0.5
    assert model.metadata["thresholds_from"]["rare"]["source"].startswith("default")
    assert model.metadata["thresholds_from"]["judol"]["source"].startswith("inner")


def test_tuning_off_uses_half():
    texts, labels = synthetic(120, seed=4, rates=(0.3, 0.3, 0.1))
    model = nm.train(texts, labels, tune_thresholds=False)
    assert set(model.thresholds.values()) == {0.5}


def test_single_label_and_label_validation():
    texts, labels = synthetic(150, seed=5)
    model = nm.train(texts, labels[["judol"]])
    assert list(model.predict_scores(texts[:3]).columns) == ["judol"]
    with pytest.raises(ValueError, match="only one class"):
        nm.train(texts, labels.assign(judol=False))
    with pytest.raises(ValueError, match="0/1"):
        nm.train(texts, labels.assign(judol=2))
    with pytest.raises(ValueError, match="label rows"):
        nm.train(texts[:-1], labels)


def test_metadata_records_data_hash_counts_and_settings(fitted):
    meta = fitted.metadata
    assert re.fullmatch(r"[0-9a-f]{64}", meta["data_sha256"])
    assert meta["data_sha256_of"] == "texts and labels"
    texts, labels = synthetic(300, seed=1)
    assert meta["label_counts"] == {k: int(v) for k, v in labels.sum().items()}
    assert meta["n_rows"] == 300
    assert meta["versions"]["scikit-learn"]
    assert meta["params"]["char_ngram"] == [2, 5]
    assert meta["created"].endswith("+00:00")
    assert fitted.norm == nm.norm_dict(None)
    other = nm.train(texts, labels.assign(rare=labels["hate"]), tune_thresholds=False)
    assert other.metadata["data_sha256"] != meta["data_sha256"]
    given = nm.train(texts, labels, tune_thresholds=False, data_sha256="ab" * 32)
    assert given.metadata["data_sha256"] == "ab" * 32
    assert given.metadata["data_sha256_of"] == "file"


def test_build_pipeline_params():
    pipeline = nm.build_pipeline(C=2.0, char_ngram=(3, 4))
    char = dict(pipeline.named_steps["features"].transformer_list)["char"]
    assert char.ngram_range == (3, 4) and char.analyzer == "char_wb" and char.sublinear_tf
    assert pipeline.get_params()["clf__estimator__C"] == 2.0
    svm = nm.build_pipeline(classifier="svm", C=0.5, class_weight=None)
    assert svm.get_params()["clf__estimator__estimator__C"] == 0.5  # calibrated LinearSVC
    with pytest.raises(ValueError, match="unknown model parameters"):
        nm.build_pipeline(ngram=(1, 3))
    with pytest.raises(ValueError, match="classifier"):
        nm.build_pipeline(classifier="forest")


# --- folds and cross-validation --------------------------------------------------------------


def test_stratified_folds_balance_every_label_and_are_fixed_by_seed():
    _, labels = synthetic(400, seed=6, rates=(0.3, 0.1, 0.05))
    Y = labels.to_numpy()
    folds = nm.stratified_folds(Y, 5, seed=0)
    assert sorted(set(folds)) == [0, 1, 2, 3, 4]
    for j in range(Y.shape[1]):
        per_fold = np.bincount(folds[Y[:, j]], minlength=5)
        assert per_fold.max() - per_fold.min() <= 2, (labels.columns[j], per_fold)
    sizes = np.bincount(folds)
    assert sizes.max() - sizes.min() <= 2
    assert (nm.stratified_folds(Y, 5, seed=0) == folds).all()
    assert (nm.stratified_folds(Y, 5, seed=1) != folds).any()


def test_duplicates_share_a_fold():
    texts = ["a b"] * 5 + ["C  d"] * 3 + ["c d"] + [f"t{i}" for i in range(30)]
    labels = pd.DataFrame({"x": [i % 2 == 0 for i in range(len(texts))]})
    folds = nm.cv_folds(texts, labels, folds=5, seed=0)
    assert len(set(folds[:5])) == 1
    assert len(set(folds[5:9])) == 1  # equal after normalization (case, spacing)


def test_cross_validate_returns_sane_rows_per_label():
    texts, labels = synthetic(250, seed=7, rates=(0.3, 0.3, 0.08))
    table = nm.cross_validate(texts, labels, folds=3, seed=0)
    assert list(table.index) == list(VOCAB)
    cols = ["precision", "recall", "f1", "f1_sd", "f1_pooled"]
    assert ((table[cols] >= 0) & (table[cols] <= 1)).all().all()
    assert table["support"].to_dict() == {k: int(v) for k, v in labels.sum().items()}
    assert (table.loc[["judol", "hate"], "f1"] > 0.9).all()
    assert table.attrs["folds"] == 3 and sum(table.attrs["fold_sizes"]) == 250


def test_cross_validate_never_trains_on_the_test_fold(monkeypatch):
    texts, labels = synthetic(200, seed=8, rates=(0.3, 0.3, 0.1))
    seen = []
    real_train = nm.train

    def spy(train_texts, train_labels, **kwargs):
        seen.append(list(train_texts))
        return real_train(train_texts, train_labels, **kwargs)

    monkeypatch.setattr(nm.evaluation, "train", spy)  # cross_validate's
    nm.cross_validate(texts, labels, folds=4, seed=3)
    folds = nm.cv_folds(texts, labels, folds=4, seed=3)
    assert len(seen) == 4
    for k, trained_on in enumerate(seen):
        held_out = {t for t, f in zip(texts, folds, strict=True) if f == k}
        assert held_out and not held_out & set(trained_on)
        assert len(trained_on) + len(held_out) == len(texts)


def test_random_labels_score_near_chance_although_the_model_memorizes():
    texts, labels = random_unique(300, seed=9, rate=0.3)
    params = {"C": 100.0, "word_min_df": 1, "char_min_df": 1, "classifier": "logreg"}
    memorizer = nm.train(texts, labels, params=params, tune_thresholds=False)
    assert nm.evaluate(memorizer, texts, labels).loc["noise", "f1"] > 0.9  # so a leak would show
    table = nm.cross_validate(texts, labels, folds=5, seed=0, params=params)
    chance = 2 * 0.3 / 1.3  # F1 of calling everything positive
    assert table.loc["noise", "f1"] < chance + 0.1


def test_duplicates_would_leak_without_grouping():
    texts, labels = random_unique(150, seed=10, rate=0.4)
    texts = texts + [t.upper() for t in texts]  # same text after normalization
    labels = pd.concat([labels, labels], ignore_index=True)
    params = {"C": 100.0, "word_min_df": 1, "char_min_df": 1, "classifier": "logreg"}
    grouped = nm.cross_validate(texts, labels, folds=5, seed=0, params=params)
    leaky = nm.cross_validate(texts, labels, folds=5, seed=0, params=params,
                              group_duplicates=False)
    assert grouped.loc["noise", "f1"] < 2 * 0.4 / 1.4 + 0.1
    assert leaky.loc["noise", "f1"] > grouped.loc["noise", "f1"] + 0.15


# --- save and load ------------------------------------------------------------------------


def test_save_load_round_trip(fitted, tmp_path):
    folder = nm.save(fitted, tmp_path / "m")
    assert {p.name for p in folder.iterdir()} == {"model.skops", "metadata.json"}
    info = json.loads((folder / "metadata.json").read_text())
    assert info["labels"] == list(VOCAB) and info["metadata"]["label_counts"]
    loaded = nm.load(folder)
    texts, _ = synthetic(50, seed=11)
    pd.testing.assert_frame_equal(loaded.predict_scores(texts), fitted.predict_scores(texts))
    assert loaded.thresholds == fitted.thresholds
    assert loaded.norm == fitted.norm and loaded.metadata == json.loads(
        json.dumps(fitted.metadata))
    assert nm.load(folder / "model.skops").labels == fitted.labels


def test_pickles_are_refused(fitted, tmp_path):
    (tmp_path / "model.pkl").write_bytes(pickle.dumps(fitted.pipeline))
    with pytest.raises(nm.ModelLoadError, match="pickle can run code on load"):
        nm.load(tmp_path / "model.pkl")
    with pytest.raises(nm.ModelLoadError, match="model.pkl: pickle"):
        nm.load(tmp_path)
    disguised = nm.save(fitted, tmp_path / "disguised")
    (disguised / "model.skops").write_bytes(pickle.dumps({"x": 1}))
    with pytest.raises(nm.ModelLoadError, match="only loads skops files"):
        nm.load(disguised)


class Sneaky(FunctionTransformer):
    """A class that is not part of any negtrend pipeline."""


@pytest.mark.parametrize("step", [FunctionTransformer(func=os.system), Sneaky()],
                         ids=["os.system", "custom-class"])
def test_untrusted_types_are_refused(fitted, tmp_path, step):
    folder = nm.save(fitted, tmp_path / "m")
    bad = Pipeline([("features", step), ("clf", LogisticRegression())])
    sio.dump(bad, folder / "model.skops")
    with pytest.raises(nm.ModelLoadError) as info:
        nm.load(folder)
    message = str(info.value)
    assert "model.skops" in message
    assert ("system" in message) if step.func is os.system else ("Sneaky" in message)


def test_allowed_types_are_only_what_build_pipeline_makes():
    assert nm.allowed_types() <= {"sklearn.calibration._CalibratedClassifier",
                                  "sklearn.calibration._SigmoidCalibration"}


def test_constant_score_answers_as_one_vs_rest_does_for_an_absent_label():
    """Our stand-in for a one-class label scores, predicts and decides exactly as the
    estimator that scikit-learn's one-vs-rest makes for such a label."""
    X = sp.random(12, 5, density=0.5, format="csr", random_state=0)
    y = np.r_[np.zeros(6), np.ones(6)].astype(np.uint8)
    for constant in (0, 1):
        Y = np.c_[y, np.full(12, constant, dtype=np.uint8)]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            reference = OneVsRestClassifier(LogisticRegression()).fit(X, Y).estimators_[1]
        ours = nm.estimators.ConstantScore().fit(X, Y[:, 1].astype(np.int64))  # as binarized
        for method in ("predict_proba", "decision_function", "predict"):
            expected, got = getattr(reference, method)(X), getattr(ours, method)(X)
            assert got.dtype == expected.dtype
            np.testing.assert_array_equal(got, expected)
    with pytest.raises(ValueError, match="one class"):
        nm.estimators.ConstantScore().fit(X, y)


def test_a_saved_constant_score_is_refused(fitted, tmp_path):
    """``train`` never saves one; a file that holds one is refused like any unknown type."""
    folder = nm.save(fitted, tmp_path / "m")
    pipeline = clone(fitted.pipeline)
    texts, labels = synthetic(60, seed=4)
    nm.estimators._fit_quietly(pipeline, texts, labels.to_numpy().astype(np.uint8))
    clf = pipeline.named_steps["clf"]
    clf.estimators_[2] = nm.estimators.ConstantScore().fit(None, np.zeros(3, dtype=np.uint8))
    sio.dump(pipeline, folder / "model.skops")
    with pytest.raises(nm.ModelLoadError, match="ConstantScore"):
        nm.load(folder)


def test_no_private_scikit_learn_names_are_imported():
    """Private names may vanish in any scikit-learn release."""
    root = Path(nm.__file__).parents[2]
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sklearn"):
                private = [a.name for a in node.names if a.name.startswith("_")]
                assert not private, f"{path.relative_to(root)}: {node.module} {private}"


def test_svm_model_round_trips(tmp_path):
    texts, labels = synthetic(150, seed=12)
    model = nm.train(texts, labels[["judol", "hate"]], params={"classifier": "svm", "C": 0.3})
    loaded = nm.load(nm.save(model, tmp_path / "svm"))
    pd.testing.assert_frame_equal(loaded.predict_scores(texts), model.predict_scores(texts))
    labels.loc[:, "rare"] = False
    labels.loc[:3, "rare"] = True
    with pytest.raises(ValueError, match="at least 5 examples"):
        nm.train(texts, labels, params={"classifier": "svm"})


def test_nb_lr_is_folded_into_plain_logistic_regression(tmp_path):
    texts, labels = synthetic(200, seed=15)
    labels = labels[["judol", "hate"]]
    params = {"nb_scale": 1.0, "C": 1.0}
    model = nm.train(texts, labels, params=params, tune_thresholds=False)
    union, clf = model.pipeline.named_steps["features"], model.pipeline.named_steps["clf"]
    X = union.transform(nm.normalize_texts(texts))
    ratios = nm.nb_log_ratios(X, labels.to_numpy().astype(np.uint8))
    for j, est in enumerate(clf.estimators_):  # same scores as an LR fitted on X * r
        assert type(est) is LogisticRegression
        direct = clone(est).fit(X.multiply(ratios[j]).tocsr(), labels.iloc[:, j])
        np.testing.assert_allclose(X @ est.coef_.ravel() + est.intercept_,
                                   X.multiply(ratios[j]).tocsr() @ direct.coef_.ravel()
                                   + direct.intercept_, rtol=1e-6, atol=1e-8)
    held, truth = synthetic(100, seed=16)
    assert (nm.evaluate(model, held, truth[["judol", "hate"]])["f1"] >= 0.95).all()
    loaded = nm.load(nm.save(model, tmp_path / "nb"))  # no types beyond the allow-list
    pd.testing.assert_frame_equal(loaded.predict_scores(texts), model.predict_scores(texts))
    half = nm.train(texts, labels, params={**params, "nb_scale": 0.5}, tune_thresholds=False)
    assert not np.allclose(half.predict_scores(texts), model.predict_scores(texts))
    plain = nm.train(texts, labels, params={**params, "nb_scale": 0.0}, tune_thresholds=False)
    assert not np.allclose(plain.predict_scores(texts), model.predict_scores(texts))


def test_missing_model_or_metadata(fitted, tmp_path):
    with pytest.raises(nm.ModelLoadError, match="no model.skops"):
        nm.load(tmp_path)
    folder = nm.save(fitted, tmp_path / "m")
    (folder / "metadata.json").unlink()
    with pytest.raises(nm.ModelLoadError, match="metadata"):
        nm.load(folder)


# --- real data (skipped when ../shared/data is absent) -----------------------------------


@pytest.mark.shared
def test_judol_small_train_generalizes(shared_data):
    path = shared_data / "judol_comments_labeled_gbennnn" / "dataset_judol_labelled.csv"
    texts, labels = read_labeled(path, "comment_text", ["judol=label"])
    order = np.random.default_rng(0).permutation(len(texts))
    train, test = order[:3000], order[3000:5000]
    model = nm.train(texts.iloc[train], labels.iloc[train])
    table = nm.evaluate(model, texts.iloc[test], labels.iloc[test])
    assert table.loc["judol", "f1"] > 0.9, table


def test_fast_char_features_equal_sklearn(fitted):
    docs = ["", "a", "ab abc", "slot  gacor\tmaxwin\n", "x" * 30, "é ü 中文 ok", " kata1 kata2 "]
    docs += synthetic(40, seed=13)[0]
    union = fitted.pipeline.named_steps["features"]
    fast, slow = nm.features(union, docs), union.transform(docs)
    assert fast.shape == slow.shape and fast.dtype == slow.dtype
    assert (fast != slow).nnz == 0
    scores = fitted.predict_scores(docs).to_numpy()
    np.testing.assert_array_equal(scores, fitted.pipeline.predict_proba(nm.normalize_texts(docs)))


# --- nested labels ---------------------------------------------------------------------------


def test_nested_parents_detects_containment_and_picks_the_tightest_parent():
    rng = np.random.default_rng(20)
    a = rng.random(600) < 0.5
    b = a & (rng.random(600) < 0.5)  # inside a
    c = b & (rng.random(600) < 0.5)  # inside b, hence inside a too
    d = rng.random(600) < 0.3  # independent of everything
    e = a & (rng.random(600) < 0.4)
    e[np.flatnonzero(~a)[:20]] = True  # about 80 % inside a: below 0.95
    Y = np.column_stack([a, b, c, d, e]).astype(np.uint8)
    names = ["a", "b", "c", "d", "e"]
    found = nm.nested_parents(Y, names)
    assert {k: v["parent"] for k, v in found.items()} == {"b": "a", "c": "b"}
    assert found["b"]["share"] == 1.0 and found["b"]["parent_rows"] == int(a.sum())
    assert {k: v["parent"] for k, v in nm.nested_parents(Y, names, 0.75).items()} == {
        "b": "a", "c": "b", "e": "a"}
    assert nm.nested_parents(Y, names, None) == {}
    assert nm.nested_parents(Y, names, min_rows=10_000) == {}  # too few rows to learn P(b | a)
    same = np.column_stack([a, a]).astype(np.uint8)  # equal labels: neither nests in the other
    assert nm.nested_parents(same, ["x", "y"]) == {}
    with pytest.raises(ValueError, match="nest_containment"):
        nm.resolve_params({"nest_containment": 0.2})


def test_chain_scores_multiply_down_the_chain():
    scores = np.array([[0.8, 0.5, 0.5, 0.3], [0.1, 1.0, 0.2, 0.9]])
    chained = nm.chain_scores(scores, {2: 1, 1: 0})  # order of the mapping does not matter
    np.testing.assert_allclose(chained, [[0.8, 0.4, 0.2, 0.3], [0.1, 0.1, 0.02, 0.9]])
    np.testing.assert_array_equal(scores[0], [0.8, 0.5, 0.5, 0.3])  # input left alone
    with pytest.raises(ValueError, match="cycle"):
        nm.chain_scores(scores, {0: 1, 1: 0})


def nested_data(n, seed):
    """'sara' = hate AND the word 'agama'; 'agama' is as common outside hate as inside it."""
    rng = np.random.default_rng(seed)
    hate = rng.random(n) < 0.4
    agama = rng.random(n) < 0.5
    texts = []
    for h, g in zip(hate, agama, strict=True):
        words = list(rng.choice(NEUTRAL, size=rng.integers(5, 10)))
        words += list(rng.choice(VOCAB["hate"], size=2)) if h else []
        words += ["agama"] if g else []
        rng.shuffle(words)
        texts.append(" ".join(words))
    return texts, pd.DataFrame({"hate": hate, "sara": hate & agama})


def test_nested_label_is_learnt_on_parent_rows_and_chained(tmp_path):
    texts, labels = nested_data(400, seed=21)
    plain = nm.train(texts, labels, params={"nb_scale": 0.0}, tune_thresholds=False)
    union, clf = plain.pipeline.named_steps["features"], plain.pipeline.named_steps["clf"]
    X = union.transform(nm.normalize_texts(texts))
    rows = labels["hate"].to_numpy()
    direct = clone(clf.estimator).fit(X[rows], labels["sara"][rows])  # the parent's rows only
    np.testing.assert_allclose(clf.estimators_[1].coef_, direct.coef_, rtol=1e-6, atol=1e-8)

    model = nm.train(texts, labels)
    assert model.parents == {"sara": "hate"}
    assert model.metadata["nested"]["sara"] == {"parent": "hate", "share": 1.0,
                                                "parent_rows": int(labels["hate"].sum())}
    scores = model.predict_scores(texts)
    raw = model.pipeline.predict_proba(nm.normalize_texts(texts))
    np.testing.assert_allclose(scores["sara"], raw[:, 0] * raw[:, 1])
    assert (scores["sara"] <= scores["hate"]).all()
    # Conditioned on hate, 'agama' decides; without hate words it cannot make sara.
    probe = model.predict(["benci kafir agama kata1", "benci kafir kata1", "agama kata1 kata2"])
    assert probe["sara"].tolist() == [True, False, False]
    held, truth = nested_data(400, seed=22)
    flat = nm.train(texts, labels, params={"nest_containment": None})
    assert flat.parents == {} and flat.metadata["nested"] == {}
    nested_f1 = nm.evaluate(model, held, truth).loc["sara", "f1"]
    flat_f1 = nm.evaluate(flat, held, truth).loc["sara", "f1"]
    assert nested_f1 >= 0.95 and nested_f1 > flat_f1 + 0.1, (nested_f1, flat_f1)
    loaded = nm.load(nm.save(model, tmp_path / "nested"))  # no types beyond the allow-list
    assert loaded.parents == {"sara": "hate"}
    pd.testing.assert_frame_equal(loaded.predict_scores(texts), scores)


def test_nested_model_metadata_is_checked_on_load(tmp_path):
    texts, labels = nested_data(200, seed=23)
    folder = nm.save(nm.train(texts, labels, tune_thresholds=False), tmp_path / "m")
    info = json.loads((folder / "metadata.json").read_text())
    assert info["format_version"] == 2 and info["parents"] == {"sara": "hate"}
    for bad in ({"sara": "nope"}, {"sara": "sara"}, ["sara"], {"sara": "hate", "hate": "sara"}):
        (folder / "metadata.json").write_text(json.dumps({**info, "parents": bad}))
        with pytest.raises(nm.ModelLoadError, match="nested labels"):
            nm.load(folder)
    (folder / "metadata.json").write_text(json.dumps({**info, "format_version": 99}))
    with pytest.raises(nm.ModelLoadError, match="format version"):
        nm.load(folder)
    old = {k: v for k, v in info.items() if k != "parents"}  # format 1: no nesting
    (folder / "metadata.json").write_text(json.dumps({**old, "format_version": 1}))
    assert nm.load(folder).parents == {}


# --- nb_scale chosen per label by inner CV --------------------------------------------------


def loud_data(n, seed):
    """'loud' = the word 'ramai' four times (once otherwise: present in every text, so its
    naive-Bayes log-count ratio is ~0 and NB-LR cannot see it); 'hate' = hate words present."""
    rng = np.random.default_rng(seed)
    loud, hate = rng.random(n) < 0.4, rng.random(n) < 0.3
    texts = []
    for lo, h in zip(loud, hate, strict=True):
        words = list(rng.choice(NEUTRAL, size=rng.integers(6, 10)))
        words += list(rng.choice(VOCAB["hate"], size=2)) if h else []
        rng.shuffle(words)
        for i in range(4 if lo else 1):
            words.insert(2 * i, "ramai")
        texts.append(" ".join(words))
    return texts, pd.DataFrame({"loud": loud, "hate": hate})


def test_nb_scale_grid_is_chosen_per_label_by_inner_cv(tmp_path):
    texts, labels = loud_data(300, seed=31)
    model = nm.train(texts, labels, params={"nb_scale": [1.0, 0.0]}, seed=0)
    assert model.metadata["params"]["nb_scale"] == [0.0, 1.0]
    assert model.metadata["nb_scale"] == {"loud": 0.0, "hate": 1.0}  # plain LR / NB-LR (tie)
    inner = model.metadata["thresholds_from"]
    assert inner["loud"]["nb_scale_oof_f1"]["0.0"] > inner["loud"]["nb_scale_oof_f1"]["1.0"] + 0.2
    assert inner["hate"]["nb_scale_oof_f1"]["0.0"] == inner["hate"]["nb_scale_oof_f1"]["1.0"]
    assert inner["loud"]["oof_f1"] == inner["loud"]["nb_scale_oof_f1"]["0.0"]
    # The final model holds exactly the single-value fits of the chosen values, as plain LR.
    coef = {}
    for beta in (0.0, 1.0):
        single = nm.train(texts, labels, params={"nb_scale": beta}, tune_thresholds=False)
        coef[beta] = [e.coef_ for e in single.pipeline.named_steps["clf"].estimators_]
    estimators = model.pipeline.named_steps["clf"].estimators_
    assert all(type(e) is LogisticRegression for e in estimators)
    np.testing.assert_array_equal(estimators[0].coef_, coef[0.0][0])
    np.testing.assert_array_equal(estimators[1].coef_, coef[1.0][1])
    held, truth = loud_data(200, seed=32)
    f1 = nm.evaluate(model, held, truth)["f1"]
    nb_only = nm.evaluate(nm.train(texts, labels, params={"nb_scale": 1.0}), held, truth)["f1"]
    assert f1["loud"] > 0.8 and f1["loud"] > nb_only["loud"] + 0.1 and f1["hate"] > 0.95
    loaded = nm.load(nm.save(model, tmp_path / "grid"))  # no types beyond the allow-list
    assert loaded.metadata["nb_scale"] == {"loud": 0.0, "hate": 1.0}
    pd.testing.assert_frame_equal(loaded.predict_scores(held), model.predict_scores(held))
    untuned = nm.train(texts, labels, params={"nb_scale": [0.0, 0.5]}, tune_thresholds=False)
    assert untuned.metadata["nb_scale"] == {"loud": 0.5, "hate": 0.5}  # no inner CV: nearest 1


def test_nb_scale_selection_sees_only_the_training_part(monkeypatch):
    texts, labels = loud_data(240, seed=33)
    calls = []
    real_inner = nm.tuning._inner_thresholds

    def spy(clf, X, Y, names, seed, nb, parents, **kwargs):
        calls.append(Y.copy())
        return real_inner(clf, X, Y, names, seed, nb, parents, **kwargs)

    monkeypatch.setattr(nm.training, "_inner_thresholds", spy)  # train's
    params = {"nb_scale": [0.0, 1.0]}
    table = nm.cross_validate(texts, labels, folds=3, seed=0, params=params)
    folds = nm.cv_folds(texts, labels, folds=3, seed=0)
    assert len(calls) == 3 and len(table.attrs["nb_scale"]) == 3
    for k, (Y, chosen) in enumerate(zip(list(calls), table.attrs["nb_scale"], strict=True)):
        train_rows = folds != k
        np.testing.assert_array_equal(Y, labels[train_rows].to_numpy().astype(np.uint8))
        alone = nm.train([t for t, r in zip(texts, train_rows, strict=True) if r],
                         labels[train_rows], params=params, seed=0)
        assert chosen == alone.metadata["nb_scale"] == {"loud": 0.0, "hate": 1.0}
    per_fold = pd.DataFrame(table.attrs["per_fold"])
    assert per_fold.set_index(["fold", "label"])["nb_scale"].to_dict() == {
        (k, label): v for k, chosen in enumerate(table.attrs["nb_scale"])
        for label, v in chosen.items()}
    with pytest.raises(ValueError, match="nb_scale"):
        nm.resolve_params({"nb_scale": [0.5, 1.5]})
    with pytest.raises(ValueError, match="nb_scale"):
        nm.resolve_params({"nb_scale": []})


def test_nb_scale_grid_with_nested_label_chains_on_the_parents_choice():
    texts, labels = nested_data(400, seed=23)
    model = nm.train(texts, labels, params={"nb_scale": [0.0, 1.0]}, seed=0)
    assert model.parents == {"sara": "hate"}
    chosen = model.metadata["nb_scale"]
    inner = model.metadata["thresholds_from"]
    for label in ("hate", "sara"):
        f1 = inner[label]["nb_scale_oof_f1"]
        assert chosen[label] == (1.0 if f1["1.0"] >= f1["0.0"] else 0.0)
        assert inner[label]["oof_f1"] == f1[str(chosen[label])]
    scores = model.predict_scores(texts)
    raw = model.pipeline.predict_proba(nm.normalize_texts(texts))
    np.testing.assert_allclose(scores["sara"], raw[:, 0] * raw[:, 1])


# --- stacked views -----------------------------------------------------------------------------


def test_stack_views_is_folded_into_plain_logistic_regression(tmp_path):
    texts, labels = nested_data(400, seed=41)
    model = nm.train(texts, labels, params={"stack_views": True}, seed=0)
    assert model.parents == {"sara": "hate"}
    stacked = model.metadata["stacked"]
    assert list(stacked) == ["hate"]  # a nested label keeps its conditional model
    info = stacked["hate"]
    assert list(info["weights"]) == ["all", "word", "char"] and list(info["nb_scale"]) == [
        "word", "char"]
    assert sum(abs(w) > 1e-3 for w in info["weights"].values()) >= 2
    assert "stacked_oof_f1" in model.metadata["thresholds_from"]["hate"]
    # Rebuild the stack by hand: the full-feature model with the chosen nb_scale, each view
    # fitted on its block alone, combined on the logit scale by the recorded weights.
    beta = model.metadata["nb_scale"]["hate"]
    base = nm.train(texts, labels, params={"nb_scale": beta}, tune_thresholds=False, seed=0)
    union = model.pipeline.named_steps["features"]
    X = union.transform(nm.normalize_texts(texts))
    Y = labels[["hate"]].to_numpy().astype(np.uint8)
    expected = info["weights"]["all"] * base.pipeline.named_steps["clf"].estimators_[0] \
        .decision_function(X) + info["intercept"]
    for name, block in zip(["word", "char"], nm.feature_blocks(union), strict=True):
        view = nm.estimators._fit_quietly(clone(base.pipeline.named_steps["clf"]), X[:, block],
                                          Y, info["nb_scale"][name])
        expected += info["weights"][name] * view.estimators_[0].decision_function(X[:, block])
    estimators = model.pipeline.named_steps["clf"].estimators_
    assert all(type(e) is LogisticRegression for e in estimators)
    np.testing.assert_allclose(estimators[0].decision_function(X), expected, rtol=1e-6,
                               atol=1e-6)
    scores = model.predict_scores(texts)
    np.testing.assert_allclose(scores["hate"], 1 / (1 + np.exp(-expected)), rtol=1e-6)
    conditional = estimators[1].predict_proba(X)[:, 1]
    np.testing.assert_allclose(scores["sara"], scores["hate"] * conditional)
    loaded = nm.load(nm.save(model, tmp_path / "stacked"))  # no types beyond the allow-list
    pd.testing.assert_frame_equal(loaded.predict_scores(texts), scores)
    assert loaded.metadata["stacked"] == stacked
    assert nm.train(texts, labels, seed=0).metadata["stacked"] == {}  # off by default


def test_stack_views_changes_scores_and_rejects_what_it_cannot_do():
    texts, labels = synthetic(300, seed=43)
    plain = nm.train(texts, labels, seed=0)
    stacked = nm.train(texts, labels, params={"stack_views": True}, seed=0)
    assert set(stacked.metadata["stacked"]) == set(VOCAB)
    held, truth = synthetic(150, seed=44)
    assert not np.allclose(stacked.predict_scores(held), plain.predict_scores(held))
    assert (nm.evaluate(stacked, held, truth).loc[["judol", "hate"], "f1"] >= 0.95).all()
    with pytest.raises(ValueError, match="stack_views needs classifier"):
        nm.resolve_params({"stack_views": True, "classifier": "svm"})
    with pytest.raises(ValueError, match="stack_views must be"):
        nm.resolve_params({"stack_views": "yes"})
    with pytest.raises(ValueError, match="tune_thresholds"):
        nm.train(texts, labels, params={"stack_views": True}, tune_thresholds=False)
