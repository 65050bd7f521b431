"""Plain-language result sentences in English or Bahasa Indonesia, written from result data
(never typed by hand).

Every function takes ``lang`` ("en" or "id"); the phrases of both languages sit side by side in
the tables below, so a sentence cannot exist in one language only.
"""

from __future__ import annotations

import math

import pandas as pd

from negtrend.analysis.effect import MEASURE_NAMES, check_lang, format_number, format_p, note_text
from negtrend.analysis.stats import PhaseComparison, verdict

WINDOW_PHRASES = {
    "en": {"campaign": "during the campaign", "quiet": "during the quiet period",
           "voting": "on voting day", "after": "after the vote",
           "before": "before the campaign"},
    "id": {"campaign": "selama masa kampanye", "quiet": "selama masa tenang",
           "voting": "pada hari pemungutan suara", "after": "setelah pemungutan suara",
           "before": "sebelum masa kampanye"},
}
BASELINE_PHRASES = {lang: {**phrases, "before": {"en": "before it", "id": "sebelumnya"}[lang]}
                    for lang, phrases in WINDOW_PHRASES.items()}
OUTCOME_WORDS = {
    "en": {"higher": "higher", "lower": "lower"},
    "id": {"higher": "lebih tinggi", "lower": "lebih rendah"},
}
ASSESSMENTS = {
    "en": {"supported": "the data support the claim",
           "contradicted": "the data contradict the claim",
           "inconclusive": "the data neither support nor contradict the claim"},
    "id": {"supported": "data mendukung klaim tersebut",
           "contradicted": "data bertentangan dengan klaim tersebut",
           "inconclusive": "data tidak mendukung maupun membantah klaim tersebut"},
}
DIRECTION_WORDS = {"en": {"decrease": "decrease", "increase": "increase"},
                   "id": {"decrease": "penurunan", "increase": "kenaikan"}}
def number(value: float, digits: int = 2, lang: str = "en") -> str:
    return format_number(value, lang, digits)


def p_text(p: float, lang: str = "en") -> str:
    return format_p(p, lang)


def ratio_sentence(row: dict | pd.Series, category: str, alpha: float, lang: str = "en") -> str:
    """One sentence for one window-vs-baseline rate ratio, saying inconclusive when it is."""
    check_lang(lang)
    row = dict(row)
    where = WINDOW_PHRASES[lang].get(row["window"], f"'{row['window']}'")
    base = BASELINE_PHRASES[lang].get(row["baseline"], f"'{row['baseline']}'")
    measure = MEASURE_NAMES[lang][row["measure"]]
    level = int(round(100 * (1 - alpha)))
    outcome = verdict(row)
    estimate = row.get("estimate")
    has_estimate = estimate is not None and not math.isnan(estimate)
    if outcome == "not estimable":
        note = note_text(row.get("note", ""), lang)
        if lang == "id":
            shown = f" (estimasi titik {number(estimate, lang=lang)})" if has_estimate else ""
            return (f"Untuk {category}, {measure} {where} dibanding {base}: tidak dapat "
                    f"diestimasi{shown} — {note}.")
        shown = f" (point estimate {number(estimate)})" if has_estimate else ""
        return (f"For {category}, the {measure} {where} compared with {base}: "
                f"not estimable{shown} — {note}.")
    interval = (f"{number(row['ci_low'], lang=lang)}–{number(row['ci_high'], lang=lang)}, "
                f"{p_text(row['p_value'], lang)}")
    if lang == "id":
        head = (f"Untuk {category}, {measure} {where} sebesar {number(estimate, lang=lang)} "
                f"kali tingkatnya {base} (rasio laju; SK {level}% {interval})")
        if outcome == "inconclusive":
            return (f"{head}: tidak meyakinkan — selang memuat 1, sehingga data ini tidak dapat "
                    "membedakan kenaikan dari penurunan.")
        return f"{head}: {OUTCOME_WORDS[lang][outcome]} {where} dibanding {base}."
    head = (f"For {category}, the {measure} {where} was {number(estimate)} times its "
            f"level {base} (rate ratio; {level}% CI {interval})")
    if outcome == "inconclusive":
        return (f"{head}: inconclusive — the interval includes 1, so these data cannot tell a "
                "rise from a fall.")
    return f"{head}: {outcome} {where} than {base}."


