"""Lexicon tagger: per-category term lists matched on normalized (and raw) text, at corpus speed.

Lexicon files live in ``config/lexicons/<category>.txt`` (UTF-8), one entry per line::

    # judi_online: gambling promotion  <- a comment ("#" at line start or after a space)
    gacor                   # word: whole word on normalized text, weight 1
    situs judi              # phrase: whole words; spaces, tabs or hyphens between
    maxwin  0.5             # weight: a number after TWO or more spaces (or a tab)
    re: \\b\\w+toto\\b        # pattern on normalized text (the Hyperscan/RE2 subset: no
                            #   backreferences, no lookaround; \\x{1F3B0} for a code point)
    raw: 🎰  0.5            # pattern on the raw text, before normalization
    evidence: styled  0.5   # built-in obfuscation detector on the raw text (see EVIDENCE):
                            #   styled, styled_caps, spaced, mixed_digits, brackets,
                            #   mixed_styles, homoglyph

A category fires for a text when the weights of the DISTINCT entries that hit it sum to at least
the threshold (1.0 by default), so a weight-1 entry fires alone and two 0.5 entries fire
together; a negative weight counts against (e.g. anti-gambling news vocabulary). Words and
phrases are literal, lower-cased, and whole-word: ``slot`` does not hit ``slotted`` or
``timeslot`` but hits ``slot!`` and, because matching runs on normalized text, ``𝐒𝐋𝐎𝐓``,
``s l o t`` and ``sl0t``. Adding a term is a one-line edit; no code changes.

Matching semantics are those of ASCII regular expressions on UTF-8 text: ``\\w``/``\\b`` see
ASCII letters, digits and ``_``; case-insensitive for ASCII; ``^``/``$`` are the start/end of
a post. All entries of all categories are compiled into one Hyperscan database per view
(normalized, raw); a batch of posts is joined into one buffer with ``\\n`` between posts (newlines
inside posts become spaces) and scanned once. Patterns that could match across the separator
(``\\s``, ``\\W``, ``[^...]`` ...) are compiled with start-of-match reporting and any match that
crosses a post boundary is re-checked on the single post. Without Hyperscan the same patterns
run through Python ``re``. ``explain`` uses Python ``re`` on one text with the same patterns.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from negtrend.data import paths, taxonomy
from negtrend.errors import NegtrendError
from negtrend.tagging import textnorm

try:
    import hyperscan
except ImportError:  # pragma: no cover - exercised through the fallback flag in tests
    hyperscan = None


KINDS = ("word", "phrase", "re", "raw", "evidence")
VIEWS = ("normalized", "raw")
VIEW_OF = {"word": "normalized", "phrase": "normalized", "re": "normalized", "raw": "raw",
           "evidence": "raw"}
SEPARATOR = b"\n"
EPSILON_DECIMALS = 6  # scores are rounded so that 0.3 + 0.7 reaches a threshold of 1

# Letters that spam uses to dodge filters: mathematical alphanumerics (𝐒𝑳𝙊𝚃), fullwidth (ＳＬ),
# circled (Ⓢ), parenthesized (⒮), squared/negative squared/circled (🅂🆂🅢), letterlike (ℓℕ),
# small capitals (ꜱʟᴏᴛ). The detectors below are raw-view patterns that never match "\n".
_STYLED = (r"[\x{1D400}-\x{1D7FF}\x{FF10}-\x{FF19}\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}"
           r"\x{24B6}-\x{24E9}\x{249C}-\x{24B5}\x{1F130}-\x{1F189}\x{1D00}-\x{1D22}"
           r"\x{2102}\x{210A}-\x{2113}\x{2115}\x{2119}-\x{211D}\x{2124}\x{2128}\x{212C}\x{212D}"
           r"\x{212F}-\x{2131}\x{2133}\x{2134}]")
# Capitals and digits only: brands are written in styled capitals (𝐏𝐒𝐓𝐎𝐓𝐎𝟗𝟗), while people
# who like fancy fonts write whole sentences in styled lower case.
_STYLED_CAPS = ("[" + "".join(rf"\x{{{0x1D400 + 52 * k:X}}}-\x{{{0x1D419 + 52 * k:X}}}"
                              for k in range(13))
                + r"\x{1D7CE}-\x{1D7FF}\x{FF10}-\x{FF19}\x{FF21}-\x{FF3A}\x{24B6}-\x{24CF}"
                r"\x{1F130}-\x{1F189}\x{2102}\x{210B}-\x{210D}\x{2110}-\x{2112}\x{2115}"
                r"\x{2119}-\x{211D}\x{2124}\x{2128}\x{212C}\x{212D}\x{2130}\x{2131}\x{2133}]")
_COMBINING = r"[\x{0300}-\x{036F}\x{20D0}-\x{20FF}]"
_GREEK_CYRILLIC = r"[\x{0370}-\x{03FF}\x{0400}-\x{04FF}]"
_LATIN = r"[A-Za-z\x{00C0}-\x{024F}]"
_NOT_STYLED = _STYLED.replace("[", "[^\\n", 1)
_NOT_STYLED_CAPS = _STYLED_CAPS.replace("[", "[^\\n", 1)
_NOT_COMBINING = _COMBINING.replace("[", "[^A-Za-z\\n", 1)
_SPACED_GAP = r"(?: |[.\-_*|~] ?)"
# Each detector reports one match per obfuscated run (a left context marks the run's start),
# which keeps the number of match callbacks, the main cost of a scan, low.
EVIDENCE = {
    # two styled letters, at most one space apart (𝐆𝐀𝐂𝐎𝐑, Ａ Ｘ Ｌ), or underlined letters (P͎U͎L͎)
    "styled": (rf"(?:^|{_NOT_STYLED}){_STYLED} ?{_STYLED}"
               rf"|(?:^|{_NOT_COMBINING})(?:[A-Za-z]{_COMBINING}+){{2}}[A-Za-z]{_COMBINING}"),
    # three styled capitals or digits, spaces allowed (𝐏𝐒𝐓𝐎𝐓𝐎, Ｓ Ｗ ＩＮ, 𝐕𝐈𝐒𝐈 𝟒𝐃)
    "styled_caps": rf"(?:^|{_NOT_STYLED_CAPS}){_STYLED_CAPS}(?: ?{_STYLED_CAPS}){{2}}",
    # four or more single letters/digits split by spaces, dots or dashes (s l o t, s.l.o.t)
    "spaced": (r"(?:^|[A-Za-z0-9]{2} |[^A-Za-z0-9 .\-_*|~\n] ?)"
               rf"[A-Za-z](?:{_SPACED_GAP}[A-Za-z0-9]\b){{3}}"),
    # digits inside a word (g4c0r, sl0t, KYT4D); a lone 2 is reduplication (anak2nya), not leet
    "mixed_digits": r"\b[A-Za-z]+(?:[013-9]|[0-9]{2,})[A-Za-z]",
    # a bracketed letter inside a word ([S]LOT, SL(O)T)
    "brackets": r"[\[({][A-Za-z][\])}][A-Za-z]|[A-Za-z0-9][\[({][A-Za-z][\])}][A-Za-z0-9]",
    # styled and plain letters or digits inside one word (𝑨lex, 𝐏𝐒𝐓𝐎𝐓𝐎99, D𝑂Я𝐀)
    "mixed_styles": rf"[A-Za-z0-9]{_STYLED}|{_STYLED}[A-Za-z0-9]",
    # Latin or styled letters next to Greek or Cyrillic look-alikes in one word (ρüℓAυ, АЕRО)
    "homoglyph": (rf"(?:{_LATIN}|{_STYLED}){_GREEK_CYRILLIC}"
                  rf"|{_GREEK_CYRILLIC}(?:{_LATIN}|{_STYLED})"),
}

_COMMENT = re.compile(r"(?:^|\s)#.*$")
# "## Calls to action": a heading names the group of the entries below it (explain says it)
_HEADING = re.compile(r"^##(?!#)\s*(\S.*?)\s*$")
_PREFIX = re.compile(r"^(?P<kind>[A-Za-z_]+):(?:\s+|$)(?P<rest>.*)$")
_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)"
_WEIGHT = re.compile(rf"^(?P<body>.*?)(?:\t|\s{{2,}})\s*(?P<weight>{_NUMBER})$")
_LOOSE_WEIGHT = re.compile(r"\s[+-]?(?:\d*\.\d+)$")
_WORD_CHAR = re.compile(r"[A-Za-z0-9_]")
_CODEPOINT = re.compile(r"\\x\{([0-9A-Fa-f]{1,6})\}")
# Escapes and constructs that can match "\n": such patterns get start-of-match reporting.
_MAY_CROSS = re.compile(r"\\[sWDHvnRxcotrfea0-7pPXC]|\[\^|\(\?(?!:)|[\x00-\x1f]")
_PHRASE_GAP = r"[ \t\r\f\-]+"  # spaces, tabs or hyphens (bagi-bagi)
_PY_FLAGS = re.ASCII | re.IGNORECASE | re.MULTILINE


class LexiconError(NegtrendError, ValueError):
    """A malformed lexicon line or file: the message names the file, the line and what was
    expected."""


@dataclass(frozen=True)
class Entry:
    """One lexicon line: what it matches, how much it counts and where it was written."""

    category: str
    kind: str
    value: str
    weight: float
    line: int
    file: str
    group: str = ""  # the "## " heading the entry stands under: what kind of evidence it is

    @property
    def view(self) -> str:
        return VIEW_OF[self.kind]

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


# --- reading lexicon files -----------------------------------------------------------------


def python_regex(pattern: str) -> re.Pattern:
    """The Python ``re`` twin of a Hyperscan pattern (``\\x{HHHH}`` -> ``\\UHHHHHHHH``)."""
    translated = _CODEPOINT.sub(lambda m: f"\\U{int(m.group(1), 16):08X}", pattern)
    return re.compile(translated, _PY_FLAGS)


def _fail(file: str, line: int, message: str):
    raise LexiconError(f"{file}, line {line}: {message}")


def _split_weight(body: str, file: str, line: int) -> tuple[str, float]:
    """Body and weight; a weight needs two spaces (or a tab) so phrases may end in numbers."""
    match = _WEIGHT.match(body)
    if not match:
        if _LOOSE_WEIGHT.search(body):
            _fail(file, line, f"{body!r}: put two spaces (or a tab) before a weight")
        return body.strip(), 1.0
    weight = float(match.group("weight"))
    if not np.isfinite(weight) or weight == 0:
        _fail(file, line, f"weight must be a non-zero number, got {match.group('weight')!r}")
    return match.group("body").strip(), weight


def _literal(body: str, file: str, line: int) -> tuple[str, str]:
    """(kind, value) of a word or phrase: lower-cased, single-spaced, with a word character."""
    value = " ".join(body.lower().split())
    if not _WORD_CHAR.search(value):
        _fail(file, line, f"expected a word or phrase with a letter or digit, got {body!r}")
    return ("phrase" if " " in value else "word"), value


def _pattern(body: str, kind: str, file: str, line: int) -> str:
    """A checked regular expression: it compiles and cannot match empty text."""
    if not body:
        _fail(file, line, f"expected a pattern after '{kind}:'")
    try:
        compiled = python_regex(body)
    except re.error as exc:
        _fail(file, line, f"bad {kind} pattern {body!r}: {exc}")
    if compiled.search("") is not None:
        _fail(file, line, f"{kind} pattern {body!r} matches empty text")
    return body


def _evidence(body: str, file: str, line: int) -> str:
    if body not in EVIDENCE:
        _fail(file, line, f"unknown evidence {body!r}; expected one of {sorted(EVIDENCE)}")
    return body


def parse_line(text: str, category: str, file: str = "<string>", line: int = 1) -> Entry | None:
    """One lexicon line as an Entry, or None for blank and comment lines."""
    body = _COMMENT.sub("", text).strip()
    if not body:
        return None
    kind, prefix = None, _PREFIX.match(body)
    if prefix:
        kind = prefix.group("kind").lower()
        if kind not in ("re", "raw", "evidence"):
            _fail(file, line, f"unknown kind '{kind}:'; expected 're:', 'raw:' or 'evidence:' "
                              "(or a plain word or phrase)")
        body = prefix.group("rest")
    body, weight = _split_weight(body, file, line)
    if kind is None:
        kind, value = _literal(body, file, line)
    elif kind == "evidence":
        value = _evidence(body, file, line)
    else:
        value = _pattern(body, kind, file, line)
    return Entry(category, kind, value, weight, line, file)


def read_lexicon(path: str | Path, category: str | None = None) -> list[Entry]:
    """Entries of one file; a repeated entry is an error (it would count twice)."""
    path = Path(path)
    category = category or path.stem
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise LexiconError(f"{path}: not UTF-8 ({exc})") from exc
    entries, seen, group = [], {}, ""
    for number, text in enumerate(lines, start=1):
        heading = _HEADING.match(text)
        if heading:
            group = heading.group(1).strip()
            continue
        entry = parse_line(text, category, str(path), number)
        if entry is None:
            continue
        entry = dataclasses.replace(entry, group=group)
        key = (entry.kind, entry.value)
        if key in seen:
            _fail(str(path), number, f"{entry.value!r} repeats line {seen[key]}")
        seen[key] = number
        entries.append(entry)
    return entries


def default_folder() -> Path:
    return paths.config_dir() / "lexicons"


def load_lexicons(folder: str | Path | None = None,
                  categories: list[str] | None = None) -> dict[str, list[Entry]]:
    """``{category: entries}`` from ``<folder>/<category>.txt``; all files when not named."""
    folder = Path(folder) if folder else default_folder()
    if categories is None:
        categories = sorted(p.stem for p in folder.glob("*.txt"))
        if not categories:
            raise LexiconError(f"{folder}: no lexicon files (<category>.txt)")
    out = {}
    for category in categories:
        path = folder / f"{category}.txt"
        if not path.is_file():
            raise LexiconError(f"{path}: no lexicon for category '{category}'")
        out[category] = read_lexicon(path, category)
    return out


def keep_apart(tags: dict[str, np.ndarray], mentions: dict[str, str]
               ) -> dict[str, np.ndarray]:
    """Each mention category False where the category it talks about is True (both tagged):
    a post is the thing or talk about it, never both."""
    for mention, of in mentions.items():
        if mention in tags and of in tags:
            tags[mention] = tags[mention] & ~tags[of]
    return tags


def with_partners(categories: list[str] | None, folder: str | Path | None = None
                  ) -> list[str] | None:
    """``categories`` and, for each mention category among them, the category it talks about
    when its lexicon exists (a mention is counted only where that one does not fire)."""
    if categories is None:
        return None
    folder = Path(folder) if folder else default_folder()
    partners = [of for m, of in taxonomy.mentions().items()
                if m in categories and of not in categories and (folder / f"{of}.txt").is_file()]
    return list(categories) + partners


# --- patterns ------------------------------------------------------------------------------


def _escape(text: str) -> str:
    """Escape ASCII punctuation; letters, digits and non-ASCII stay literal (valid in both)."""
    return "".join("\\" + ch if ch.isascii() and not ch.isalnum() else ch for ch in text)


def _bounded(literal: str) -> str:
    """Whole-word: a word boundary on each side that starts or ends with a word character."""
    left = r"\b" if _WORD_CHAR.match(literal[0]) else ""
    right = r"\b" if _WORD_CHAR.match(literal[-1]) else ""
    return left + _escape(literal) + right if " " not in literal else (
        left + _PHRASE_GAP.join(_escape(t) for t in literal.split()) + right)


def entry_pattern(entry: Entry) -> str:
    """The regular expression (Hyperscan syntax) an entry compiles to."""
    if entry.kind in ("word", "phrase"):
        return _bounded(entry.value)
    if entry.kind == "evidence":
        return EVIDENCE[entry.value]
    return entry.value


def may_cross(entry: Entry) -> bool:
    """Could the entry's pattern match the post separator? (Words, phrases, evidence: no.)"""
    return entry.kind in ("re", "raw") and bool(_MAY_CROSS.search(entry.value))


