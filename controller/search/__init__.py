"""Search methods: pure functions of (config, runs, n, rng) -> suggestions."""

# Importing the modules registers their methods (see base.register).
from sweepd.controller.search import grid, random_search  # noqa: F401
from sweepd.controller.search import bayes  # noqa: F401
