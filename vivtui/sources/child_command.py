"""The command that starts a Python process on one of vivtui's modules.

``python -m`` puts the working directory first on the module path: started
from a directory holding a ``vivtui`` folder (a copied run, an unpacked
archive, a checkout of another version), the child ran that folder's code,
not the installed vivtui's. ``-P`` (Python 3.11) leaves it out.
"""

from __future__ import annotations

import sys


def module_command(module: str) -> list[str]:
    return [sys.executable, "-P", "-m", module]
