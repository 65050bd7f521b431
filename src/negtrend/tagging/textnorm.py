"""Indonesian social-media text normalization: one scalar reference, one vectorized path.

Why: the lexicon tagger and the trained model both read normalized text, and gambling and porn
spammers obfuscate on purpose (𝐒𝐋𝐎𝐓, Ⓢⓛⓞⓣ, g4c0r, s l o t, [S]LOT, gacorrrr). ``normalize``
explains one item; ``normalize_array`` does the same to an Arrow column at corpus scale.

How the two paths stay identical: NFKC and lower-casing run on Arrow's kernels in both paths
(Python's ``unicodedata`` has an older Unicode version than Arrow's utf8proc, so mixing them would
disagree on new characters). Every other step is a Python function; the vectorized path first runs
an RE2 pre-filter over the whole column and sends only the rows it flags through that function.
Each pre-filter matches a superset of the rows its step can change (the tests check this), so
skipping unflagged rows cannot change a result.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from negtrend.data import paths
from negtrend.data.encoding import decode_bytes

STEPS = ("nfkc", "unstyle", "lower", "urls", "mentions", "emoji_shortcodes", "brackets",
         "spacing", "leet", "repeats", "slang")


@dataclass(frozen=True)
class NormConfig:
    """Which steps run (always in ``STEPS`` order). Whitespace is always collapsed at the end."""

    nfkc: bool = True
    unstyle: bool = True
    lower: bool = True
    urls: bool = True
    mentions: bool = True
    emoji_shortcodes: bool = True
    brackets: bool = True
    spacing: bool = True
    leet: bool = True
    repeats: bool = True
    slang: bool = False  # off by default: word lookups cost time; turn on for model features
    slang_path: str | None = None  # None -> config/slang.txt

    def without(self, *steps: str) -> NormConfig:
        """A copy with those steps off, e.g. to measure what one step contributes."""
        unknown = [s for s in steps if s not in STEPS]
        if unknown:
            raise ValueError(f"unknown normalization step(s) {unknown}; known: {list(STEPS)}")
        return dataclasses.replace(self, **{s: False for s in steps})


DEFAULT = NormConfig()

# --- character classes shared by the Python steps and the RE2 pre-filters -------------------

_ALNUM = "A-Za-z0-9"
# str.isspace() characters; NFKC turns most of the exotic ones into " " already.
_WHITESPACE = [0x09, 0x0A, 0x0B, 0x0C, 0x0D, *range(0x1C, 0x21), 0x85, 0xA0, 0x1680,
               *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
# Invisible format characters spammers put inside words (zero-width space, word joiner, BOM, ...)
_INVISIBLE = [0xAD, 0x180E, 0x200B, 0x200C, 0x200E, 0x200F, *range(0x202A, 0x202F),
              *range(0x2060, 0x2065), *range(0x2066, 0x206A), 0xFEFF]


def _ranges(codepoints) -> list[tuple[int, int]]:
    out: list[list[int]] = []
    for cp in sorted(set(codepoints)):
        if out and cp == out[-1][1] + 1:
            out[-1][1] = cp
        else:
            out.append([cp, cp])
    return [(lo, hi) for lo, hi in out]


def _py_class(codepoints) -> str:
    """A Python ``re`` character class for exactly these code points."""
    body = "".join(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}"
                   for lo, hi in _ranges(codepoints))
    return f"[{body}]"


def _re2_class(codepoints) -> str:
    """The same class in RE2 syntax (Arrow's regex engine)."""
    body = "".join(f"\\x{{{lo:x}}}" if lo == hi else f"\\x{{{lo:x}}}-\\x{{{hi:x}}}"
                   for lo, hi in _ranges(codepoints))
    return f"[{body}]"


def _ci(word: str) -> str:
    """Case-insensitive literal without the IGNORECASE flag (whose Unicode folding differs
    between Python and RE2: 'K' KELVIN SIGN matches 'k')."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else re.escape(c) for c in word)


# --- nfkc, lower: Arrow kernels in both paths ---------------------------------------------

def _arrow_one(kernel, s: str, **options) -> str:
    return kernel(pa.array([s], pa.string()), **options)[0].as_py()


def nfkc(s: str) -> str:
    """Unicode NFKC: folds mathematical bold/italic/script/double-struck letters (𝐒𝐋𝐎𝐓, 𝕊𝕃𝕆𝕋),
    fullwidth forms (ＳＬＯＴ), circled letters (ⓢ), superscripts and ligatures to plain ones.
    Runs on Arrow's utf8proc, as the vectorized path does, so both agree on every character."""
    if s.isascii():
        return s
    return _arrow_one(pc.utf8_normalize, s, form="NFKC")


_PLACEHOLDER = re.compile(r"(?<![A-Za-z0-9_])(USER|URL)(?![A-Za-z0-9_])")


def lower(s: str) -> str:
    """Lower-case per code point (Arrow's ``utf8_lower``: 'İ' -> 'i', no final-sigma rule).
    A standalone upper-case USER or URL is an existing anonymization placeholder (Ibrohim & Budi
    2019 tweets) and keeps its case, so it equals the placeholders this module writes."""
    pieces = _PLACEHOLDER.split(s)
    for i in range(0, len(pieces), 2):  # even positions are text, odd ones placeholders
        piece = pieces[i]
        pieces[i] = piece.lower() if piece.isascii() else _arrow_one(pc.utf8_lower, piece)
    return "".join(pieces)


# --- unstyle: tables built from Unicode character names -------------------------------------

def _words(text: str) -> list[str]:
    return text.split()


_NUMBER_WORDS = {w: str(i) for i, w in enumerate(_words(
    "ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE TEN ELEVEN TWELVE THIRTEEN FOURTEEN "
    "FIFTEEN SIXTEEN SEVENTEEN EIGHTEEN NINETEEN TWENTY"))}
# Blocks holding styled Latin letters and digits that NFKC leaves alone.
_STYLED_BLOCKS = [(0x00C0, 0x02B0), (0x1D00, 0x1DC0), (0x1E00, 0x1F00), (0x2460, 0x2500),
                  (0x2776, 0x2794), (0x2C60, 0x2C80), (0xA720, 0xA800), (0xAB30, 0xAB70),
                  (0x1F100, 0x1F1E6)]
_LATIN_NAME = re.compile(
    r"(?:^|\s)LATIN (CAPITAL|SMALL) LETTER (?:DOTLESS |SCRIPT |OPEN )?([A-Z]{1,2})(?: WITH .+)?$")
_SMALL_CAPITAL_NAME = re.compile(r"^LATIN LETTER SMALL CAPITAL ([A-Z]{1,2})$")
_NUMBER_NAME = re.compile(r"(?:DIGIT|NUMBER) (" + "|".join(_NUMBER_WORDS) + r")$")
# Letter-like symbols of other scripts that "fancy text" generators use (ᑭᑌᒪᗩᑌᗯIᑎ, 𝐏𝐑0𝐁𝐄𐊗).
_FANCY_NAMES = {
    "CANADIAN SYLLABICS CARRIER PO": "A", "CANADIAN SYLLABICS CARRIER KHE": "B",
    "CANADIAN SYLLABICS TA": "C", "CANADIAN SYLLABICS CARRIER PE": "D",
    "CANADIAN SYLLABICS CARRIER GA": "E", "CANADIAN SYLLABICS BLACKFOOT WE": "F",
    "CANADIAN SYLLABICS CARRIER JJU": "G", "CANADIAN SYLLABICS NUNAVUT H": "H",
    "CANADIAN SYLLABICS CO": "J", "CANADIAN SYLLABICS MA": "L",
    "CANADIAN SYLLABICS CARRIER GO": "M", "CANADIAN SYLLABICS TI": "N",
    "CANADIAN SYLLABICS KI": "P", "CANADIAN SYLLABICS KE": "Q", "CANADIAN SYLLABICS TLHI": "R",
    "CANADIAN SYLLABICS SHA": "S", "CANADIAN SYLLABICS TE": "U", "CANADIAN SYLLABICS PE": "V",
    "CANADIAN SYLLABICS CARRIER GU": "W", "CANADIAN SYLLABICS CHI SIGN": "X",
    "CANADIAN SYLLABICS BLACKFOOT NA": "Y", "CANADIAN SYLLABICS CARRIER JU": "Z",
    "LYCIAN LETTER T": "T", "RUNIC LETTER OPEN-P": "K", "SCRIPT CAPITAL P": "P",
    "LATIN SMALL LETTER ALPHA": "a", "LATIN SMALL LETTER IOTA": "i",
    "LATIN SMALL LETTER UPSILON": "u", "KEYCAP TEN": "10",
}
# Greek/Cyrillic/Armenian letters that look like Latin ones: (capital target, small target).
# Applied only inside otherwise-Latin words, so Greek or Russian text is left alone.
_HOMOGLYPHS = {
    "GREEK": {"ALPHA": ("A", "a"), "BETA": ("B", "b"), "EPSILON": ("E", "e"), "ZETA": ("Z", None),
              "ETA": ("H", "n"), "IOTA": ("I", "i"), "KAPPA": ("K", "k"), "LAMDA": ("A", None),
              "MU": ("M", "u"), "NU": ("N", "v"), "OMICRON": ("O", "o"), "RHO": ("P", "p"),
              "SIGMA": ("E", None), "TAU": ("T", "t"), "UPSILON": ("Y", "u"), "CHI": ("X", "x"),
              "OMEGA": (None, "w"), "GAMMA": (None, "y"), "PI": (None, "n")},
    "CYRILLIC": {"A": ("A", "a"), "VE": ("B", "b"), "IE": ("E", "e"), "IO": ("E", "e"),
                 "KA": ("K", "k"), "EM": ("M", "m"), "EN": ("H", "h"), "O": ("O", "o"),
                 "ER": ("P", "p"), "ES": ("C", "c"), "TE": ("T", "t"), "HA": ("X", "x"),
                 "U": ("Y", "y"), "STRAIGHT U": ("Y", "y"), "DZE": ("S", "s"),
                 "BYELORUSSIAN-UKRAINIAN I": ("I", "i"), "YI": ("I", "i"), "JE": ("J", "j"),
                 "SHHA": ("H", "h"), "KOMI DE": ("D", "d"), "QA": ("Q", "q"), "WE": ("W", "w"),
                 "YA": ("R", "r"), "I": ("I", "i"), "PE": (None, "n")},
    "ARMENIAN": {"OH": (None, "o"), "VO": (None, "n"), "SEH": (None, "u"), "HO": (None, "h"),
                 "CO": (None, "g")},
}
_REGIONAL_A = 0x1F1E6
# ISO 3166-1 alpha-2 codes (plus EU, UN, XK): a pair of regional indicators spelling one is a
# flag emoji and stays; other runs ("🇸🇱🇴🇹") are spelled-out letters.
_FLAG_CODES = frozenset(_words("""
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT
BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH
ER ES ET EU FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR
HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR
LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG
NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE
SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA
UG UM UN US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW"""))


def _styled_target(cp: int) -> str | None:
    """ASCII for a styled letter or digit, read off its Unicode name."""
    name = unicodedata.name(chr(cp), "")
    if m := _SMALL_CAPITAL_NAME.search(name):
        return m.group(1).lower()
    if m := _LATIN_NAME.search(name):
        return m.group(2) if m.group(1) == "CAPITAL" else m.group(2).lower()
    if (m := _NUMBER_NAME.search(name)) and not (0x00C0 <= cp < 0x2460):
        return _NUMBER_WORDS[m.group(1)]
    return None


@dataclass(frozen=True)
class _UnstyleTables:
    translate: dict[int, str | None]
    homoglyphs: dict[int, str]
    homoglyph_re: re.Pattern
    context_re: re.Pattern
    marks_re: re.Pattern
    detector: str  # RE2


@functools.cache
def _unstyle_tables() -> _UnstyleTables:
    """Built once, on first use: scanning Unicode names takes ~0.2 s."""
    translate: dict[int, str | None] = {cp: None for cp in _INVISIBLE}
    for lo, hi in _STYLED_BLOCKS:
        for cp in range(lo, hi):
            target = _styled_target(cp)
            if target and unicodedata.normalize("NFKC", chr(cp)) == chr(cp):
                translate[cp] = target  # only what NFKC leaves, so the steps don't overlap
    for name, target in _FANCY_NAMES.items():
        translate[ord(unicodedata.lookup(name))] = target
    homoglyphs: dict[int, str] = {}
    for script, letters in _HOMOGLYPHS.items():
        for letter, targets in letters.items():
            for case, target in zip(("CAPITAL", "SMALL"), targets, strict=True):
                try:
                    char = unicodedata.lookup(f"{script} {case} LETTER {letter}")
                except KeyError:
                    continue
                if target:
                    homoglyphs[ord(char)] = target
    # Combining marks of the Basic Multilingual Plane (a BMP-only class is a fast bitmap in
    # Python's re), plus the zero-width joiner: it glues emoji, but only decorates Latin letters.
    marks = [cp for cp in range(0x300, 0x10000) if unicodedata.category(chr(cp)) in ("Mn", "Me")]
    marks.append(0x200D)
    mark = _py_class(marks)
    word = r"[^\W_]"
    keys = [*translate, *homoglyphs]
    return _UnstyleTables(
        translate=translate,
        homoglyphs=homoglyphs,
        homoglyph_re=re.compile(_py_class(homoglyphs)),
        # a spaced run of single characters ("Я О 8 8"), or a word (letters, digits, marks)
        context_re=re.compile(rf"(?<!\S){word}{mark}*(?: {word}{mark}*){{2,}}(?!\S)"
                              rf"|(?:{word}|{mark})+"),
        marks_re=re.compile(rf"(?<=[{_ALNUM}]){mark}+|(?<!{mark}){mark}+(?=[{_ALNUM}])"),
        detector=(f"{_re2_class(keys)}|{_regional_detector()}"
                  f"|[{_ALNUM}]{_re2_class(marks)}|{_re2_class(marks)}[{_ALNUM}]"),
    )


_REGIONAL_RUN = re.compile("[\U0001f1e6-\U0001f1ff]+")


def _regional_detector() -> str:
    """RE2 for exactly the regional-indicator runs ``_regional_run`` spells out: after any
    number of flag pairs, a lone indicator at the end of the run or a pair that is no flag.
    So the many rows with 🇮🇩 alone skip the Python step."""
    ri = _re2_class(range(_REGIONAL_A, _REGIONAL_A + 26))
    valid, invalid = [], []
    for first in range(26):
        code = chr(ord("A") + first)
        seconds = [s for s in range(26) if code + chr(ord("A") + s) in _FLAG_CODES]
        others = [s for s in range(26) if s not in seconds]
        head = f"\\x{{{_REGIONAL_A + first:x}}}"
        if seconds:
            valid.append(head + _re2_class(_REGIONAL_A + s for s in seconds))
        if others:
            invalid.append(head + _re2_class(_REGIONAL_A + s for s in others))
    return (f"(?:^|[^{ri[1:-1]}])(?:{'|'.join(valid)})*"
            f"(?:{ri}(?:$|[^{ri[1:-1]}])|{'|'.join(invalid)})")


_ASCII_LETTER = re.compile("[A-Za-z]")


def _regional_run(m: re.Match) -> str:
    run = m.group()
    letters = "".join(chr(ord("A") + ord(c) - _REGIONAL_A) for c in run)
    flags = all(letters[i:i + 2] in _FLAG_CODES for i in range(0, len(run), 2))  # odd: "I"
    return run if flags else letters


def unstyle(s: str) -> str:
    """What NFKC leaves, to ASCII: negative circled/squared letters (🅢 🆂 🅰 -> S S A), dingbat and
    negative circled digits (❼ -> 7), keycaps (1️⃣ -> 1), small capitals (ᴀ -> a), Latin letters
    with diacritics or strokes (ü ş ø -> u s o; Indonesian uses none), fancy-text symbols
    (ᑭᑌᒪᗩ -> PULA); regional indicators spelling words (🇸🇱🇴🇹 -> SLOT; a valid flag pair like 🇮🇩
    stays an emoji); Greek/Cyrillic look-alikes (А е о Я υ) but only inside words, or spaced
    runs, that also hold an ASCII letter; invisible characters (zero-width space, word joiner)
    removed; combining marks (underline, strike-through, keycap, variation selectors) removed
    where they touch an ASCII letter or digit, so Hindi or Arabic diacritics stay."""
    if s.isascii():
        return s
    tables = _unstyle_tables()
    s = s.translate(tables.translate)
    s = _REGIONAL_RUN.sub(_regional_run, s)
    if tables.homoglyph_re.search(s):
        s = tables.context_re.sub(
            lambda m: m.group().translate(tables.homoglyphs)
            if _ASCII_LETTER.search(m.group()) else m.group(), s)
    return tables.marks_re.sub("", s)


# --- urls, mentions, emoji shortcodes --------------------------------------------------------

_TLDS = sorted(_words(
    "com net org info biz xyz site online top club vip link app live pro asia tv cc gg io ly me "
    "id co ws bet casino games store shop fun space website icu cloud click tech dev news blog "
    "art lol pw tk cn ru uk sg au jp hk eu"), key=len, reverse=True)
_TLD = "(?:" + "|".join(_ci(t) for t in _TLDS) + ")"
_URL_TRAILING = ".,;:!?'\")]}>"
_SCHEME_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-Za-z][A-Za-z0-9+.\-]{0,15}:(?://|\\/\\/)[!-~]*|[Ww][Ww][Ww]\.[!-~]+)")
_EMAIL_RE = re.compile(r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+"
                       r"(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_DOMAIN_RE = re.compile(
    r"(?<![A-Za-z0-9@._\-])(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+" + _TLD
    + r"(?![A-Za-z0-9\-_])(?:[/?#][!-~]*)?")


def _url_sub(m: re.Match) -> str:
    text = m.group()
    core = text.rstrip(_URL_TRAILING)
    return " URL " + text[len(core):]


def strip_urls(s: str) -> str:
    """URLs -> " URL ": scheme URLs (http://, https://, any scheme, also JSON-escaped
    https:\\/\\/), www. hosts, e-mail addresses, and bare domains with a common TLD (bit.ly/x,
    t.me/x, situs.co.id). The URL runs to the next space or non-ASCII character; trailing
    punctuation stays in the text. A domain inside a word ("maxwin.bonus") needs a known TLD, so
    ordinary dotted words rarely match."""
    if ":" in s or "." in s:
        s = _SCHEME_RE.sub(_url_sub, s)
    if "@" in s:
        s = _EMAIL_RE.sub(" URL ", s)
    if "." in s:
        s = _DOMAIN_RE.sub(_url_sub, s)
    return s


_MENTION_RE = re.compile(r"(?<![A-Za-z0-9_])@[A-Za-z0-9_](?:[A-Za-z0-9_.\-]*[A-Za-z0-9_])?")


def strip_mentions(s: str) -> str:
    """@handles -> " USER " (Twitter, Instagram, YouTube handles: letters, digits, _ . -).
    An @ inside a word ("g@cor") is not a mention; the leet step reads it as 'a'."""
    return _MENTION_RE.sub(" USER ", s)


_SHORTCODE_RE2 = r":(?:[A-Za-z0-9_+\-]*[A-Za-z][A-Za-z0-9_+\-]*|[+\-]1):"
_SHORTCODE_RE = re.compile(  # the same set, written so Python's re stays linear on long runs
    r"(?<![A-Za-z0-9]):(?:(?=[A-Za-z0-9_+\-]*[A-Za-z])[A-Za-z0-9_+\-]+|[+\-]1):(?![A-Za-z0-9])")


def strip_emoji_shortcodes(s: str) -> str:
    """:smile: / :fire: / :+1: style shortcodes -> " ". They need a letter (or are :+1: /
    :-1:), so times (10:30:45) and ratios stay. Real emoji are kept: 🎰💰🔥 are evidence for the
    classifiers, not noise."""
    return _SHORTCODE_RE.sub(" ", s)


# --- brackets, spacing -----------------------------------------------------------------------

_OPEN = "([{<【『「〔〖《〈⟨"
_CLOSE = ")]}>】』」〕〗》〉⟩"
_DECOR = "≋░▒▓█ᆢ"  # only ever decorate: "≋S≋L≋O≋T", "ᆢAᆢᆢLᆢ", "█▓PULAU"
_SEPARATORS = "*_.~+|/•·‧∙⋅-"  # not backslash: "\\n", "\\x9f" are escapes written out as text
_PAIR = f"[{re.escape(_OPEN)}]([{_ALNUM}])[{re.escape(_CLOSE)}]"
_SEP = f"[{re.escape(_SEPARATORS)}]"
_PAIR_RE = re.compile(_PAIR)
_DECOR_RE = re.compile(f"(?<=[{_ALNUM}])[{_DECOR}]+|(?<![{_DECOR}])[{_DECOR}]+(?=[{_ALNUM}])")
_CHAIN_SEP = f"(?:{_SEP}+| {_SEP}+ )"  # "s.l.o.t" or "s . l . o . t", never "a. b" (prose)
_CHAIN_RE = re.compile(f"(?<![{_ALNUM}])[{_ALNUM}](?:{_CHAIN_SEP}[{_ALNUM}]){{2,}}(?![{_ALNUM}])")
_NON_ALNUM_RE = re.compile(f"[^{_ALNUM}]+")


def _chain_sub(m: re.Match) -> str:
    chain = m.group()
    return _NON_ALNUM_RE.sub("", chain) if _ASCII_LETTER.search(chain) else chain


def unbracket(s: str) -> str:
    """Letters wrapped or separated to dodge filters, joined: "[S]LOT", "(s)lot", "【S】"
    -> one character out of any bracket pair; "s*l*o*t", "s_l_o_t", "s.l.o.t", "s - l - o - t"
    -> "slot" (at least three single letters/digits, at least one a letter, separators
    spaced on both sides or not at all, so "a.m.", "1.5", "1.2.3", "a. b. c", "jl. sudirman",
    "dr. budi" stay); decoration glyphs (≋ ░ ▓ ᆢ) touching a letter or digit removed."""
    if any(c in s for c in _DECOR):
        s = _DECOR_RE.sub("", s)
    s = _PAIR_RE.sub(r"\1", s)
    return _CHAIN_RE.sub(_chain_sub, s)


_SPACED_RE = re.compile(f"(?<![{_ALNUM}])[{_ALNUM}](?: [{_ALNUM}]){{2,}}(?![{_ALNUM}])")


def join_spaced_letters(s: str) -> str:
    """Three or more single letters/digits separated by single spaces become one token:
    "s l o t g a c o r" -> "slotgacor" (word boundaries cannot be known; a lexicon should list
    the joined forms), "A L E X I S 1 7" -> "alexis17". Two single letters ("di a b") or a
    double space end a run, so spammers' word gaps survive ("g a c o r  s l o t")."""
    return _SPACED_RE.sub(lambda m: m.group().replace(" ", ""), s)


# --- leet, repeats ---------------------------------------------------------------------------

_LEET = {"4": "a", "3": "e", "1": "i", "0": "o", "5": "s", "7": "t", "8": "b", "9": "g",
         "6": "g", "@": "a", "$": "s"}
# Letters after a number that make it a quantity, not a letter: toto4d, rp5rb, 1jam, 3x.
_UNITS = frozenset(_words(
    "d k x rb rbu ribu jt juta jeti miliar kg gr gram km cm mm ml lt liter jam menit mnt detik "
    "dtk hari hr minggu mg bulan bln tahun thn th kali kl orang org gb mb kb tb nya an"))
_LEET_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789@$")
# a letter next to a digit, @ or $: only tokens holding one can change
_LEET_HINT_RE = re.compile("[A-Za-z][0-9@$]|[0-9$][A-Za-z]")
_LEET_SEGMENT_RE = re.compile("[A-Za-z]+|[0-9@$]+")
_VOWEL_RE = re.compile("[aeiouAEIOU]")


def _leet_at(segments: list[str], i: int) -> bool:
    """Whether segment i (one digit or @/$) stands for a letter."""
    seg = segments[i]
    if len(seg) != 1 or seg not in _LEET or i + 1 >= len(segments):
        return False  # numbers (88, 100) and trailing digits (hoki88, covid19) stay
    after = segments[i + 1]
    if after.lower() in _UNITS:
        return False
    if i > 0:
        return True  # between letters: g4c0r, sl0t, m4xw1n
    if seg == "@":
        return False
    return bool(len(after) >= 2 and _VOWEL_RE.search(after)) or any(
        _leet_at(segments, j) for j in range(2, len(segments), 2))


def _unleet_token(token: str) -> str:
    segments = _LEET_SEGMENT_RE.findall(token)
    out = list(segments)
    for i in range(len(segments)):
        if _leet_at(segments, i):
            letter = _LEET[segments[i]]
            upper = segments[i + 1].isupper() and (i == 0 or segments[i - 1].isupper())
            out[i] = letter.upper() if upper else letter
    return "".join(out)


def unleet(s: str) -> str:
    """Digits and @ $ standing for letters, inside tokens that contain a letter:
    4->a 3->e 1->i 0->o 5->s 7->t 8->b 9->g 6->g @->a $->s (2 is left: 'hati2' is reduplication).
    Only a single character is converted, and only between letters (g4c0r -> gacor,
    m4xw1n -> maxwin) or at the start of a token before letters with a vowel (4ku -> aku,
    5lot -> slot). Numbers stay: pure numbers (2024, 88), trailing ones (hoki88, mahjong2),
    multi-digit runs (rp100rb, rp50.000) and a digit before a unit (toto4d, rp5rb, 5jt, 1jam, 3x).
    '!' is left alone: it is too often sentence punctuation without a following space. A token
    right after a backslash is an escape written out as text ("\\xf0\\x9f" in scraped tweets)."""
    out, done = [], 0
    for hint in _LEET_HINT_RE.finditer(s):
        start, end = hint.span()
        if start < done:
            continue  # inside a token already converted
        while start > done and s[start - 1] in _LEET_TOKEN_CHARS:
            start -= 1
        while end < len(s) and s[end] in _LEET_TOKEN_CHARS:
            end += 1
        token = s[start:end]
        escaped = start > 0 and s[start - 1] == "\\"  # "\\x9f" written out as text
        out += [s[done:start], token if escaped else _unleet_token(token)]
        done = end
    return "".join(out) + s[done:] if out else s


_REPEAT_RE = re.compile(r"([A-Za-z])\1{2,}")


def _squeeze(m: re.Match) -> str:
    s, (a, b) = m.string, m.span()
    whole = (a == 0 or not _is_alnum(s[a - 1])) and (b == len(s) or not _is_alnum(s[b]))
    return m.group() if whole else m.group(1)


def _is_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def squeeze_repeats(s: str) -> str:
    """A letter repeated three or more times becomes one: gacorrrr -> gacor, mantaaap ->
    mantap. Doubles stay (maaf, saat). A token that is nothing but one repeated letter stays too
    (xxx, www, iii): those are words, not elongations."""
    return _REPEAT_RE.sub(_squeeze, s)


# --- slang -----------------------------------------------------------------------------------

_WORD_RE = re.compile(f"[{_ALNUM}]+")
_WORD_SPLIT_RE = re.compile(f"([{_ALNUM}]+)")


def apply_slang(s: str, table: dict[str, str]) -> str:
    """Replace whole ASCII letter/digit tokens found in ``table`` (yg -> yang, gak -> tidak);
    punctuation, spaces and other characters stay where they are. Runs after lower-casing, so
    table keys are lower case."""
    parts = _WORD_SPLIT_RE.split(s)  # odd positions are the tokens
    parts[1::2] = [table.get(token, token) for token in parts[1::2]]
    return "".join(parts)


def _slang_pairs(text: str):
    lines = text.splitlines()
    first = next((ln for ln in lines if ln.strip() and not ln.lstrip().startswith("#")), "")
    delimiter = "\t" if "\t" in first else ","
    header = [c.strip().lower() for c in next(csv.reader([first], delimiter=delimiter), [])]
    if "slang" in header and "formal" in header:
        i, j = header.index("slang"), header.index("formal")
        rows = csv.reader(io.StringIO(text), delimiter=delimiter)
        next(rows)
        for row in rows:
            if len(row) > max(i, j):
                yield row[i], row[j]
        return
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "\t" in line:
            slang, _, formal = line.partition("\t")
            yield slang, formal
        else:
            row = next(csv.reader([line]), [])
            if len(row) >= 2:
                yield row[0], row[1]


def load_slang(path: str | Path | None = None) -> dict[str, str]:
    """slang -> formal from a user file: "slang<TAB>formal" or "slang,formal" lines with '#'
    comment lines, a CSV with a slang,formal header (extra columns ignored), or a headerless
    two-column CSV. Decoded as UTF-8, else cp1252, else latin-1. Keys are lower-cased; the first
    formal form of a slang wins; empty and identity pairs are dropped."""
    path = Path(path) if path is not None else paths.config_dir() / "slang.txt"
    table: dict[str, str] = {}
    for slang, formal in _slang_pairs(decode_bytes(path.read_bytes(), detect=False)):
        key, value = slang.strip().lower(), " ".join(formal.split())
        if key and value and key != value and key not in table:
            table[key] = value
    return table


@dataclass(frozen=True)
class _Slang:
    table: dict[str, str]
    detector: str | None  # RE2; None = every row


_SLANG_DETECTOR_MAX = 3000  # bigger alternations cost more than they save (almost all rows match)


@functools.lru_cache(maxsize=8)
def _prepared_slang(config: NormConfig, path: str, mtime_ns: int) -> _Slang:
    """The slang table as the pipeline uses it: keys and values normalized with the same
    steps (so 'gacorrr' or 't3tap' entries still match) and kept only when a key is one token."""
    raw = load_slang(path)
    before = config.without("slang")
    keys = normalize_array(list(raw), before).to_pylist()
    values = normalize_array(list(raw.values()), before).to_pylist()
    table: dict[str, str] = {}
    for key, value in zip(keys, values, strict=True):
        if key and value and key != value and _WORD_RE.fullmatch(key) and key not in table:
            table[key] = value
    detector = None
    if len(table) <= _SLANG_DETECTOR_MAX:
        words = "|".join(sorted(table, key=len, reverse=True))
        detector = f"(?:^|[^{_ALNUM}])(?:{words})(?:$|[^{_ALNUM}])"
    return _Slang(table, detector)


def _slang_for(config: NormConfig) -> _Slang:
    path = Path(config.slang_path) if config.slang_path else paths.config_dir() / "slang.txt"
    return _prepared_slang(config, str(path.resolve()), path.stat().st_mtime_ns)


# --- whitespace ------------------------------------------------------------------------------

_WS_RUN_RE = re.compile(_py_class(_WHITESPACE) + "+")


def _squash_spaces(s: str) -> str:
    return _WS_RUN_RE.sub(" ", s).strip(" ")


# --- RE2 pre-filters: each matches every row its step could change (and some more) ---------

_DETECTORS = {
    "urls": rf"://|:\\/\\/|[Ww][Ww][Ww]\.|@[A-Za-z0-9-]+\.|[A-Za-z0-9]\.{_TLD}",
    "mentions": "@[A-Za-z0-9_]",
    "emoji_shortcodes": _SHORTCODE_RE2,
    "brackets": (f"{_PAIR}|[{_ALNUM}][{_DECOR}]|[{_DECOR}][{_ALNUM}]"
                 f"|[{_ALNUM}]{_CHAIN_SEP}[{_ALNUM}]{_CHAIN_SEP}[{_ALNUM}]"),
    "spacing": f"(?:^|[^{_ALNUM}])[{_ALNUM}] [{_ALNUM}] [{_ALNUM}](?:$|[^{_ALNUM}])",
    "leet": r"[A-Za-z][0-9@$][A-Za-z]|(?:^|[^A-Za-z0-9@$])[0-9$][A-Za-z]",
    "repeats": "|".join(c * 3 for c in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
}
_WS_DETECTOR = _re2_class([c for c in _WHITESPACE if c != 0x20]) + "|  |^ | $"
_WS_RUN_RE2 = _re2_class(_WHITESPACE) + "+"
_PLACEHOLDER_DETECTOR = "user|url"  # on lower-cased text: every USER/URL that lower() keeps
_STEP_FUNCTIONS = {"urls": strip_urls, "mentions": strip_mentions,
                   "emoji_shortcodes": strip_emoji_shortcodes, "brackets": unbracket,
                   "spacing": join_spaced_letters, "leet": unleet, "repeats": squeeze_repeats}


def _late_steps(config: NormConfig) -> list[tuple[str, object, str | None]]:
    """(name, function, RE2 pre-filter) for the enabled steps after lower-casing."""
    steps = [(name, _STEP_FUNCTIONS[name], _DETECTORS[name])
             for name in STEPS if name in _STEP_FUNCTIONS and getattr(config, name)]
    if config.slang and (slang := _slang_for(config)).table:
        steps.append(("slang", functools.partial(apply_slang, table=slang.table), slang.detector))
    return steps


# --- the two paths ---------------------------------------------------------------------------

def normalize(text: str | None, config: NormConfig = DEFAULT) -> str | None:
    """The reference: every enabled step in ``STEPS`` order, then whitespace runs collapsed to
    one space and the ends stripped. None stays None (as nulls do in ``normalize_array``)."""
    if text is None:
        return None
    s = text if isinstance(text, str) else str(text)
    if config.nfkc:
        s = nfkc(s)
    if config.unstyle:
        s = unstyle(s)
    if config.lower:
        s = lower(s)
    for _, function, _ in _late_steps(config):
        s = function(s)
    return _squash_spaces(s)


def _as_string_array(texts) -> pa.Array:
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks() if texts.num_chunks else pa.array([], texts.type)
    if not isinstance(texts, pa.Array):
        texts = pa.array([t if t is None or isinstance(t, str) else str(t) for t in texts],
                         pa.string())
    if not (pa.types.is_string(texts.type) or pa.types.is_large_string(texts.type)):
        texts = texts.cast(pa.string())
    return texts


def _mask(arr: pa.Array, detector: str | None) -> pa.BooleanArray:
    if detector is None:
        return pc.is_valid(arr)
    return pc.fill_null(pc.match_substring_regex(arr, detector), False)


def _patch(arr: pa.Array, mask: pa.BooleanArray, values) -> pa.Array:
    return pc.replace_with_mask(arr, mask, pa.array(values, arr.type))


def _through(arr: pa.Array, detector: str | None, function) -> pa.Array:
    """Run a Python step over the rows its pre-filter flags; the rest are left as they are."""
    mask = _mask(arr, detector)
    if not mask.true_count:
        return arr
    return _patch(arr, mask, [function(s) for s in arr.filter(mask).to_pylist()])


def normalize_array(texts: pa.Array | pa.ChunkedArray | list[str],
                    config: NormConfig = DEFAULT) -> pa.Array:
    """``normalize`` over an Arrow string column (or a list), equal to it row by row; nulls stay
    null. Pure-ASCII rows skip NFKC and unstyling; one RE2 pass finds the rows any later step or
    the whitespace clean-up could change, and only those go through the Python steps."""
    arr = _as_string_array(texts)
    if len(arr) == 0:
        return arr
    wide = pc.invert(pc.fill_null(pc.string_is_ascii(arr), True))  # rows with non-ASCII
    if wide.true_count and (config.nfkc or config.unstyle):
        sub = arr.filter(wide)
        if config.nfkc:
            sub = pc.utf8_normalize(sub, form="NFKC")
        if config.unstyle:
            sub = _through(sub, _unstyle_tables().detector, unstyle)
        arr = pc.replace_with_mask(arr, wide, sub)
    before_lower = arr
    if config.lower:
        arr = pc.ascii_lower(arr)
        if wide.true_count:
            arr = pc.replace_with_mask(arr, wide, pc.utf8_lower(before_lower.filter(wide)))
    steps = _late_steps(config)
    detectors = [d for _, _, d in steps]
    if None in detectors:
        flagged = pc.is_valid(arr)
    else:
        parts = [*detectors, _WS_DETECTOR] + ([_PLACEHOLDER_DETECTOR] if config.lower else [])
        flagged = _mask(arr, "|".join(f"(?:{p})" for p in parts))
    if not flagged.true_count:
        return arr
    sub = arr.filter(flagged)
    if config.lower:
        original = before_lower.filter(flagged)
        keep = _mask(original, "USER|URL")
        if keep.true_count:
            sub = _patch(sub, keep, [lower(s) for s in original.filter(keep).to_pylist()])
    for _, function, detector in steps:
        sub = _through(sub, detector, function)
    messy = _mask(sub, _WS_DETECTOR)
    if messy.true_count:
        cleaned = pc.utf8_trim(pc.replace_substring_regex(sub.filter(messy), _WS_RUN_RE2, " "),
                               characters=" ")
        sub = pc.replace_with_mask(sub, messy, cleaned)
    return pc.replace_with_mask(arr, flagged, sub)


def _missing(value) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (
        isinstance(value, float) and math.isnan(value))


def normalize_series(texts: pd.Series, config: NormConfig = DEFAULT) -> pd.Series:
    """``normalize_array`` for a pandas Series: same index and name; missing values stay
    missing; a string dtype is kept, anything else comes back as object."""
    values = [None if _missing(v) else v for v in texts.tolist()]
    result = normalize_array(values, config).to_pylist()
    dtype = texts.dtype if isinstance(texts.dtype, pd.StringDtype) else object
    return pd.Series(result, index=texts.index, name=texts.name, dtype=dtype)
