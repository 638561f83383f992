"""Search methods: pure functions of (config, runs, n, rng) -> suggestions."""
