"""hedgesim: an agent-based model of Seoul's alignment between Washington and Beijing."""

__version__ = "0.1.0"
