"""The demo bundle generator (``unmask demo``), also used by the tests."""

from unmask.demo.generator import Truth, generate

__all__ = ["Truth", "generate"]
