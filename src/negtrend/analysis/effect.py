"""One result object for every estimator: ``EffectResult``.

Period comparison, interrupted time series, placebo-in-time, changepoints and
difference-in-differences all answer "how big was the change and how sure are we?", so they
return the same frozen object: the method, the windows it used, the headline effect (estimate,
interval, p), a tidy table, the observed / fitted / counterfactual series and the metadata
needed to reproduce it. ``summary`` writes the answer in English or Bahasa Indonesia,
``to_dict`` gives every number at full precision in JSON-safe form, and ``plot`` draws it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import pandas as pd
from matplotlib.figure import Figure
from scipy import stats as sps

from negtrend.jsonable import jsonable

LANGS = ("en", "id")
OUTCOMES = {
    "en": {"higher": "higher", "lower": "lower", "inconclusive":
           "inconclusive — the interval includes 1", "not estimable": "not estimable",
           "unusual": "further from 1 than at most placebo dates",
           "typical": "not unusual — placebo dates give changes this large too",
           "descriptive": "descriptive, without an interval"},
    "id": {"higher": "lebih tinggi", "lower": "lebih rendah", "inconclusive":
           "tidak meyakinkan — selang memuat 1", "not estimable": "tidak dapat diestimasi",
           "unusual": "lebih jauh dari 1 daripada di sebagian besar tanggal plasebo",
           "typical": "tidak luar biasa — tanggal plasebo juga memberi perubahan sebesar ini",
           "descriptive": "deskriptif, tanpa selang"},
}
WINDOW_NAMES = {
    "en": {"before": "before the campaign", "campaign": "campaign", "quiet": "quiet period",
           "voting": "voting day", "after": "after the vote",
           "outside": "outside the windows", "mixed": "split between windows"},
    "id": {"before": "sebelum kampanye", "campaign": "masa kampanye", "quiet": "masa tenang",
           "voting": "hari pemungutan suara", "after": "setelah pemungutan suara",
           "outside": "di luar jendela", "mixed": "terbagi antarjendela"},
}
MEASURE_NAMES = {
    "en": {"count_per_day": "count per day", "share": "share of collected items"},
    "id": {"count_per_day": "jumlah per hari", "share": "proporsi dari item yang dikumpulkan"},
}
SCALES = {
    "rate ratio": {"en": "rate ratio", "id": "rasio laju"},
    "ratio of rate ratios": {"en": "ratio of rate ratios", "id": "rasio dari rasio laju"},
    "level change": {"en": "level change (rate ratio)", "id": "perubahan tingkat (rasio laju)"},
    "rate ratio at the break": {"en": "rate ratio at the break",
                                "id": "rasio laju di titik perubahan"},
}
WORDS = {
    "en": {"ci": "CI", "method": "Method", "note": "Note", "p": "p", "na": "n/a"},
    "id": {"ci": "SK", "method": "Metode", "note": "Catatan", "p": "p", "na": "t/a"},
}


# Notes written by the statistics code, and their Indonesian form.
NOTE_TRANSLATIONS = [
    (r"no items at all in the series; a ratio is not defined",
     "tidak ada item sama sekali dalam deret; rasio tidak terdefinisi"),
    (r"no items at all in '(\w+)'; a ratio is not defined",
     "tidak ada item sama sekali pada '{0}'; rasio tidak terdefinisi"),
    (r"too few periods to measure the noise \(no residual degrees of freedom\), so no "
     r"interval can be given",
     "terlalu sedikit periode untuk mengukur derau (tidak ada derajat bebas sisa), sehingga "
     "selang tidak dapat diberikan"),
    (r"no (\w)-periods fall in the '(\w+)' window; the data cover (\S+) \(a different "
     r"before_days or baseline may help\)",
     "tidak ada periode {0} di jendela '{1}'; data mencakup {2} (before_days atau baseline "
     "lain mungkin membantu)"),
    (r"no (\w)-period is mostly inside: (.+)",
     "tidak ada periode {0} yang sebagian besar berada di dalam: {1}"),
    (r"no '(\w+)' period to compare", "tidak ada periode '{0}' untuk dibandingkan"),
    (r"the interval excludes 1 but placebo dates give ratios this far from 1 as often as "
     r"p = (\S+)",
     "selang tidak memuat 1, tetapi tanggal plasebo memberi rasio sejauh ini dari 1 "
     "sesering p = {0}"),
    (r"only (\d+) placebo dates fit in the data, so the smallest possible p-value is (\S+)",
     "hanya {0} tanggal plasebo yang muat dalam data, sehingga nilai p terkecil yang mungkin "
     "adalah {1}"),
    (r"needs at least two baseline periods and one campaign period; have (\d+) and (\d+)",
     "perlu sedikitnya dua periode pembanding dan satu periode kampanye; tersedia {0} dan {1}"),
    (r"too few periods to measure the noise, so no interval can be given",
     "terlalu sedikit periode untuk mengukur derau, sehingga selang tidak dapat diberikan"),
    (r"only (\d+) placebo dates fit in the data, too few for the placebo check to reach "
     r"p < (\S+); the verdict rests on the interval",
     "hanya {0} tanggal plasebo yang muat dalam data, terlalu sedikit bagi uji plasebo untuk "
     "mencapai p < {1}; kesimpulan bertumpu pada selang"),
    (r"no placebo dates fit in the data outside the election windows",
     "tidak ada tanggal plasebo yang muat dalam data di luar jendela pemilu"),
]


def note_text(note: str, lang: str = "en") -> str:
    """A note from the statistics code in the language asked."""
    if lang == "en" or not note:
        return note
    for pattern, template in NOTE_TRANSLATIONS:
        match = re.fullmatch(pattern, note)
        if match:
            return _window_ids(template.format(*match.groups()), lang)
    return "lihat catatan teknis di metrics.json"


def _window_ids(text: str, lang: str) -> str:
    """Window ids quoted or listed in a translated note, in the note's language."""
    return re.sub(r"\b(before|campaign|quiet|voting|after)\b",
                  lambda m: WINDOW_NAMES[lang][m.group(1)], text)


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return lang


