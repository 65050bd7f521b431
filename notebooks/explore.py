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
sheet = None  # XLSX: the sheet to read (name or index), or "*" for all
column_map = {}  # {}: the bundled sample's own map when data is None, else none (the header or preset says)
preset = None  # a collection tool's format (config/formats/), e.g. "tweet-harvest"; None: detected
labels = {}  # pre-assigned labels, e.g. {"hoaks": "tag:SALAH|HOAKS"}
classifier = "lexicon"  # tag posts' text: "lexicon", a trained model folder, or None
variant = None
timezone = "Asia/Jakarta"
timestamp_format = None
election = "pemilu2024"
compare_election = "pilkada2024"  # shown side by side; None to skip
categories = ["hoaks", "pemilu"]  # empty: every category of the labels or classifier
freq = "W"  # D | W | M
complete_feed = None  # posts: None finds collection gaps; True: every empty day is 0
span_margin_days = 730  # analyse the windows +- this many days; None: all the data
before_days = None
after_days = None
baseline = "before"
min_share = 0.5
alpha = 0.05
claim = None
lang = "en"  # en | id
examples_per_window = 3
seed = 0
engine = "auto"  # auto | pandas | duckdb | dask: how a posts corpus is read (docs/scale.md)
scheduler = None  # dask: tcp://HOST:PORT, or "local"
memory_limit = None  # duckdb: e.g. "2GB" (default 1GB)
spill_dir = None  # duckdb: a folder to spill to beyond the memory limit
keep_going = False  # a corpus file that cannot be read is named and skipped
output_dir = None  # set by the runner; None: reports/explore

# %%
from IPython.display import display

from negtrend.report import explore, sections, tables
from negtrend.run import pipeline

corpus = pipeline.explore(pipeline.ExploreParams.from_namespace(globals()))
view = corpus.view
display(tables.summary_table(tables.data_summary(corpus.prepared.loaded, view.series), lang))

# %% [markdown]
# ## Trends per category, election phases shaded

# %%
display(*sections.figures_starting(corpus.figures, "categories_"))

# %% [markdown]
# ## Rate ratios against the baseline

# %%
display(*sections.view_ratios(view, lang))

# %% [markdown]
# ## Example items per category and phase, with why each was tagged

# %%
display(*sections.examples_table(corpus.examples, lang))

# %%
# Interactive drill-down: in JupyterLab with ipywidgets installed (a rendered page has no kernel
# behind it, so runs by the runner, which sets output_dir, show nothing here)
display(*corpus.drilldown())

# %% [markdown]
# ## Two elections side by side

# %%
if len(corpus.views) > 1:
    display(explore.side_by_side(*corpus.views[:2]), *sections.figure(corpus.figures,
                                                                        "side_by_side"))

# %% [markdown]
# ## A claim, checked on this corpus

# %%
if corpus.claim_checks is not None:
    display(corpus.claim_checks)

# %% [markdown]
# ## Export the numbers on screen

# %%
display(tables.file_table(corpus.exported, corpus.output_dir))
