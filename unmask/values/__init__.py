"""Pure value functions: one value in, one value out, no store, no engine.

Addresses (``address``), person names (``names``), names for sanctions screening
(``screen_names``, ``ofac_scale``), phones, e-mails and profile handles (``contact``),
countries (``country``), geography (``geo``) and the keyed MAC of sensitive values (``mac``).
This package is the leaf of the import graph: nothing here imports the engine or any stage,
so a worker process (a Spark executor) can run these as UDFs with only this package and its
libraries. ``udfs`` names each one the pipeline registers with the engine, with its types.
"""
