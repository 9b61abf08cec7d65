"""Unmask: find remote workers who are not who they say they are."""

__version__ = "0.1.0"
