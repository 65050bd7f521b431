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
from IPython.display import display

from negtrend.report import sections
from negtrend.run import pipeline

across = pipeline.cross_election(reports_dir, window, lang, output_dir)
display(*sections.cross_election_intro(len(across.runs), window, lang))

# %%
display(*sections.figure(across.figures, "forest"))

# %%
display(*sections.cross_election_rows(across.rows, lang))
