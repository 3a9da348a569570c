"""Benchmarks for Patron: a data generator (``bench.generate``) and the benchmarks that use it
(``bench.grid``). Not part of the test suite: run them by hand, see ``docs/performance.md``."""
