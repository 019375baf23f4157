"""Records to the models users think in; bounded buffers; filters. Textual-free."""
