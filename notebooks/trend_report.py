# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,jupytext,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: negtrend
#     language: python
#     name: negtrend
# ---

# %% tags=["parameters"]
# Parameters (papermill injects the values of a run below this cell).
data = "published:kominfo_ais_hoax_monthly"  # a file path, or published:SERIES
kind = "auto"  # auto | posts | counts
column_map = {}  # canonical -> source column, e.g. {"text": "title", "timestamp": "date"}
labels = {}  # pre-assigned labels, e.g. {"hoaks": "tag:SALAH|HOAX"}
classifier = None  # tag posts' text: "lexicon", or the folder of a trained model
variant = None  # for published series with conflicting releases
timezone = "Asia/Jakarta"
timestamp_format = None
election = "pemilu2019"
categories = []  # empty: every category in the data
freq = "M"  # D | W | M
complete_feed = True  # posts: periods without items are real zeros
before_days = None  # None: as long as the campaign
after_days = None  # None: as long as the campaign
baseline = "before"
min_share = 0.5  # a period belongs to a window holding more than this share of its days
alpha = 0.05
claim = None  # a claim id from config/claims.yaml, e.g. "komdigi_2024_11_pilkada"
lang = "en"  # en | id: the language of headings and result sentences
its_at_voting = False  # interrupted time series: a second break at voting day
placebo_step = None  # days between placebo dates; None: 7 (daily/weekly) or 30 (monthly)
power_simulations = 100  # simulations per ratio for the minimum detectable effect
examples_per_window = 3  # example items shown per category and window (posts only)
tagging_error = {}  # category -> {"precision", "recall", "n_precision", "n_recall"}, from
# `negtrend evaluate --gold` or entered by hand: shares are corrected for tagging error
seed = 0
output_dir = None  # set by the runner; None: reports/interactive

# %%
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Image, display

import negtrend as nt

out = Path(output_dir) if output_dir else nt.paths.reports_dir() / "interactive"
out.mkdir(parents=True, exist_ok=True)
pd.set_option("display.precision", 3)
election_info = nt.get_election(election)
window_table = nt.windows(election_info, before_days=before_days, after_days=after_days)
display(HTML(nt.reporting.intro_html(lang) + nt.reporting.heading_html(election_info, data, lang)))

# %%
display(HTML(nt.reporting.section_html("data", lang)))
loaded = nt.load_source(data, kind=kind, column_map=column_map, tz=timezone,
                        timestamp_format=timestamp_format, variant=variant)
if labels:
    loaded = nt.labels.apply_to_result(loaded, labels)
if classifier:
    loaded = nt.classify.tag_posts(loaded, classifier, categories or None)
nt.io.write_quarantine(loaded, out / "quarantine.csv")
series = nt.build_series(loaded, freq=freq,
                         categories=nt.reporting.choose_categories(categories, labels, classifier),
                         windows=window_table,
                         complete_feed=complete_feed, min_share=min_share)
summary = nt.reporting.data_summary(loaded, series)
display(nt.reporting.summary_table(summary, lang))

# %%
display(HTML(nt.reporting.section_html("windows", lang)))
display(nt.reporting.window_frame(window_table))

# %%
display(HTML(nt.reporting.section_html("trend", lang)))
figures = {}
for measure in nt.reporting.figure_measures(series):
    fig = nt.plots.trend(series, window_table, measure=measure,
                         title=nt.reporting.figure_title(election_info, data, measure, lang))
    figures[measure] = nt.plots.save_figure(fig, out / "figures", f"trend_{measure}")
    display(Image(filename=str(figures[measure][0])))

# %%
display(HTML(nt.reporting.section_html("table", lang)))
comparisons = [nt.compare_phases(series, category, baseline=baseline, alpha=alpha)
               for category in series.categories]
for comparison in comparisons:
    display(HTML(nt.reporting.subheading_html(comparison.category)))
    display(comparison.phase_table.set_index("window"))

# %%
display(HTML(nt.reporting.section_html("ratios", lang)))
for comparison in comparisons:
    display(nt.reporting.ratio_frame(comparison))
adjusted = nt.stats.adjust_across_categories(comparisons)
if len(adjusted) > 1:
    display(HTML(nt.reporting.section_html("categories", lang)))
    display(adjusted.set_index("category"))

# %%
display(HTML(nt.reporting.section_html("result", lang)))
for comparison in comparisons:
    display(HTML(nt.reporting.sentences_html(nt.text.comparison_sentences(comparison, lang))))

# %%
display(HTML(nt.reporting.section_html("its", lang)))
effects = {category: {} for category in series.categories}
for category in series.categories:
    result = nt.its.its(series, category, at_voting=its_at_voting, alpha=alpha,
                        windows=window_table)
    effects[category]["its"] = result
    display(HTML(nt.reporting.sentences_html([result.summary(lang)])))
    if len(result.series):
        figures[f"its_{category}"] = nt.plots.save_figure(result.plot(lang=lang),
                                                          out / "figures", f"its_{category}")
        display(Image(filename=str(figures[f"its_{category}"][0])))

