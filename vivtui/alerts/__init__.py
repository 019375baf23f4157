"""Alerts: the rules (``rules``), how an alert leaves vivtui (``deliver``), and
the headless ``vivtui watch`` (``watch``). No terminal UI here: the monitor
and ``watch`` use the same rules."""
