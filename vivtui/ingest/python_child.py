"""The command that starts a module of vivtui in a Python process of its own
(a backlog read apart, a summary's group of files, ``vivtui serve``'s monitor).

``python -m`` puts the working directory first on the module path: started
from a directory holding a ``vivtui`` folder (a copied run, an unpacked
archive, a checkout of another version), the child ran that folder's code,
not the installed vivtui's. ``-P`` (Python 3.11) leaves it out.
"""

from __future__ import annotations

import sys


def module_command(module: str) -> list[str]:
    return [sys.executable, "-P", "-m", module]
