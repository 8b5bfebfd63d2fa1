"""Performance benchmark at one million awards: `python -m benchmarks --help`."""
