"""campaignsync: checked, reproducible packs for joint awareness campaigns."""

__version__ = "0.1.0"
