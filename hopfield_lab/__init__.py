"""hopfield_lab: the helper package of the hopfield-lab course.

Modules, one job each: ``device`` (where torch runs, problem sizes, honest timers),
``patterns`` (random and image patterns, probes at overlap m0), ``dynamics`` (the fast
exact engine), ``dense`` (the paper's plain dense algorithm, the yardstick),
``measure`` (overlap, Hamming distance, energy), ``plots``, ``animation`` (movies of recall), ``theory``, ``claims``, ``exercises``,
``learning`` (Hebb, Storkey and projection rules), ``dense_memory`` (dense associative memories and
the continuous modern Hopfield network);
the engine is split by job: ``rng`` (random streams), ``rules`` (update rules), ``fields``
(exact arithmetic and its optimisations), ``trajectory`` (records), ``memory`` (sizing), ``dynamics`` (the loop).
"""
__version__ = "0.1.0"

from . import course
from .device import by_profile, hardware, pick_device, timer
from .dynamics import evolve, simulate
from .trajectory import Trajectory
from .patterns import corrupt, random_patterns

__all__ = ["__version__", "course", "Trajectory", "by_profile", "corrupt", "evolve", "hardware", "pick_device",
           "random_patterns", "simulate", "timer"]
