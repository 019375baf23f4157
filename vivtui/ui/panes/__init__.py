"""The panes: one module each, declared in ``registry``, all built on ``base``
(head, filter bar, row view) and its ``query`` (filters, search, hits)."""
