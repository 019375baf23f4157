"""From a run's files to batches of records, without Textual: which files a run
has (``layout``), one file kind read and parsed (``feeds``), and the loops that
follow every file of a live run (``tailing``)."""
