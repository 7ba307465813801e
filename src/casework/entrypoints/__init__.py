"""Entrypoints: the CLI now; the REST API and web UI later. Only these read the wall clock."""
