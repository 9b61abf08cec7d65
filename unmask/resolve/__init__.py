"""Person resolution: which records of the bundle are one person (``persons``, Splink).

Runs after normalise and before the signals, which read its ``person_matches``.
"""