# --- buffers -------------------------------------------------------------------------------


def _as_strings(values) -> pa.Array:
    """Any sequence of texts as one Arrow string array, nulls as empty strings."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        values = pa.array(list(values), type=pa.string())
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)):
        values = values.cast(pa.string())
    return pc.fill_null(values, "") if values.null_count else values


def _joined(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """All texts in one UTF-8 buffer, ``\\n`` after each (inner newlines -> spaces), and the
    byte offset where each post starts. Arrow's kernels build it in two passes."""
    separator = pa.scalar(SEPARATOR.decode(), values.type)
    flat = pc.replace_substring(values, separator.as_py(), " ")
    ended = pc.binary_join_element_wise(flat, pa.scalar("", values.type), separator)
    offsets_type = np.int64 if pa.types.is_large_string(ended.type) else np.int32
    offsets = np.frombuffer(ended.buffers()[1], dtype=offsets_type)
    offsets = offsets[ended.offset: ended.offset + len(ended) + 1].astype(np.int64)
    data = np.frombuffer(ended.buffers()[2], dtype=np.uint8)[offsets[0]: offsets[-1]]
    return data, offsets[:-1] - offsets[0]


# --- scanning one view -------------------------------------------------------------------


class _Scanner:
    """All patterns of one view: one Hyperscan database (or Python ``re``) and the map from
    pattern ids to entry indices."""

    def __init__(self, patterns: list[str], crossing: list[bool], entries_of: list[list[int]],
                 use_hyperscan: bool):
        self.patterns = patterns
        self.crossing = np.array(crossing, dtype=bool)
        self.python = [python_regex(p) for p in patterns]
        self.pointer, self.flat = _grouped(entries_of)
        self.database = None
        if use_hyperscan and patterns:
            self.database = _compile(patterns, crossing)

    def pairs(self, values: pa.Array, joined=None) -> tuple[np.ndarray, np.ndarray]:
        """(post index, entry index) for every hit, duplicates included; ``joined`` is
        ``_joined(values)`` when the caller has it already."""
        if not self.patterns or len(values) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        if self.database is None:
            ids, posts = self._python_pairs(values)
        else:
            ids, posts = self._hyperscan_pairs(values, joined or _joined(values))
        return self._to_entries(ids, posts)

    def _hyperscan_pairs(self, values: pa.Array, joined) -> tuple[np.ndarray, np.ndarray]:
        buffer, starts = joined
        ids, froms, ends = [], [], []
        add_id, add_from, add_end = ids.append, froms.append, ends.append

        def on_match(pattern_id, start, end, flags, context):
            add_id(pattern_id)
            add_end(end)

        def on_match_with_start(pattern_id, start, end, flags, context):
            add_id(pattern_id)
            add_from(start)
            add_end(end)

        self.database.scan(buffer, match_event_handler=on_match_with_start
                           if self.crossing.any() else on_match)
        ids = np.array(ids, dtype=np.int64)
        ends = np.array(ends, dtype=np.int64)
        posts = np.searchsorted(starts, ends - 1, side="right") - 1
        if not self.crossing.any() or len(ids) == 0:
            return ids, posts
        first = np.searchsorted(starts, np.array(froms, dtype=np.int64), side="right") - 1
        first = np.where(self.crossing[ids], first, posts)
        return self._recheck(values, ids, first, posts)

    def _python_pairs(self, values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
        """The fallback: each pattern over the joined text, by character offsets."""
        texts = [t.replace("\n", " ") for t in values.to_pylist()]
        lengths = np.array([len(t) + 1 for t in texts], dtype=np.int64)
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        joined = "\n".join(texts) + "\n"
        ids, froms, ends = [], [], []
        for pattern_id, regex in enumerate(self.python):
            for match in regex.finditer(joined):
                ids.append(pattern_id)
                froms.append(match.start())
                ends.append(match.end())
        ids = np.array(ids, dtype=np.int64)
        first = np.searchsorted(starts, np.array(froms, dtype=np.int64), side="right") - 1
        last = np.searchsorted(starts, np.array(ends, dtype=np.int64) - 1, side="right") - 1
        return self._recheck(values, ids, first, last, texts)

    def _recheck(self, values, ids, first, last, texts=None):
        """Drop matches that cross a post boundary; re-test the posts they touched one by one."""
        crossed = first != last
        if not crossed.any():
            return ids, last
        texts = texts or [t.replace("\n", " ") for t in values.to_pylist()]
        extra_ids, extra_posts = [], []
        for pattern_id, lo, hi in zip(ids[crossed], first[crossed], last[crossed], strict=True):
            for post in range(int(lo), int(hi) + 1):
                if self.python[pattern_id].search(texts[post]):
                    extra_ids.append(pattern_id)
                    extra_posts.append(post)
        ids = np.concatenate([ids[~crossed], np.array(extra_ids, dtype=np.int64)])
        posts = np.concatenate([last[~crossed], np.array(extra_posts, dtype=np.int64)])
        return ids, posts

    def _to_entries(self, ids: np.ndarray, posts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Pattern ids -> entry indices (one pattern may serve several categories)."""
        return _expand(posts, ids, self.pointer, self.flat)


def _expand(posts: np.ndarray, ids: np.ndarray, pointer: np.ndarray,
            flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(post, entry) pairs from (post, id) pairs, where id ``i`` stands for the entries
    ``flat[pointer[i]:pointer[i + 1]]`` (one pattern or literal may serve several categories)."""
    counts = pointer[ids + 1] - pointer[ids]
    if len(counts) and counts.max() == 1 and counts.min() == 1:
        return posts, flat[pointer[ids]]
    repeated = np.repeat(pointer[ids], counts)
    within = np.arange(len(repeated)) - np.repeat(np.cumsum(counts) - counts, counts)
    return np.repeat(posts, counts), flat[repeated + within]


def _grouped(groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """(pointer, flat) for ``_expand``: group ``i`` is ``flat[pointer[i]:pointer[i + 1]]``."""
    counts = np.array([len(g) for g in groups], dtype=np.int64)
    pointer = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return pointer, np.array([i for g in groups for i in g], dtype=np.int64)


def _hs_flags(crossing: bool) -> int:
    flags = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_MULTILINE
    return flags | hyperscan.HS_FLAG_SOM_LEFTMOST if crossing else flags


def _compile(patterns: list[str], crossing: list[bool]):
    """One Hyperscan database for a view's patterns."""
    database = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    database.compile(expressions=[p.encode("utf-8") for p in patterns],
                     ids=list(range(len(patterns))), flags=[_hs_flags(c) for c in crossing])
    return database


def _culprit(entries: list[Entry]) -> LexiconError:
    """The first entry Hyperscan rejects, as an error naming its file and line."""
    for entry in entries:
        try:
            _compile([entry_pattern(entry)], [may_cross(entry)])
        except hyperscan.error as exc:
            return LexiconError(f"{entry.file}, line {entry.line}: {entry.kind} pattern "
                                f"{entry.value!r} is not supported by Hyperscan ({exc}); "
                                "avoid backreferences and lookaround")
    return LexiconError("Hyperscan could not compile the lexicon patterns")


# --- words and phrases: matched as tokens, without a regex engine -------------------------

_TOKEN = re.compile(r"[a-z0-9_]+")
_GAP_BYTES = np.zeros(256, dtype=bool)
_GAP_BYTES[list(b" \t\r\f-")] = True  # the characters of _PHRASE_GAP


def token_literal(entry: Entry) -> bool:
    """Is the entry a word or phrase of ASCII word characters? Then its pattern
    (``\\bsitus[ \\t\\r\\f\\-]+judi\\b``) hits exactly where maximal runs of ASCII letters,
    digits and ``_`` (tokens) spell its words, case-insensitively, with nothing but phrase-gap
    characters between them, which ``_Literals`` finds without a regex engine."""
    return entry.kind in ("word", "phrase") and all(
        _TOKEN.fullmatch(part) for part in entry.value.split())


def _is_word_byte(buffer: np.ndarray) -> np.ndarray:
    """ASCII letters, digits and ``_``, by arithmetic (uint8 wraps below 0): a few vector
    passes, twice as fast as looking bytes up in a table."""
    return (((buffer | 0x20) - 97) < 26) | ((buffer - 48) < 10) | (buffer == 95)


def _tokens(buffer: np.ndarray) -> np.ndarray:
    """Start and end offsets of every token in a joined buffer, interleaved
    (start, end, start, end, ...). The buffer ends with the separator, which is no word
    byte, so no token crosses a post boundary and the offsets pair up."""
    word = _is_word_byte(buffer)
    edges = np.flatnonzero(word[1:] != word[:-1]) + 1
    return np.concatenate([[0], edges]) if len(word) and word[0] else edges


def _all_gaps(buffer: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """For each span ``buffer[lo:hi]`` (never empty), whether it holds phrase-gap bytes only.
    Spans are usually one space long; longer ones are checked byte by byte, vectorized."""
    ok = _GAP_BYTES[buffer[lo]]
    long = np.flatnonzero(ok & (hi - lo > 1))
    if len(long):
        lengths = hi[long] - lo[long] - 1
        firsts = np.cumsum(lengths) - lengths
        within = np.arange(lengths.sum()) - np.repeat(firsts, lengths)
        bad = ~_GAP_BYTES[buffer[np.repeat(lo[long] + 1, lengths) + within]]
        ok[long] = ~np.logical_or.reduceat(bad, firsts)
    return ok


class _Literals:
    """Words and phrases of the normalized view, matched as tokens.

    Why: everyday words ("pemilu", "berita") hit most posts several times, and every Hyperscan
    match costs a Python callback, which made them the bulk of the tagger's time. Here the
    joined buffer is cut into tokens with numpy and the tokens are looked up in the lexicon's
    vocabulary in one Arrow hash lookup; a word is a table read per token, and phrases are
    followed through a trie of token ids, one vectorized step per further word. Nothing is
    paid per hit."""

    def __init__(self, literals: list[str], entries_of: list[list[int]]):
        words = [literal.split() for literal in literals]
        vocabulary = sorted({w for parts in words for w in parts})
        self.vocabulary = pa.array(vocabulary, pa.large_string())
        # Tables indexed by token id have one slot more, for id -1 (not in the vocabulary).
        size = len(vocabulary) + 1
        token_id = {w: i for i, w in enumerate(vocabulary)}
        children: dict[tuple[int, int], int] = {}  # (node, token id) -> node; 0 is the root
        ends = [-1]  # node -> the literal it completes, or -1
        for index, parts in enumerate(words):
            node = 0
            for part in parts:
                node = children.setdefault((node, token_id[part]), len(ends))
                if node == len(ends):
                    ends.append(-1)
            ends[node] = index
        self.longest = max((len(parts) for parts in words), default=0)
        self.base = size
        keys = np.array([n * size + t for n, t in children], dtype=np.int64)
        order = np.argsort(keys)
        self.edge_keys = keys[order]
        self.edge_child = np.array(list(children.values()), dtype=np.int64)[order]
        self.ends = np.array(ends, dtype=np.int64)
        self.roots = _table(size, {t: c for (n, t), c in children.items() if n == 0}, -1)
        self.words = _table(size, {t: ends[c] for (n, t), c in children.items() if n == 0}, -1)
        inner = {n for n, _ in children}  # nodes with children
        self.opens = _table(size, {t: c in inner for (n, t), c in children.items() if n == 0},
                            False)
        self.follows = _table(size, {t: True for n, t in children if n != 0}, False)
        self.pointer, self.flat = _grouped(entries_of)

    def pairs(self, joined: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """(post index, entry index) for every hit, duplicates included."""
        buffer, starts = joined
        bounds = _tokens(buffer) if self.longest else np.empty(0, np.int64)
        if len(bounds) == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        ids = self._token_ids(buffer, bounds)
        first, last = bounds[0::2].copy(), bounds[1::2].copy()
        literal = self.words[ids]
        position = np.flatnonzero(literal >= 0)
        hit_tokens, hit_literals = [position], [literal[position]]
        # phrases: a token that opens one, followed by a token that can go on one
        position = np.flatnonzero(self.opens[ids[:-1]] & self.follows[ids[1:]])
        node = self.roots[ids[position]]
        for step in range(1, self.longest):
            position, node = self._extend(buffer, first, last, ids, position, node, step)
            literal = self.ends[node]
            done = literal >= 0
            hit_tokens.append(position[done])
            hit_literals.append(literal[done])
        per_post = np.diff(np.searchsorted(first, np.append(starts, len(buffer))))
        post_of_token = np.repeat(np.arange(len(starts)), per_post)
        return _expand(post_of_token[np.concatenate(hit_tokens)],
                       np.concatenate(hit_literals), self.pointer, self.flat)

    def _extend(self, buffer, first, last, ids, position, node, step):
        """The literals under way (``step`` tokens matched, the first at ``position``) that go
        on with the next token: it follows after phrase-gap characters only (so in the same
        post) and is a child of their trie node."""
        following = position + step
        go = following < len(ids)
        position, node, following = position[go], node[go], following[go]
        go = self.follows[ids[following]]
        position, node, following = position[go], node[go], following[go]
        go = _all_gaps(buffer, last[following - 1], first[following])
        position, node = position[go], self._child(node[go], ids[following[go]])
        go = node >= 0
        return position[go], node[go]

    def _token_ids(self, buffer: np.ndarray, bounds: np.ndarray) -> np.ndarray:
        """Vocabulary index of each token, lower-cased as ASCII (-1: not in the lexicon).
        The Arrow array spans tokens and the gaps between them; every other item is a token.
        Its offsets start at 0: Arrow's ``ascii_lower`` (pyarrow 26) misreads arrays whose
        first offset is not 0."""
        runs = pa.LargeStringArray.from_buffers(len(bounds) - 1, pa.py_buffer(bounds - bounds[0]),
                                                pa.py_buffer(buffer[bounds[0]:]))
        found = pc.index_in(pc.ascii_lower(runs), value_set=self.vocabulary)
        ids = np.frombuffer(found.buffers()[1], np.int32, len(found), 4 * found.offset)
        if found.null_count:
            valid = np.unpackbits(np.frombuffer(found.buffers()[0], np.uint8),
                                  bitorder="little")[found.offset: found.offset + len(found)]
            ids = np.where(valid.view(bool), ids, -1)
        return ids[0::2]

    def _child(self, node: np.ndarray, token: np.ndarray) -> np.ndarray:
        """The trie node reached from ``node`` by ``token``, or -1."""
        keys = node * self.base + token
        at = np.minimum(np.searchsorted(self.edge_keys, keys), len(self.edge_keys) - 1)
        return np.where(self.edge_keys[at] == keys, self.edge_child[at], -1)


def _table(size: int, values: dict[int, object], default) -> np.ndarray:
    """A lookup table by token id; the last slot (read by id -1) keeps the default."""
    table = np.full(size, default)
    table[list(values)] = list(values.values())
    return table


# --- the tagger ----------------------------------------------------------------------------


class LexiconTagger:
    """Scores every category of a lexicon on batches of posts (Arrow arrays) or on one text."""

    def __init__(self, lexicons: dict[str, list[Entry]] | None = None, norm=None,
                 threshold: float = 1.0, use_hyperscan: bool | None = None):
        if threshold <= 0:
            raise ValueError(f"threshold must be positive, got {threshold}")
        self.lexicons = load_lexicons() if lexicons is None else lexicons
        self.categories = list(self.lexicons)
        self.entries = [e for c in self.categories for e in self.lexicons[c]]
        self.norm = textnorm.DEFAULT if norm is None else norm
        self.threshold = float(threshold)
        self.use_hyperscan = hyperscan is not None if use_hyperscan is None else use_hyperscan
        if self.use_hyperscan and hyperscan is None:
            raise RuntimeError("hyperscan is not installed")
        self._weights = np.array([e.weight for e in self.entries], dtype=np.float64)
        index = {c: i for i, c in enumerate(self.categories)}
        self._category_of = np.array([index[e.category] for e in self.entries], dtype=np.int64)
        self._regex = [python_regex(entry_pattern(e)) for e in self.entries]
        tokens = [token_literal(e) for e in self.entries]
        self._literals = self._literal_matcher(tokens)
        self._scanners = {view: self._scanner(view, [not t for t in tokens]) for view in VIEWS}
        self._all_scanners: dict[str, _Scanner] | None = None  # built by _reference_scores
        # mention -> the category it talks about, both in this lexicon: a post that is the
        # thing itself is not counted as talk about it
        self.mentions = {m: of for m, of in taxonomy.mentions().items()
                         if m in self.lexicons and of in self.lexicons}

    def __getstate__(self) -> dict:
        """Pickle the lexicon, not the compiled databases (Dask and process pools need this)."""
        return {"lexicons": self.lexicons, "norm": self.norm, "threshold": self.threshold,
                "use_hyperscan": self.use_hyperscan}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def _literal_matcher(self, chosen: list[bool]) -> _Literals:
        """The chosen words and phrases, deduplicated (one word in two categories is one
        literal)."""
        ids: dict[str, int] = {}
        entries_of: list[list[int]] = []
        for index, entry in enumerate(self.entries):
            if not chosen[index]:
                continue
            if entry.value not in ids:
                ids[entry.value] = len(ids)
                entries_of.append([])
            entries_of[ids[entry.value]].append(index)
        return _Literals(list(ids), entries_of)

    def _scanner(self, view: str, chosen: list[bool]) -> _Scanner:
        """The chosen entries of one view as deduplicated patterns (the same pattern in two
        categories is one id)."""
        ids: dict[tuple[str, bool], int] = {}
        entries_of: list[list[int]] = []
        for index, entry in enumerate(self.entries):
            if entry.view != view or not chosen[index]:
                continue
            key = (entry_pattern(entry), may_cross(entry))
            if key not in ids:
                ids[key] = len(ids)
                entries_of.append([])
            entries_of[ids[key]].append(index)
        patterns = [p for p, _ in ids]
        try:
            return _Scanner(patterns, [c for _, c in ids], entries_of, self.use_hyperscan)
        except Exception as exc:
            if hyperscan is not None and isinstance(exc, hyperscan.error):
                raise _culprit([e for e in self.entries if e.view == view]) from None
            raise

    def normalize_array(self, texts) -> pa.Array:
        return textnorm.normalize_array(_as_strings(texts), self.norm)

    def score_array(self, texts, normalized=None) -> dict[str, np.ndarray]:
        """Summed weights of the distinct entries hitting each post, per category (float32)."""
        raw = _as_strings(texts)
        needs_normalized = bool(self._scanners["normalized"].patterns or self._literals.longest)
        if normalized is None:
            normalized = self.normalize_array(raw) if needs_normalized else raw
        normalized = _as_strings(normalized)
        if len(normalized) != len(raw):
            raise ValueError(f"normalized has {len(normalized)} texts, texts has {len(raw)}")
        if len(raw) == 0:
            return self._scores(np.empty(0, np.int64), np.empty(0, np.int64), 0)
        joined = _joined(normalized) if self._literals.longest else None
        pairs = [self._literals.pairs(joined)] if joined is not None else []
        for view, values in (("normalized", normalized), ("raw", raw)):
            pairs.append(self._scanners[view].pairs(values, joined if view == "normalized"
                                                    else None))
        return self._scores(np.concatenate([p for p, _ in pairs]),
                            np.concatenate([e for _, e in pairs]), len(raw))

    def _reference_scores(self, texts, normalized=None) -> dict[str, np.ndarray]:
        """``score_array`` the way it was before ``_Literals``: every entry, words and phrases
        too, through the scanners (a Python callback per Hyperscan match). Kept as the
        reference the tests and benchmarks/bench_lexicon.py compare the token path with."""
        if self._all_scanners is None:
            self._all_scanners = {view: self._scanner(view, [True] * len(self.entries))
                                  for view in VIEWS}
        raw = _as_strings(texts)
        normalized = _as_strings(self.normalize_array(raw) if normalized is None else normalized)
        pairs = [self._all_scanners[view].pairs(values)
                 for view, values in (("normalized", normalized), ("raw", raw))]
        return self._scores(np.concatenate([p for p, _ in pairs]),
                            np.concatenate([e for _, e in pairs]), len(raw))

    def _scores(self, posts: np.ndarray, entries: np.ndarray, n: int) -> dict[str, np.ndarray]:
        """Per category, the weights of distinct (post, entry) hits, summed per post."""
        keys = np.sort(posts * max(len(self.entries), 1) + entries)
        keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])] if len(keys) else keys
        posts, entries = np.divmod(keys, max(len(self.entries), 1))
        slots = self._category_of[entries] * n + posts
        sums = np.bincount(slots, weights=self._weights[entries],
                           minlength=len(self.categories) * n)
        table = np.round(sums, EPSILON_DECIMALS).astype(np.float32).reshape(len(self.categories), n)
        return {c: table[i] for i, c in enumerate(self.categories)}

    def tag_array(self, texts, normalized=None) -> dict[str, np.ndarray]:
        """True where a category's score reaches the threshold; empty and null texts are False;
        a mention category is False where the category it talks about is True."""
        return self.tags_from_scores(self.score_array(texts, normalized))

    def tags_from_scores(self, scores: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        tags = {c: np.asarray(s) >= np.float32(self.threshold) for c, s in scores.items()}
        return keep_apart(tags, self.mentions)

    def explain(self, text: str | None) -> list[dict]:
        """Every hit of every entry on one text, with the category's score and verdict."""
        raw = "" if text is None else str(text)
        views = {"raw": raw.replace("\n", " "),
                 "normalized": (textnorm.normalize(raw, self.norm) or "").replace("\n", " ")}
        hits, hit_entries = [], set()
        for index, (entry, regex) in enumerate(zip(self.entries, self._regex, strict=True)):
            for match in regex.finditer(views[entry.view]):
                hits.append(_hit(entry, match))
                hit_entries.add(index)
        scores = self._explain_scores(hit_entries)
        fired = self.tags_from_scores({c: np.array([v], np.float32) for c, v in scores.items()})
        for hit in hits:
            category = hit["category"]
            hit["score"] = scores[category]
            hit["fired"] = bool(fired[category][0])
            of = self.mentions.get(category)
            if of and scores[category] >= np.float32(self.threshold) and not hit["fired"]:
                hit["counted_as"] = of  # the thing itself, not talk about it
        return hits

    def _explain_scores(self, hit_entries: set[int]) -> dict[str, float]:
        totals = dict.fromkeys(self.categories, 0.0)
        for index in sorted(hit_entries):
            totals[self.entries[index].category] += self.entries[index].weight
        return {c: float(np.float32(round(v, EPSILON_DECIMALS))) for c, v in totals.items()}


def _hit(entry: Entry, match: re.Match) -> dict:
    return {"category": entry.category, "kind": entry.kind, "value": entry.value,
            "weight": entry.weight, "group": entry.group, "file": entry.file,
            "line": entry.line, "view": entry.view, "start": match.start(), "end": match.end(),
            "text": match.group()}
