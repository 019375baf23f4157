"""Textual widgets and screens. The only layer that knows Textual exists."""
