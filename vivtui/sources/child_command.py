"""How vivtui starts a Python process of its own, and how it runs.

``python -m`` puts the working directory first on the module path: started
from a directory holding a ``vivtui`` folder (a copied run, an unpacked
archive, a checkout of another version), the child ran that folder's code,
not the installed vivtui's. ``-P`` (Python 3.11) leaves it out.
"""

from __future__ import annotations

import os
import sys

NICENESS = 19  # beside idle scheduling, where that is not to be had (``lowered``)


def module_command(module: str) -> list[str]:
    return [sys.executable, "-P", "-m", module]


def lowered(pid: int = 0) -> None:
    """Process ``pid`` (0: this one) runs on what the cores have left over
    (``SCHED_IDLE``): the screen, and the terminal that shows it (tmux,
    sshd), first."""
    try:
        os.setpriority(os.PRIO_PROCESS, pid, NICENESS)
        os.sched_setscheduler(pid, os.SCHED_IDLE, os.sched_param(0))
    except (OSError, AttributeError):  # gone already, or not on this system
        pass
