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

# %% [markdown]
# # Explore a corpus around elections
#
# Load a corpus (any supported format; map its columns), tag it, look at daily or weekly trends per category with the election phases shaded, read example items per category and phase with the reason each was tagged, compare two elections side by side, and export the numbers on screen. Change the parameters below and re-run; with ipywidgets installed, the drill-down has controls.

# %% tags=["parameters"]
data = None  # a file path, or published:SERIES; None: the bundled sample corpus
kind = "auto"  # auto | posts | counts
column_map = {"text": "title", "timestamp": "published"}
labels = {}  # pre-assigned labels, e.g. {"hoaks": "tag:SALAH|HOAKS"}
classifier = "lexicon"  # tag posts' text: "lexicon", a trained model folder, or None
variant = None
timezone = "Asia/Jakarta"
timestamp_format = None
election = "pemilu2024"
compare_election = "pilkada2024"  # shown side by side; None to skip
categories = ["hoaks", "pemilu"]  # empty: every category of the labels or classifier
freq = "W"  # D | W | M
complete_feed = True
before_days = None
after_days = None
baseline = "before"
min_share = 0.5
alpha = 0.05
claim = None
lang = "en"  # en | id
examples_per_window = 3
seed = 0
output_dir = None  # set by the runner; None: reports/explore

# %%
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Image, display

import negtrend as nt

out = Path(output_dir) if output_dir else nt.paths.reports_dir() / "explore"
out.mkdir(parents=True, exist_ok=True)
pd.set_option("display.precision", 3)

# %% [markdown]
# ## Load and tag

# %%
data = data or str(nt.paths.sample_corpus())
loaded = nt.load_source(data, kind=kind, column_map=column_map, tz=timezone,
                        timestamp_format=timestamp_format, variant=variant)
if labels:
    loaded = nt.labels.apply_to_result(loaded, labels)
if classifier and loaded.kind == "posts":
    loaded = nt.classify.tag_posts(loaded, classifier, categories or None)
chosen = nt.reporting.choose_categories(categories, labels, classifier)
view = nt.explore.election_view(loaded, election, chosen, freq=freq, before_days=before_days,
                                after_days=after_days, baseline=baseline, alpha=alpha,
                                complete_feed=complete_feed, min_share=min_share)
display(nt.reporting.summary_table(nt.reporting.data_summary(loaded, view.series), lang))

# %% [markdown]
# ## Trends per category, election phases shaded

# %%
figures = {}
for measure in nt.reporting.figure_measures(view.series):
    fig = nt.plots.small_multiples(view.series, view.windows, measure=measure,
                                   title=nt.reporting.figure_title(view.election, data, measure,
                                                                   lang))
    figures[measure] = nt.plots.save_figure(fig, out / "figures", f"categories_{measure}")
    display(Image(filename=str(figures[measure][0])))

# %% [markdown]
# ## Rate ratios against the baseline

# %%
display(view.ratios().set_index(["category", "window"]))
for comparison in view.comparisons:
    display(HTML(nt.reporting.sentences_html(nt.text.comparison_sentences(comparison, lang))))

# %% [markdown]
# ## Example items per category and phase, with why each was tagged

# %%
reason = (nt.examples.lexicon_reason(nt.classify.make_backend("lexicon"), lang)
          if classifier == "lexicon" else None)
items = nt.examples.example_items(loaded.data, view.series.categories, view.windows,
                                  per_window=examples_per_window, seed=seed, why=reason,
                                  lang=lang) if loaded.kind == "posts" else pd.DataFrame()
display(HTML(nt.examples.examples_html(items, lang)))

# %%
# Interactive drill-down: in JupyterLab with ipywidgets installed (a rendered page has no kernel
# behind it, so runs by the runner, which sets output_dir, skip it)
widgets = nt.explore.optional_widgets()
if widgets is not None and loaded.kind == "posts" and output_dir is None:
    display(widgets.interactive(
        nt.explore.example_view, data=widgets.fixed(loaded.data),
        windows=widgets.fixed(view.windows), category=view.series.categories,
        window=list(view.windows["window"]), per_window=widgets.IntSlider(5, 1, 20),
        seed=widgets.fixed(seed), why=widgets.fixed(reason), lang=widgets.fixed(lang)))

# %% [markdown]
# ## Two elections side by side

# %%
views = [view]
if compare_election:
    other = nt.explore.election_view(loaded, compare_election, chosen, freq=freq,
                                     before_days=before_days, after_days=after_days,
                                     baseline=baseline, alpha=alpha,
                                     complete_feed=complete_feed, min_share=min_share)
    views.append(other)
    display(nt.explore.side_by_side(view, other))
    rows = pd.concat([nt.plots.forest_rows(nt.explore.as_metrics(v)) for v in views],
                     ignore_index=True)
    fig = nt.plots.forest(rows)
    figures["side_by_side"] = nt.plots.save_figure(fig, out / "figures", "side_by_side")
    display(Image(filename=str(figures["side_by_side"][0])))

# %% [markdown]
# ## A claim, checked on this corpus

# %%
if claim:
    claim_info = nt.claims.get_claim(claim)
    checks = {category: nt.claims.check_claim(
        view.series, category, view.windows, direction=claim_info.direction,
        phase=claim_info.phase, baseline=claim_info.baseline, alpha=alpha, seed=seed)
        for category in view.series.categories}
    display(pd.DataFrame(checks).T[["verdict", "estimate", "ci_low", "ci_high", "placebo_p",
                                    "mde"]])

# %% [markdown]
# ## Export the numbers on screen

# %%
exported = nt.explore.export_view(out / "export", views)
display(pd.DataFrame({"file": [str(p.relative_to(out)) for p in exported]}))
nt.runner.record_metrics(nt.explore.metrics(views, items, exported, out), out);
