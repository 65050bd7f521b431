"""Texts to features: the normalization a model applies, its TF-IDF views, and a fast char_wb path.

Training and prediction must see exactly the same input, so both go through ``normalize_texts``
and ``features``. Corpora are scored by the million, so ``features`` computes the char n-gram
block word by word (``_char_wb_tfidf``): identical to scikit-learn's output, several times faster.
"""

from __future__ import annotations

import dataclasses
from array import array
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.preprocessing import normalize as row_normalize

from negtrend.tagging import textnorm
from negtrend.tagging.model.params import ModelSettingsError


def norm_config(norm=None) -> textnorm.NormConfig:
    """None -> textnorm.DEFAULT; a NormConfig as is; a dict of its fields -> NormConfig."""
    if norm is None:
        return textnorm.DEFAULT
    if isinstance(norm, textnorm.NormConfig):
        return norm
    if isinstance(norm, dict):
        known = {f.name for f in dataclasses.fields(textnorm.NormConfig)}
        unknown = sorted(set(norm) - known)
        if unknown:
            raise ModelSettingsError(f"unknown normalization settings {unknown}; known: "
                                     f"{sorted(known)}")
        return textnorm.NormConfig(**norm)
    raise TypeError(f"norm must be None, a NormConfig or a dict, not {type(norm).__name__}")


def norm_dict(norm=None) -> dict:
    """The NormConfig as JSON-able data, so a saved model can re-create it exactly."""
    data = dataclasses.asdict(norm_config(norm))
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in data.items()}


def _as_text_list(texts) -> list:
    """Any sequence of texts -> list of str; missing values become "" (callers quarantine them)."""
    values = texts.tolist() if hasattr(texts, "tolist") else list(texts)
    return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values]


def normalize_texts(texts, norm=None) -> list[str]:
    """The exact preprocessing a model applies before its vectorizers."""
    array = textnorm.normalize_array(_as_text_list(texts), norm_config(norm))
    return ["" if v is None else v for v in array.to_pylist()]


def _vectorizer(analyzer: str, ngram: tuple, min_df, max_features) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=analyzer, ngram_range=ngram, min_df=min_df,
                           max_features=max_features, sublinear_tf=True, lowercase=False,
                           dtype=np.float32)


def _fast_char_ok(step) -> bool:
    """Whether ``_char_wb_tfidf`` reproduces this vectorizer's ``transform`` exactly."""
    return (isinstance(step, TfidfVectorizer) and step.analyzer == "char_wb"
            and not step.lowercase and step.preprocessor is None and step.strip_accents is None
            and step.input == "content" and not step.binary and step.use_idf
            and hasattr(step, "vocabulary_"))


def _word_ngram_ids(word: str, vocab: dict, lo: int, hi: int) -> array:
    """Vocabulary ids of one word's char_wb n-grams, as sklearn's analyzer makes them."""
    padded = f" {word} "
    size, grams = len(padded), []
    for n in range(lo, hi + 1):
        if size <= n:  # sklearn counts a short padded word once, whole
            grams.append(padded)
            break
        grams += [padded[i:i + n] for i in range(size - n + 1)]
    return array("i", [i for i in map(vocab.get, grams) if i is not None])


def _char_wb_tfidf(step: TfidfVectorizer, docs: list[str]) -> sp.csr_matrix:
    """``step.transform(docs)`` computed word by word with a per-call cache.

    char_wb n-grams never cross a word boundary, so each distinct word is analysed once per
    call; that makes prediction several times faster than sklearn's per-document loop.
    """
    vocab, (lo, hi) = step.vocabulary_, step.ngram_range
    cache: dict[str, array] = {}
    indices = array("i")
    indptr = [0]
    for doc in docs:
        for word in doc.split():
            ids = cache.get(word)
            if ids is None:
                ids = cache[word] = _word_ngram_ids(word, vocab, lo, hi)
            indices.extend(ids)
        indptr.append(len(indices))
    X = sp.csr_matrix((np.ones(len(indices), dtype=step.dtype), np.frombuffer(indices, np.intc),
                       np.asarray(indptr, np.int64)), shape=(len(docs), len(vocab)))
    X.sum_duplicates()
    if step.sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1.0
    X.data *= step.idf_[X.indices]
    return row_normalize(X, norm=step.norm, copy=False) if step.norm else X


def features(union: FeatureUnion, docs: list[str]):
    """``union.transform(docs)``, with the char_wb block computed by ``_char_wb_tfidf``."""
    steps = [step for _, step in union.transformer_list]
    if union.transformer_weights or any(isinstance(s, str) for s in steps):
        return union.transform(docs)
    blocks = [_char_wb_tfidf(s, docs) if _fast_char_ok(s) else s.transform(docs) for s in steps]
    return sp.hstack(blocks).tocsr()


def feature_blocks(union: FeatureUnion) -> list[slice]:
    """The column range of each fitted vectorizer of ``union`` in its output."""
    sizes = [len(step.vocabulary_) for _, step in union.transformer_list]
    bounds = np.cumsum([0, *sizes])
    return [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
