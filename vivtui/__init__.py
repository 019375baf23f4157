"""vivtui: a terminal live monitor for Vivarium runs."""

__version__ = "0.1.0"