BASIS = {
    "en": {"share": "The verdict rests on the share of collected items (the rate per item "
                    "collected), so changes in how much was collected do not drive it; counts "
                    "per day are shown beside it.",
           "count_per_day": "The verdict rests on counts per day: the collection volume behind "
                            "these figures is not known, so a fall in how much was collected or "
                            "published would look the same as a fall in the content itself."},
    "id": {"share": "Kesimpulan bertumpu pada proporsi dari item yang dikumpulkan (laju per item "
                    "yang dikumpulkan), sehingga perubahan jumlah yang dikumpulkan tidak "
                    "memengaruhinya; jumlah per hari ditampilkan di sampingnya.",
           "count_per_day": "Kesimpulan bertumpu pada jumlah per hari: volume pengumpulan di "
                            "balik angka ini tidak diketahui, sehingga turunnya jumlah yang "
                            "dikumpulkan atau dipublikasikan akan tampak sama dengan turunnya "
                            "konten itu sendiri."},
}


def basis_sentence(comparison: PhaseComparison, lang: str = "en") -> str:
    return BASIS[check_lang(lang)][comparison.primary_measure]


def _sentence(note: str) -> str:
    return note[0].upper() + note[1:] + "." if note else note


def comparison_sentences(comparison: PhaseComparison, lang: str = "en") -> list[str]:
    """The verdict sentences for the primary measure, then the basis, then the caveats."""
    check_lang(lang)
    primary = comparison.primary()
    lines = [ratio_sentence(row, comparison.category, comparison.alpha, lang)
             for _, row in primary.iterrows()]
    if not lines:
        lines.append({"en": f"No window could be compared with '{comparison.baseline}' for "
                            f"{comparison.category}.",
                      "id": f"Tidak ada jendela yang dapat dibandingkan dengan "
                            f"'{comparison.baseline}' untuk {comparison.category}."}[lang])
    lines.append(basis_sentence(comparison, lang))
    lines += [_sentence(note_text(note, lang)) for note in comparison.notes]
    return lines


def claim_assessments(claim, comparisons: list[PhaseComparison], checks: dict | None = None
                      ) -> list[dict]:
    """For each category: the primary ratio of the claim's phase and what it says of the claim.

    ``checks`` (category -> ``claims.check_claim`` output) makes the assessment the full claim
    check's, which also asks the placebo test to agree before calling a claim supported."""
    from negtrend.analysis.claims import assess

    out = []
    for comparison in comparisons:
        rows = comparison.primary()
        rows = rows[(rows["window"] == claim.phase) & (rows["baseline"] == claim.baseline)]
        if rows.empty:
            out.append({"category": comparison.category, "assessment": "not estimable",
                        "outcome": "not estimable", "row": None,
                        "note": f"no '{claim.phase}' period to compare"})
            continue
        row = rows.iloc[0].to_dict()
        outcome = verdict(row)
        item = {"category": comparison.category, "outcome": outcome,
                "assessment": assess(claim.direction, outcome), "row": row,
                "note": row.get("note", ""), "checks": []}
        check = (checks or {}).get(comparison.category)
        if check:
            item.update(assessment=check["verdict"], placebo_p=check["placebo_p"],
                        mde=check["mde"], checks=list(check["notes"]))
        out.append(item)
    return out


def claim_sentences(claim, comparisons: list[PhaseComparison], lang: str = "en",
                    checks: dict | None = None) -> list[str]:
    """The claim, then one sentence per category saying what these data show about it."""
    check_lang(lang)
    summary = claim.summary_id if lang == "id" and claim.summary_id else claim.summary
    caveat = claim.caveat_id if lang == "id" and claim.caveat_id else claim.caveat
    lead_in = {"en": "Claim tested", "id": "Klaim yang diuji"}[lang]
    lines = [f"{lead_in} ({claim.claimant}, {claim.date}): {summary} "
             f"{'Sumber' if lang == 'id' else 'Source'}: {claim.source}"]
    alpha = comparisons[0].alpha if comparisons else 0.05
    for item in claim_assessments(claim, comparisons, checks):
        category, row = item["category"], item["row"]
        if item["assessment"] == "not estimable":
            note = note_text(item["note"], lang)
            lines.append({"en": f"For {category}, the claim cannot be tested with these data: "
                                f"{note}.",
                          "id": f"Untuk {category}, klaim tidak dapat diuji dengan data ini: "
                                f"{note}."}[lang])
            continue
        evidence = ratio_sentence(row, category, alpha, lang).rstrip(".")
        lead = ASSESSMENTS[lang][item["assessment"]]
        if item["assessment"] == "inconclusive":
            lead += _inconclusive_lean(row["estimate"], claim.direction, lang)
        label = {"en": "Claim", "id": "Klaim"}[lang]
        lines.append(f"{label} ({DIRECTION_WORDS[lang][claim.direction]} "
                     f"{WINDOW_PHRASES[lang].get(claim.phase, '')}): {lead}. {evidence}.")
        lines += [_sentence(note_text(note, lang)) for note in item.get("checks", [])
                  if not note.startswith(("even the largest", "power not computed"))]
    if caveat:
        lines.append(f"{'Catatan' if lang == 'id' else 'Caveat'}: {caveat}")
    return lines


