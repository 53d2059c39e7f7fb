"""Version numbers that key stored results.

``PIPELINE_VERSION`` is part of every run's content key: bump it (and say why in the commit)
whenever a change alters what a run computes — labels, map, confidence, metrics or saved
models. Comments, refactors and speed-ups that keep results identical leave it alone, so
stored runs stay reusable.
"""

__version__ = "0.1.0"

PIPELINE_VERSION = 3
"""2: deep-method settings (``RunConfig.options``) became part of the config; TEMI's
temperatures (0.2/0.1) and its teacher EMA on short runs changed."""