def comparison_labels(phase: str, baseline: str, measure: str) -> dict:
    """'campaign vs before the campaign: share of collected items', in each language."""
    versus = {"en": "vs", "id": "dibanding"}
    return {lang: f"{WINDOW_NAMES[lang].get(phase, phase)} {versus[lang]} "
                  f"{WINDOW_NAMES[lang].get(baseline, baseline)}: "
                  f"{MEASURE_NAMES[lang].get(measure, measure)}" for lang in LANGS}


def scale_text(scale: str, lang: str) -> str:
    return SCALES.get(scale, {}).get(lang, scale)


def format_number(value, lang: str = "en", digits: int = 2) -> str:
    """2 decimals; Indonesian uses a decimal comma and a dot for thousands."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return WORDS[lang]["na"]
    text = f"{value:,.{digits}f}"
    if lang == "id":
        text = text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def format_p(p, lang: str = "en") -> str:
    if p is None or (isinstance(p, float) and not math.isfinite(p)):
        return f"p {WORDS[lang]['na']}"
    if p < 0.001:
        return "p < " + format_number(0.001, lang, 3)
    return "p = " + format_number(p, lang, 3)


def exp_ratio(log_value: float) -> float:
    """exp() that saturates to infinity instead of raising: a period with no items can drive a
    log coefficient and its error far past what a float holds."""
    return math.exp(log_value) if log_value < 700 else math.inf


def ratio_effect(log_estimate: float, se: float, quantile: float, df) -> dict:
    """Rate ratio, interval and two-sided t p-value from a log coefficient and its standard
    error; no interval or p when the error or the quantile is not a usable number."""
    if math.isfinite(se) and se > 0 and math.isfinite(quantile):
        p_value = float(2 * sps.t.sf(abs(log_estimate / se), df))
        low, high = exp_ratio(log_estimate - quantile * se), exp_ratio(log_estimate + quantile * se)
    else:
        p_value = low = high = math.nan
    return {"estimate": exp_ratio(log_estimate), "ci_low": low, "ci_high": high,
            "p_value": p_value, "log_se": se}


def outcome_of(effect: dict) -> str:
    """'higher', 'lower', 'inconclusive' or 'not estimable' from an effect's interval."""
    low, high = effect.get("ci_low"), effect.get("ci_high")
    if low is None or high is None or not (math.isfinite(low) and math.isfinite(high)):
        return "not estimable"
    if low > 1:
        return "higher"
    if high < 1:
        return "lower"
    return "inconclusive"


