"""The lexicon tagger's fast path (words and phrases matched as tokens, ``lexicon._Literals``)
gives exactly the scores of the reference path (every entry through the scanners,
``LexiconTagger._reference_scores``) and of ``explain`` (Python ``re`` on one text), on a
generated corpus built to hit every edge: every entry of every category, obfuscations, all
phrase gaps, words glued to other words, non-ASCII and emoji beside terms, empty and null
texts, very long texts, and terms split across the boundary between two posts. The last tests
break the fast path on purpose and check that the comparison notices."""

from __future__ import annotations

import random

import numpy as np
import pyarrow as pa
import pytest

from negtrend.tagging import lexicon
from negtrend.tagging.lexicon import LexiconTagger

ENGINES = [True, False] if lexicon.hyperscan is not None else [False]
LEET = str.maketrans({"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"})
STYLED = {c: chr(0x1D400 + ord(c) - ord("A")) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
EDGES = ["", " ", "!", ",", ".", "-", "_", "x", "9", "é", "ñ", "😂", "🎰", "\n", "\t", "#", "@",
         "(", ")", "[", "'", "’", "\u200b", "\u0301", "Ω", "д", "漢"]
GAPS = [" ", "  ", "-", " - ", "\t", "\n", " \r\n ", ", ", ".", "_", "/", "\u00a0", "—", "  -\t"]
FILLER = ["yang", "dan", "di", "ini", "itu", "pemilu", "capres", "hoaks", "berita", "kabar",
          "judi", "slot", "gacor", "kampanye", "rakyat", "partai", "calon", "suara", "tps",
          "jakarta", "bandung", "anies", "prabowo", "ganjar", "debat", "situs", "online",
          "maxwin", "depo", "50k", "wd", "100rb", "hoki88", "lazadatoto", "pulauwin", "x500",
          "081234567890"]
SAMPLES_FOR_RE = ["depo 50k", "deposit: 100rb", "wd 2jt", "jp 5 juta", "hoki88", "slot777",
                  "lazadatoto", "mbak4d2", "alexis17", "pulauwin", "darwin", "godwin",
                  "garudajp", "rajaslot", "togel62", "gacorrr", "gaccoor", "max win", "maxxwin",
                  "jepee", "x500", "x 1000", "tujuh delapan sembilan", "wa 0812 3456 7890",
                  "hub: +6281234567890", "08123456789", "[SALAH] berita", "(HOAKS) video",
                  "kirimkan kode otp", "cari di google pulauwin", "link bokep", "vc s", "vcs",
                  "2 periode", "tiga periode", "2019gantipresiden", "ganti presiden",
                  "otak udang", "dasar kampret", "tukang bohong", "gak punya otak",
                  "jangan sampai berhenti di kamu", "🎰🎲", "18+", "konten 18+ di sini"]


def _variants(value: str, rng: random.Random) -> list[str]:
    """A term as spam writes it, and as it must not match."""
    words = value.split()
    out = [value, value.upper(), value.title(), value.translate(LEET),
           " ".join(value.replace(" ", "")),  # s l o t
           ".".join(value.replace(" ", "")),  # s.l.o.t
           "".join(STYLED.get(c.upper(), c) for c in value),  # 𝐒𝐋𝐎𝐓
           "[" + value[0].upper() + "]" + value[1:].upper(),  # [S]LOT
           value[:-1] + value[-1] * 4,  # gacorrrr
           "x" + value, value + "x", "_" + value, value + "9", value[1:], value[:-1]]
    if len(words) > 1:
        out += [rng.choice(GAPS).join(words) for _ in range(4)]
        out += [" ".join(words[:-1]), words[0] + "x " + " ".join(words[1:])]
    return out


def _post(rng: random.Random, pieces: list[str]) -> str:
    """A few pieces between random edges and filler words."""
    parts = []
    for piece in rng.sample(pieces, k=min(len(pieces), rng.randint(1, 3))):
        parts += [rng.choice(EDGES) + piece + rng.choice(EDGES),
                  " ".join(rng.choice(FILLER) for _ in range(rng.randint(0, 4)))]
    return rng.choice(["", " ", "🙏 "]) + rng.choice(GAPS).join(parts)


def corpus(tagger: LexiconTagger, seed: int = 0, size: int = 3000) -> list[str | None]:
    """Texts hitting every entry of every category, plainly and obfuscated, and the edges."""
    rng = random.Random(seed)
    terms = [v for e in tagger.entries if e.kind in ("word", "phrase")
             for v in _variants(e.value, rng)]
    pieces = terms + SAMPLES_FOR_RE + FILLER
    texts: list[str | None] = [_post(rng, pieces) for _ in range(size)]
    # every term once, alone and glued to neighbours
    texts += [e.value for e in tagger.entries if e.kind in ("word", "phrase")]
    texts += [rng.choice(EDGES) + t + rng.choice(EDGES) for t in terms[::7]]
    # empty, null, whitespace, non-ASCII only
    texts += [None, "", " ", "\n", "\t \n", "😂😂😂", "漢字かな", "Ωмега", "\u200b", None]
    # very long texts with terms at both ends and in the middle
    for _ in range(6):
        middle = " ".join(rng.choice(FILLER + terms) for _ in range(rng.randint(2000, 6000)))
        texts.append(rng.choice(terms) + " " + middle + " " + rng.choice(terms))
    # terms cut across the boundary between two posts: "...sit" | "us judi..."
    for value in [e.value for e in tagger.entries if e.kind in ("word", "phrase")][::3]:
        cut = rng.randint(1, len(value) - 1) if len(value) > 1 else 1
        texts += ["kata " + value[:cut], value[cut:] + " kata"]
        if " " in value:
            head, _, tail = value.partition(" ")
            texts += ["awal " + head, tail + " akhir", head + " ", " " + tail]
    return texts


def differences(tagger: LexiconTagger, texts: list[str | None]) -> dict[str, list[int]]:
    """Per category, the texts whose fast-path score differs from the reference path."""
    values = pa.array(texts, pa.string())
    normalized = tagger.normalize_array(values)
    fast = tagger.score_array(values, normalized)
    reference = tagger._reference_scores(values, normalized)
    return {c: np.flatnonzero(fast[c] != reference[c]).tolist() for c in tagger.categories
            if not np.array_equal(fast[c], reference[c])}


def explained(tagger: LexiconTagger, text: str | None) -> dict[str, float]:
    """Scores as ``explain`` computes them (Python ``re`` on one text)."""
    scores = dict.fromkeys(tagger.categories, 0.0)
    for hit in tagger.explain(text):
        scores[hit["category"]] = hit["score"]
    return scores


@pytest.fixture(scope="module", params=ENGINES, ids=lambda h: "hyperscan" if h else "python")
def tagger(request) -> LexiconTagger:
    return LexiconTagger(use_hyperscan=request.param)


@pytest.fixture(scope="module")
def texts() -> list[str | None]:
    return corpus(LexiconTagger(use_hyperscan=False))


def test_corpus_hits_every_category_and_most_entries(tagger, texts):
    scores = tagger.score_array(pa.array(texts, pa.string()))
    for category in tagger.categories:
        assert (scores[category] != 0).sum() > 100, category
    literal = sum(lexicon.token_literal(e) for e in tagger.entries)
    assert literal > 0.9 * sum(e.kind in ("word", "phrase") for e in tagger.entries)


def test_fast_path_equals_reference_path(tagger, texts):
    assert differences(tagger, texts) == {}


def test_fast_path_equals_explain(tagger, texts):
    values = pa.array(texts, pa.string())
    fast = tagger.score_array(values)
    sample = random.Random(1).sample(range(len(texts)), 400) + list(range(len(texts) - 40,
                                                                          len(texts)))
    for i in sample:
        expected = explained(tagger, texts[i])
        got = {c: float(fast[c][i]) for c in tagger.categories}
        assert got == expected, (i, texts[i])


def test_fast_path_on_sliced_and_chunked_arrays(tagger, texts):
    values = pa.array(texts, pa.string())
    whole = tagger.score_array(values)
    for start, stop in [(1, 900), (777, 2345), (len(texts) - 50, len(texts))]:
        part = tagger.score_array(values.slice(start, stop - start))
        assert all(np.array_equal(part[c], whole[c][start:stop]) for c in tagger.categories)
    chunked = pa.chunked_array([values.slice(0, 1000), values.slice(1000)])
    again = tagger.score_array(chunked)
    large = tagger.score_array(values.cast(pa.large_string()))
    for c in tagger.categories:
        assert np.array_equal(again[c], whole[c]) and np.array_equal(large[c], whole[c])


def test_small_batches_and_one_text_at_a_time(tagger, texts):
    values = pa.array(texts[:300], pa.string())
    whole = tagger.score_array(values)
    for i in range(0, 300, 37):
        one = tagger.score_array(values.slice(i, 1))
        assert all(one[c][0] == whole[c][i] for c in tagger.categories)
    empty = tagger.score_array(pa.array([], pa.string()))
    assert all(len(v) == 0 for v in empty.values())


CUSTOM = """\
slot
situs judi  0.5
situs judi online  0.75
judi online  0.25
bagi bagi
a b c d e
under_score
x9
user
url  0.5
berita  -0.5
re: \\bga[c]+[oiu]+r+\\b  0.5
"""


@pytest.mark.parametrize("use_hyperscan", ENGINES)
def test_custom_lexicon_prefixes_repeats_weights_placeholders(tmp_path, use_hyperscan):
    """Phrases that are prefixes of others, repeated words, 5-word phrases, digits and ``_``,
    placeholders (USER stays upper case after normalization), negative weights, a word in two
    categories."""
    (tmp_path / "one.txt").write_text(CUSTOM, encoding="utf-8")
    (tmp_path / "two.txt").write_text("slot  0.5\njudi\nsitus\n", encoding="utf-8")
    tagger = LexiconTagger(lexicon.load_lexicons(tmp_path), use_hyperscan=use_hyperscan)
    rng = random.Random(3)
    pieces = ["situs judi online", "situs judi", "situs  judi-online", "situs, judi", "situs",
              "judi online", "bagi bagi bagi", "bagi-bagi", "a b c d e", "a b c d", "a-b c\td e",
              "under_score", "under score", "x9", "x 9", "@someone", "http://t.co/x", "USER",
              "url", "berita", "berita berita", "gacor", "slot", "SLOT!", "slotgacor"]
    texts = [" ".join(rng.choice(pieces) for _ in range(rng.randint(0, 6))) for _ in range(2000)]
    assert differences(tagger, texts) == {}
    fast = tagger.score_array(pa.array(texts, pa.string()))
    for i in range(0, 2000, 9):
        assert {c: float(fast[c][i]) for c in tagger.categories} == explained(tagger, texts[i])


def test_lexicon_without_words_or_without_patterns(tmp_path):
    (tmp_path / "pat.txt").write_text("re: \\bab+c\\b\nevidence: spaced\n", encoding="utf-8")
    (tmp_path / "lit.txt").write_text("abc\nab c\n", encoding="utf-8")
    texts = ["abbc", "ab c", "a b c d", "abc", "ＡＢＣ", "a-b c", "", None]
    for category in ("pat", "lit"):
        tagger = LexiconTagger(lexicon.load_lexicons(tmp_path, [category]))
        assert differences(tagger, texts) == {}
        scores = tagger.score_array(pa.array(texts, pa.string()))[category].tolist()
        assert scores == [explained(tagger, t)[category] for t in texts]


# --- the comparison catches a broken fast path ----------------------------------------------


def test_comparison_catches_an_off_by_one_post(monkeypatch, texts):
    """Hits moved to the next post (an off-by-one in the offset mapping) must show up."""
    tagger = LexiconTagger()
    original = lexicon._Literals.pairs

    def shifted(self, joined):
        posts, entries = original(self, joined)
        return np.minimum(posts + 1, len(joined[1]) - 1), entries

    monkeypatch.setattr(lexicon._Literals, "pairs", shifted)
    assert differences(tagger, texts)


def test_comparison_catches_a_token_start_off_by_one(monkeypatch, texts):
    """Tokens that start one byte late ("lot" for "slot") must show up."""
    tagger = LexiconTagger()
    original = lexicon._tokens

    def late(buffer):
        bounds = original(buffer).copy()
        bounds[0::2] = np.minimum(bounds[0::2] + 1, bounds[1::2])
        return bounds

    monkeypatch.setattr(lexicon, "_tokens", late)
    assert differences(tagger, texts)


def test_comparison_catches_a_wrong_phrase_gap(monkeypatch, texts):
    """Phrases joined across any gap ("situs, judi") must show up."""
    tagger = LexiconTagger()
    monkeypatch.setattr(lexicon, "_all_gaps", lambda buffer, lo, hi: np.ones(len(lo), bool))
    assert differences(tagger, texts)


def test_comparison_catches_a_wrong_word_byte(monkeypatch, texts):
    """Digits taken for separators ("hoki88" read as "hoki") must show up."""
    tagger = LexiconTagger()
    monkeypatch.setattr(lexicon, "_is_word_byte", lambda b: (((b | 0x20) - 97) < 26) | (b == 95))
    assert differences(tagger, texts)


def test_comparison_catches_posts_glued_together(monkeypatch, texts):
    """A phrase matched across two posts ("...situs" | "judi...") must show up."""
    tagger = LexiconTagger()
    original = lexicon._Literals.pairs

    def glued(self, joined):
        buffer, starts = joined
        return original(self, (np.where(buffer == 10, np.uint8(32), buffer), starts))

    monkeypatch.setattr(lexicon._Literals, "pairs", glued)
    assert differences(tagger, texts)
