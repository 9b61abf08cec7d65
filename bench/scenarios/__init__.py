"""An outside scenario suite: planted schemes and benign look-alikes, written from the contract."""

from bench.scenarios.generate import BENIGN, CLASSES, SCHEMES, generate

__all__ = ["BENIGN", "CLASSES", "SCHEMES", "generate"]
