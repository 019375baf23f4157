"""sources, parsing and store (and the summary command) never import Textual."""

from __future__ import annotations

import subprocess
import sys


def test_core_layers_do_not_import_textual():
    code = (
        "import sys, pkgutil, importlib, vivtui.sources, vivtui.parsing, vivtui.store\n"
        "for pkg in (vivtui.sources, vivtui.parsing, vivtui.store):\n"
        "    for m in pkgutil.iter_modules(pkg.__path__):\n"
        "        importlib.import_module(pkg.__name__ + '.' + m.name)\n"
        "import vivtui.ingest.feeds, vivtui.ingest.layout, vivtui.ingest.tailing, vivtui.summary, vivtui.safetext\n"
        "bad = sorted(n for n in sys.modules if n.split('.')[0] in ('textual', 'rich'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
