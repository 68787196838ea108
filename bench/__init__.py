"""Benchmarks behind every speed claim: `make bench` runs them all (bench/run_all.py)
and rewrites docs/performance.md; `python -m bench.run_all --tiny` runs each once at
a tiny size with budgets off, so none of them rots. Budgets: bench/budgets.toml."""
