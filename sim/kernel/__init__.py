"""The model's equations as numba kernels: one implementation, called by the Mesa agents.

Scalar functions hold each equation for one lane (:mod:`sim.kernel.powers` for the five powers,
:mod:`sim.kernel.choice` for Seoul, :mod:`sim.kernel.observe` for the observation model); lane loops
(:mod:`sim.kernel.lanes`) run them over every lane and write into the model's state table
(:mod:`sim.kernel.layout`). With ``NUMBA_DISABLE_JIT=1`` the same code runs as plain Python.
"""

from sim.kernel.cache import use_cache_dir

CACHE_DIR = use_cache_dir()
