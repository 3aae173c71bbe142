"""The benchmark: `./dev bench` (see benchmarks/README.md)."""
