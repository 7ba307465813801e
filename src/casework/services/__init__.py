"""Use cases: one module per command (log, advance, assign, sweep, ...), each one transaction."""
