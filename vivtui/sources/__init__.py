"""Files to complete lines: tailers, whole-file snapshots, change notices. Never writes."""
