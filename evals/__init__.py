"""Eval suites: YAML cases of client turns with expectations, a runner, and reports."""
