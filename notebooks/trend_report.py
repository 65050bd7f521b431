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
sheet = None  # XLSX: the sheet to read (name or index), or "*" for all
column_map = {}  # canonical -> source column, e.g. {"text": "title", "timestamp": "date"}
preset = None  # a collection tool's format (config/formats/), e.g. "tweet-harvest"; None: detected
labels = {}  # pre-assigned labels, e.g. {"hoaks": "tag:SALAH|HOAX"}
classifier = None  # tag posts' text: "lexicon", or the folder of a trained model
variant = None  # for published series with conflicting releases
timezone = "Asia/Jakarta"
timestamp_format = None
election = "pemilu2019"
categories = []  # empty: every category in the data
freq = "M"  # D | W | M
complete_feed = None  # posts: None finds collection gaps; True: every empty day is 0
span_margin_days = 730  # analyse the windows +- this many days; None: all the data
before_days = None  # None: as long as the campaign
after_days = None  # None: as long as the campaign
baseline = "before"
min_share = 0.5  # a period belongs to a window holding more than this share of its days
alpha = 0.05
claim = None  # a claim id from config/claims.yaml, e.g. "komdigi_2024_11_pilkada"
lang = "en"  # en | id (src/negtrend/report/lang/): the language of headings and sentences
its_at_voting = False  # interrupted time series: a second break at voting day
placebo_step = None  # days between placebo dates; None: 7 (daily/weekly) or 30 (monthly)
power_method = "auto"  # auto | analytic | simulate: how the minimum detectable effect is got
power_simulations = 100  # simulations per ratio when simulated; 0: no power at all
examples_per_window = 3  # example items shown per category and window (posts only)
tagging_error = {}  # category -> {"precision", "recall", "n_precision", "n_recall"}, from
# `negtrend evaluate --gold` or entered by hand: shares are corrected for tagging error
seed = 0
engine = "auto"  # auto | pandas | duckdb | dask: how a posts corpus is read (docs/scale.md)
scheduler = None  # dask: tcp://HOST:PORT, or "local"
memory_limit = None  # duckdb: e.g. "2GB" (default 1GB)
spill_dir = None  # duckdb: a folder to spill to beyond the memory limit
keep_going = False  # a corpus file that cannot be read is named and skipped
output_dir = None  # set by the runner; None: reports/interactive

# %%
from IPython.display import display

from negtrend.report import sections
from negtrend.run import pipeline

report = pipeline.trend_report(pipeline.ReportParams.from_namespace(globals()))
display(*sections.heading(report.election, data, lang))

# %%
display(*sections.finding(report.finding, lang))

# %%
display(*sections.data(report.summary, lang))

# %%
display(*sections.windows(report.windows, lang))

# %%
display(*sections.trend(report.figures, lang))

# %%
display(*sections.window_tables(report.comparisons, lang))

# %%
display(*sections.ratios(report.comparisons, report.adjusted, lang))

# %%
display(*sections.result(report.comparisons, lang))

# %%
display(*sections.estimator("its", report.effects, report.figures, lang))

# %%
display(*sections.estimator("event_study", report.effects, report.figures, lang))

# %%
display(*sections.estimator("placebo", report.effects, report.figures, lang))

# %%
display(*sections.estimator("changepoints", report.effects, report.figures, lang))

# %%
display(*sections.power(report.effects, lang))

# %%
display(*sections.claim(report.claim, report.claim_comparisons, report.claim_checks, lang))

# %%
display(*sections.examples(report.examples, report.prepared.loaded.kind, lang))

# %%
display(*sections.tagging_error(report.corrected, lang))

# %%
display(*sections.limitations(report.limitations, lang))
