"""Benchmarks: `make bench` (or `python -m bench`) runs every module here and prints one table.

A benchmark module is any `bench/<name>.py` whose name does not start with an underscore and which
defines `run(options) -> list[bench._common.Measurement]`; it may define `add_arguments(parser)`
for options of its own. Each measurement runs in a subprocess of its own (`bench._common.measure`),
so that its peak memory is its own. Benchmarks use the configured database (DATABASE_URL): point
them at a database made for them, never at production.
"""
