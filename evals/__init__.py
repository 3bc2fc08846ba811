"""The evaluation harness: data sets with licences, suites that run them against the real components,
metrics, run folders with reports, comparison of two runs, and a threshold gate for CI."""
