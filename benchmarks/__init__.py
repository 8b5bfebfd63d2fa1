"""Performance benchmark at one million awards (issue 6): `python -m benchmarks --help`."""
