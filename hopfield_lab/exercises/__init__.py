"""Self-checks for the exercises, one module per notebook: each says what is right, or what is
wrong and why.

A check calls the student's function on cases of its own, compares with what the physics
requires, prints one line per finding (``✓`` or ``✗``) and returns True only if all pass.
It never raises: an unfinished exercise (``NotImplementedError``) is reported as such.
Notebooks call them as ``hl.exercises.check_<name>(<the student's function>)``.
"""
from .nb00 import *  # noqa: F401,F403
from .nb01 import *  # noqa: F401,F403
from .nb04 import *  # noqa: F401,F403
from .nb05 import *  # noqa: F401,F403
from .nb06 import *  # noqa: F401,F403
from .nb07 import *  # noqa: F401,F403
from .nb08 import *  # noqa: F401,F403
from .nb09 import *  # noqa: F401,F403
