"""casework: a workflow engine for denunciations, complaints and petitions on legal clocks."""

__version__ = "0.1.0"
