"""Early-termination rules: StoppingRule classes (base.py), pure (config, runs) -> runs
to stop, each registered under its early_terminate.type."""

# Importing the modules registers their rules (see base.register).
from sweepd.controller.stopping import asha, hyperband, median  # noqa: F401
