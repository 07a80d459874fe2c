"""Anxin's edge: HTTP API, auth, storage, the CLI. Settings are read here and passed down as plain
values."""
