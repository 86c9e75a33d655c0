"""hopfield_lab: the helper package of the hopfield-lab course.

Modules a student reads beside the notebooks, one meaning each: ``device`` (where torch runs,
problem sizes, honest timers), ``patterns`` (random patterns, digits, probes at overlap m0),
``update_rules`` (sync, async, hybrid, blocks, even-odd; ties; Glauber draws), ``dynamics``
(the engine's loop, its ``plain_step`` and ``simulate``), ``trajectory`` (records), ``sizing``
(how much memory a run needs), ``paper_algorithm`` ([V20]'s N x N algorithm, the yardstick),
``measure`` (overlap, Hamming distance, energy), ``plots``, ``animation`` (movies of recall),
``theory``, ``claims``, ``exercises``, ``learning_rules`` (Hebb, Storkey, projection),
``dense_associative`` (dense associative memories), ``modern_hopfield`` (the continuous modern
Hopfield network), ``param_sweep`` (cached parameter grids), ``rng`` (random streams).
The engine's optimisations live in ``hopfield_lab.fast``, switched by one argument
(``speedups``); instructor tooling in ``hopfield_lab.instructor``, which this does not import.
"""
__version__ = "0.1.0"

from . import course
from .device import by_profile, hardware, pick_device, timer
from .dynamics import evolve, simulate
from .trajectory import Trajectory
from .patterns import corrupt, random_patterns

__all__ = ["__version__", "course", "Trajectory", "by_profile", "corrupt", "evolve", "hardware", "pick_device",
           "random_patterns", "simulate", "timer"]
