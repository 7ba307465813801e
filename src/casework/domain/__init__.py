"""Plain-Python domain: calendars, deadline rules, clocks, lifecycles, the organisation.

Nothing in this package imports a framework (ORM, Prefect, CLI); import-linter enforces it.
"""