def _inconclusive_lean(estimate: float, direction: str, lang: str) -> str:
    points_down = estimate < 1
    agrees = points_down == (direction == "decrease")
    if lang == "id":
        return (f"; estimasi titik mengarah ke {'arah yang sama' if agrees else 'arah sebaliknya'}"
                f" ({'penurunan' if points_down else 'kenaikan'}), tetapi tidak melampaui "
                "kebetulan")
    return (f"; the point estimate points {'the same way' if agrees else 'the other way'}"
            f" (a {'fall' if points_down else 'rise'}), but not beyond chance")


NO_CLAIM = {"en": "No claim was named for this report.",
            "id": "Tidak ada klaim yang disebut untuk laporan ini."}
NO_EXAMPLES = {"en": "These data are published counts: there are no individual items to show.",
               "id": "Data ini berupa jumlah yang dipublikasikan: tidak ada item individual "
                     "untuk ditampilkan."}

SECTIONS = {
    "en": {"data": "Data", "windows": "Election windows", "trend": "Trend",
           "table": "Per-window counts and rates", "ratios": "Rate ratios against the baseline",
           "result": "Result", "its": "Interrupted time series",
           "event_study": "Week by week around voting day",
           "placebo": "Placebo dates", "changepoints": "Changepoints",
           "power": "Power: the smallest change these data could detect",
           "claim": "The claim", "examples": "Example items",
           "limitations": "Limitations", "categories": "Across categories",
           "tagging_error": "Shares corrected for tagging error"},
    "id": {"data": "Data", "windows": "Jendela pemilu", "trend": "Tren",
           "table": "Jumlah dan laju per jendela", "ratios": "Rasio laju terhadap pembanding",
           "result": "Hasil", "its": "Deret waktu terinterupsi",
           "event_study": "Minggu demi minggu di sekitar hari pemungutan suara",
           "placebo": "Tanggal plasebo", "changepoints": "Titik perubahan",
           "power": "Daya uji: perubahan terkecil yang dapat dideteksi data ini",
           "claim": "Klaim", "examples": "Contoh item",
           "limitations": "Keterbatasan", "categories": "Antarkategori",
           "tagging_error": "Proporsi terkoreksi untuk kesalahan penandaan"},
}


def section(name: str, lang: str = "en") -> str:
    return SECTIONS[check_lang(lang)][name]


def power_sentence(category: str, mde_increase: float, mde_decrease: float, target: float,
                   lang: str = "en") -> str:
    """What the minimum detectable effect means for reading a null result."""
    check_lang(lang)
    share = f"{target:.0%}"
    up, down = (number(mde_increase, lang=lang), number(mde_decrease, lang=lang))
    if not math.isfinite(mde_increase) and not math.isfinite(mde_decrease):
        return {"en": f"For {category}, even a tenfold change would be detected in fewer than "
                      f"{share} of simulations: these data have almost no power, so "
                      "'inconclusive' here says nothing about whether content changed.",
                "id": f"Untuk {category}, bahkan perubahan sepuluh kali lipat terdeteksi dalam "
                      f"kurang dari {share} simulasi: data ini hampir tidak punya daya uji, "
                      "sehingga 'tidak meyakinkan' di sini tidak berarti konten tidak "
                      "berubah."}[lang]
    return {"en": f"For {category}, a rise to {up} times or a fall to {down} times the baseline "
                  f"rate would be detected in {share} of simulations; smaller changes could go "
                  "unseen, so an inconclusive result does not show that nothing changed.",
            "id": f"Untuk {category}, kenaikan menjadi {up} kali atau penurunan menjadi {down} "
                  f"kali laju pembanding akan terdeteksi dalam {share} simulasi; perubahan "
                  "yang lebih kecil bisa tidak terlihat, sehingga hasil yang tidak meyakinkan "
                  "tidak membuktikan bahwa tidak ada yang berubah."}[lang]


