"""The run layer."""
