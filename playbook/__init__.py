"""Publish a service business's cycle of customer interaction as a searchable website."""

__version__ = "0.1.0"
