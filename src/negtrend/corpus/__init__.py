"""A corpus at any size, reduced to what the statistics need: posts per day and category.

The data stage (read -> quarantine -> tag -> count -> example items) runs on an engine:

- ``pandas``: the whole corpus in memory (:mod:`negtrend.data.loading`); small data, tests,
  and the interactive drill-down, which needs every post;
- ``duckdb``: streamed in batches through worker processes into a tagged-corpus cache
  (Parquet), counted by SQL ``GROUP BY`` out of core; memory stays flat as the corpus grows;
- ``dask``: the same per-file work on a Dask cluster, only small tables coming back;
- ``auto``: pandas below :data:`negtrend.corpus.engines.AUTO_BYTES` of input, DuckDB above.

Every engine gives the same daily counts, quarantine and examples (tests/test_engines.py).
"""
