"""Benchmarks: scripts that print figures and a ratio to a baseline measured in the same run."""
