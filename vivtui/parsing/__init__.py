"""Bytes to records: one module per file kind, pure functions that never raise."""
