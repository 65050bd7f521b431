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
reports_dir = None  # the folder of earlier runs; None: reports/
window = "campaign"  # the window compared with each run's baseline
lang = "en"  # en | id
output_dir = None  # set by the runner; None: reports/cross_election

# %%
from pathlib import Path

import pandas as pd
from IPython.display import HTML, Image, display

import negtrend as nt

out = Path(output_dir) if output_dir else nt.paths.reports_dir() / "cross_election"
out.mkdir(parents=True, exist_ok=True)
source = Path(reports_dir) if reports_dir else nt.paths.reports_dir()
records = nt.reporting.trend_runs(source)
display(HTML(nt.reporting.cross_election_intro_html(len(records), window, lang)))

# %%
rows = nt.reporting.cross_election_rows(records, window)
fig = nt.plots.forest(rows)
figures = {"forest": nt.plots.save_figure(fig, out / "figures", f"forest_{window}")}
display(Image(filename=str(figures["forest"][0])))

# %%
display(HTML(nt.reporting.section_html("result", lang)))
display(rows.drop(columns=["label"]).set_index(["election", "category"]))

# %%
nt.runner.record_metrics(nt.reporting.cross_election_metrics(rows, window, lang, out, figures),
                         out);
