"""Benchmarks (not part of the service)."""
