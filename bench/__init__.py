"""Benchmarks that print numbers (`make bench`); correctness lives in the tests."""
