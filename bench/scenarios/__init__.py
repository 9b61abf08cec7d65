"""A labelled scenario suite, written apart from ``unmask demo`` (issue 13 §6).

The demo and the signals were written together, so the demo says only that they agree. This
generator builds a fictional company from the bundle contract (docs/bundle.md) and the
indicator notes (docs/indicators.md): planted schemes *and* every benign look-alike the notes
list, each as its own labelled class. What a signal's author could not know is varied and held
out: every value that can be written several ways (countries, street suffixes and
directionals, ZIP+4, phone formats, e-mail case and dots, date layouts) comes from one of two
disjoint *variant families*. A bundle is generated with family ``A`` or ``B``; ``A`` is the
development family, ``B`` is reported separately as the held-out one.

``python -m bench.evaluate_scenarios`` scans generated bundles and reports the figures.
"""

from bench.scenarios.generator import CLASSES, Truth, generate

__all__ = ["CLASSES", "Truth", "generate"]