def limitations(summary: dict, tagging: str, powers: dict, lang: str = "en",
                corrected: dict | None = None) -> list[str]:
    """Limitations written from the numbers: collection, tagging, power, thin series.

    ``tagging`` is "counts" (published figures), "labels" (labels from the source),
    "lexicon" or "model"; ``powers`` maps category -> PowerResult (or None); ``corrected``
    maps category -> the corrected-share table (``reporting.corrected_shares``).
    """
    check_lang(lang)
    lines = []
    if summary.get("exposure") == "total":
        lines.append({"en": "Collection volume is known, so the share of collected items "
                            "corrects for how much was collected; it cannot correct for what "
                            "the collector chose to look for.",
                      "id": "Volume pengumpulan diketahui, sehingga proporsi item mengoreksi "
                            "banyaknya yang dikumpulkan; proporsi itu tidak dapat mengoreksi "
                            "apa yang dipilih untuk dicari oleh pengumpul data."}[lang])
    else:
        lines.append({"en": "Collection volume is unknown: counts reflect how much was "
                            "collected, reported or checked as much as how much negative "
                            "content there was.",
                      "id": "Volume pengumpulan tidak diketahui: jumlah mencerminkan banyaknya "
                            "yang dikumpulkan, dilaporkan, atau diperiksa, sama besarnya dengan "
                            "banyaknya konten negatif."}[lang])
    lines.append({
        "en": {"counts": "The figures are published counts; how items were found and "
                         "classified is the publisher's, and negtrend cannot check it.",
               "labels": "Labels come from the source (e.g. fact-checkers' verdicts) and "
                         "reflect what its authors chose to check.",
               "lexicon": "Items were tagged by the default lexicon, whose recall is low on "
                          "labelled sets (docs/benchmarks.md); check it on your own data with "
                          "negtrend sample and negtrend evaluate --gold, and correct the shares "
                          "for tagging error.",
               "model": "Items were tagged by a trained model; its cross-validated scores are "
                        "in the model's metadata, but error rates can differ on new data: "
                        "check them with negtrend sample and negtrend evaluate --gold.",
               "none": "Every item in the data is counted; no tagging is involved."},
        "id": {"counts": "Angka ini adalah jumlah yang dipublikasikan; cara item ditemukan dan "
                         "diklasifikasikan ditentukan penerbit dan tidak dapat diperiksa "
                         "negtrend.",
               "labels": "Label berasal dari sumber (misalnya putusan pemeriksa fakta) dan "
                         "mencerminkan apa yang dipilih untuk diperiksa.",
               "lexicon": "Item ditandai oleh leksikon bawaan, yang recall-nya rendah pada data "
                          "berlabel (docs/benchmarks.md); periksa pada data Anda dengan "
                          "negtrend sample dan negtrend evaluate --gold, lalu koreksi "
                          "proporsinya untuk kesalahan penandaan.",
               "model": "Item ditandai oleh model terlatih; skor validasi silangnya ada di "
                        "metadata model, tetapi tingkat kesalahan bisa berbeda pada data baru: "
                        "periksa dengan negtrend sample dan negtrend evaluate --gold.",
               "none": "Setiap item dalam data dihitung; tidak ada penandaan."},
    }[lang][tagging])
    for category, table in (corrected or {}).items():
        if len(table):
            row = table.iloc[0]
            where = WINDOW_PHRASES[lang].get(row["window"], row["window"])
            lines.append({
                "en": f"For {category}, correcting for the tagger's precision and recall moves "
                      f"the share {where} from {number(1000 * row['observed'])} to "
                      f"{number(1000 * row['corrected'])} per 1,000 items (interval "
                      f"{number(1000 * row['ci_low'])}–{number(1000 * row['ci_high'])}); rate "
                      "ratios are unchanged if the tagger errs alike in every window.",
                "id": f"Untuk {category}, koreksi atas presisi dan recall penanda mengubah "
                      f"proporsi {where} dari "
                      f"{number(1000 * row['observed'], lang=lang)} menjadi "
                      f"{number(1000 * row['corrected'], lang=lang)} per 1.000 item (selang "
                      f"{number(1000 * row['ci_low'], lang=lang)}–"
                      f"{number(1000 * row['ci_high'], lang=lang)}); rasio laju tidak berubah "
                      "bila kesalahan penanda sama di setiap jendela."}[lang])
    periods = summary.get("periods", 0)
    if summary.get("freq") == "M" and periods < 36:
        lines.append({"en": f"Only {periods} monthly points: intervals are wide and a verdict "
                            "of 'inconclusive' is the expected outcome unless the change is "
                            "large.",
                      "id": f"Hanya {periods} titik bulanan: selang lebar, dan 'tidak "
                            "meyakinkan' adalah hasil yang wajar kecuali perubahannya "
                            "besar."}[lang])
    for category, result in powers.items():
        if result is not None:
            lines.append(power_sentence(category, result.mde_increase, result.mde_decrease,
                                        result.target, lang))
    return lines
