"""The tagging layer."""
