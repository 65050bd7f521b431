"""The run layer: the pipeline, the notebook runner and sweeps."""

DEFAULT_KERNEL = "negtrend"  # the Jupyter kernel `make install` registers; here so that the
# command line can name it without importing the runner's dependencies
DEFAULT_MAX_RUNS = 500  # a sweep of more runs is refused unless --max-runs raises it