# %%
if freq in ("D", "W"):
    display(HTML(nt.reporting.section_html("event_study", lang)))
    for category in series.categories:
        result = nt.event_study.event_study(series, category, election_info, alpha=alpha,
                                            windows=window_table)
        effects[category]["event_study"] = result
        display(HTML(nt.reporting.sentences_html([result.summary(lang)])))
        if len(result.table):
            figures[f"event_study_{category}"] = nt.plots.save_figure(
                result.plot(lang=lang), out / "figures", f"event_study_{category}")
            display(Image(filename=str(figures[f"event_study_{category}"][0])))

# %%
display(HTML(nt.reporting.section_html("placebo", lang)))
for category in series.categories:
    result = nt.placebo.placebo(series, window_table, category, baseline=baseline,
                                step=placebo_step, min_share=min_share, alpha=alpha)
    effects[category]["placebo"] = result
    display(HTML(nt.reporting.sentences_html([result.summary(lang)])))
    if len(result.table):
        figures[f"placebo_{category}"] = nt.plots.save_figure(
            result.plot(lang=lang), out / "figures", f"placebo_{category}")
        display(Image(filename=str(figures[f"placebo_{category}"][0])))

# %%
display(HTML(nt.reporting.section_html("changepoints", lang)))
for category in series.categories:
    result = nt.changepoints.changepoints(series, category, windows=window_table)
    effects[category]["changepoints"] = result
    display(HTML(nt.reporting.sentences_html([result.summary(lang)])))
    if len(result.table):
        display(result.table)

# %%
display(HTML(nt.reporting.section_html("power", lang)))
for category in series.categories:
    effects[category]["power"] = nt.power.power(series, category, baseline=baseline,
                                                alpha=alpha, simulations=power_simulations,
                                                seed=seed)
    detectable = effects[category]["power"]
    display(HTML(nt.reporting.sentences_html([nt.text.power_sentence(
        category, detectable.mde_increase, detectable.mde_decrease, detectable.target, lang)])))

# %%
display(HTML(nt.reporting.section_html("claim", lang)))
claim_info = nt.claims.get_claim(claim) if claim else None
claim_comparisons, claim_checks = None, None
if claim_info is None:
    display(HTML(nt.reporting.sentences_html([nt.text.NO_CLAIM[lang]])))
else:
    claim_comparisons = comparisons if claim_info.baseline == baseline else [
        nt.compare_phases(series, category, baseline=claim_info.baseline, alpha=alpha)
        for category in series.categories]
    same = claim_info.phase == "campaign" and claim_info.baseline == baseline
    claim_checks = {category: nt.claims.check_claim(
        series, category, window_table, direction=claim_info.direction, phase=claim_info.phase,
        baseline=claim_info.baseline, alpha=alpha, placebo_step=placebo_step,
        power_simulations=power_simulations, seed=seed,
        placebo_result=effects[category]["placebo"] if same else None,
        power_result=effects[category]["power"] if same else None,
        comparison=comparison)
        for category, comparison in zip(series.categories, claim_comparisons, strict=True)}
    display(HTML(nt.reporting.sentences_html(
        nt.text.claim_sentences(claim_info, claim_comparisons, lang, claim_checks))))

# %%
display(HTML(nt.reporting.section_html("examples", lang)))
if loaded.kind == "posts":
    reason = (nt.examples.lexicon_reason(nt.classify.make_backend("lexicon"), lang)
              if classifier == "lexicon" else None)
    items = nt.examples.example_items(loaded.data, series.categories, window_table,
                                      per_window=examples_per_window, seed=seed, why=reason,
                                      lang=lang)
    display(HTML(nt.examples.examples_html(items, lang)))
else:
    display(HTML(nt.reporting.sentences_html([nt.text.NO_EXAMPLES[lang]])))

# %%
corrected = {}
if tagging_error and series.has_total:
    display(HTML(nt.reporting.section_html("tagging_error", lang)))
    for comparison in comparisons:
        if comparison.category in tagging_error:
            corrected[comparison.category] = nt.reporting.corrected_shares(
                comparison, tagging_error[comparison.category], alpha)
            display(HTML(nt.reporting.subheading_html(comparison.category)))
            display(corrected[comparison.category].set_index("window"))

# %%
display(HTML(nt.reporting.section_html("limitations", lang)))
limits = nt.text.limitations(summary, nt.reporting.tagging_kind(loaded.kind, labels, classifier),
                             {c: found.get("power") for c, found in effects.items()}, lang,
                             corrected=corrected)
display(HTML(nt.reporting.sentences_html(limits)))

# %%
metrics = nt.reporting.metrics(summary, window_table, election_info, comparisons, figures,
                               out, claim=claim_info, claim_comparisons=claim_comparisons,
                               lang=lang, effects=effects, adjusted=adjusted,
                               claim_checks=claim_checks, limitations=limits,
                               corrected=corrected)
nt.runner.record_metrics(metrics, out);
