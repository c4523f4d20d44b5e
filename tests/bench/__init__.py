"""Benchmarks (`make bench`): figures and ratios against targets, never asserts."""
