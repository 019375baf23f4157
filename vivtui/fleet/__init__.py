"""Several runs at once: the overview's runs, and how they are followed."""