@dataclass(frozen=True)
class EffectResult:
    """A frozen estimate with everything needed to read, reproduce and draw it.

    ``effect`` holds ``estimate``, ``ci_low``, ``ci_high``, ``p_value``, ``alpha`` and
    ``scale`` (what the estimate is, e.g. "rate ratio"); ``labels`` says in each language what
    was compared ("campaign vs before: share of collected items"). ``series`` is indexed by
    period with ``observed`` and, where the method has them, ``fitted`` and ``counterfactual``
    (all as rates per unit of exposure) and ``window``.
    """

    method: str
    category: str
    windows: pd.DataFrame
    effect: dict
    labels: dict
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    series: pd.DataFrame = field(default_factory=pd.DataFrame)
    meta: dict = field(default_factory=dict)
    notes: tuple = ()

    @property
    def estimate(self) -> float:
        return self.effect.get("estimate", math.nan)

    @property
    def ci(self) -> tuple[float, float]:
        return self.effect.get("ci_low", math.nan), self.effect.get("ci_high", math.nan)

    @property
    def p_value(self) -> float:
        return self.effect.get("p_value", math.nan)

    @property
    def outcome(self) -> str:
        """From the interval, unless the method states its own (placebo: unusual/typical)."""
        return self.effect.get("outcome") or outcome_of(self.effect)

    def summary(self, lang: str = "en") -> str:
        """The headline in one or two sentences, in English ("en") or Indonesian ("id")."""
        check_lang(lang)
        words = WORDS[lang]
        effect = self.effect
        alpha = effect.get("alpha")
        level = int(round(100 * (1 - alpha))) if alpha and math.isfinite(alpha) else 95
        scale = scale_text(effect.get("scale", ""), lang)
        head = (f"{self.category} — {self.labels[lang]}: {scale} "
                f"{format_number(effect.get('estimate'), lang)}")
        low, high = self.ci
        if math.isfinite(low) and math.isfinite(high):
            head += (f" ({level}% {words['ci']} {format_number(low, lang)}–"
                     f"{format_number(high, lang)}, {format_p(self.p_value, lang)})")
        elif self.p_value is not None and math.isfinite(self.p_value):
            head += f" ({format_p(self.p_value, lang)})"
        text = f"{head}: {OUTCOMES[lang][self.outcome]}."
        method = self.meta.get("model_" + lang) or self.meta.get("model")
        if method:
            text += f" {words['method']}: {method}."
        translated = self.meta.get("notes_" + lang)
        if not translated or len(translated) != len(self.notes):
            translated = [note_text(note, lang) for note in self.notes]
        for note in translated:
            text += f" {words['note']}: {note}."
        return " ".join(text.split())

    def to_dict(self) -> dict:
        """Every number at full precision; NaN and infinity become null."""
        windows = self.windows.copy()
        for column in ("start", "end"):
            if column in windows:
                windows[column] = pd.to_datetime(windows[column]).dt.strftime("%Y-%m-%d")
        series = self.series.copy()
        if len(series):
            series.index = pd.to_datetime(series.index).strftime("%Y-%m-%d")
            series = series.reset_index(names="period")
        return jsonable({
            "method": self.method,
            "category": self.category,
            "effect": dict(self.effect),
            "labels": dict(self.labels),
            "outcome": self.outcome,
            "windows": windows.to_dict(orient="records"),
            "table": _records(self.table),
            "series": series.to_dict(orient="records"),
            "meta": dict(self.meta),
            "notes": list(self.notes),
        })

    def plot(self, ax=None, lang: str = "en"):
        """Observed rate, fitted and counterfactual lines, windows shaded; for methods whose
        evidence is a distribution (placebo), a histogram with the real estimate marked."""
        from negtrend.report import plots

        check_lang(lang)
        if ax is None:
            fig = Figure(figsize=(9, 3.8), layout="constrained")
            ax = fig.add_subplot(1, 1, 1)
        else:
            fig = ax.figure
        if self.meta.get("plot") == "distribution":
            plots.distribution(ax, self.table["estimate"], self.estimate,
                               label=self.labels[lang])
        elif self.meta.get("plot") == "event_study":
            plots.event_study_axes(ax, self.table, self.windows, title=self.summary_title(lang))
        else:
            plots.effect_series(ax, self.series, self.windows, title=self.summary_title(lang))
        return fig

    def summary_title(self, lang: str = "en") -> str:
        return f"{self.category}: {self.labels[check_lang(lang)]}"


def _records(frame: pd.DataFrame) -> list[dict]:
    if frame is None or not len(frame):
        return []
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return frame.to_dict(orient="records")
