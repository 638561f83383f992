"""Early-termination rules: pure functions of (config, runs) -> runs to stop."""

# Importing the modules registers their rules (see base.register).
from sweepd.controller.stopping import asha, hyperband, median  # noqa: F401
