"""Consolidation (``xlperf merge``): discover and import many submissions (merge.py, in
isolated worker processes), flatten each into the rows of the consolidated tables
(flatten.py), build the tables (build.py), the consolidator's manifest (manifest.py) and
the one schema of the tables every output uses (tables.py).

Nothing is imported here: the writers import only ``tables`` and must not pull in the
import pipeline (the import-linter contract in pyproject.toml).
"""
