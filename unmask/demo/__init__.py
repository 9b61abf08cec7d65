"""The demo bundle generator (``unmask demo``), also used by the tests."""

from unmask.demo.generator import Truth, generate, truth_path

__all__ = ["Truth", "generate", "truth_path"]
