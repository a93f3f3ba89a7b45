"""Reliability tooling: the seeded fuzz corpus, the coverage-guided fuzz target and the load script."""
