"""Adapters: the database, definition files, the holiday calendar — everything with I/O."""
