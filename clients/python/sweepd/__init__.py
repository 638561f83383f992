"""sweepd: self-hosted hyperparameter sweeps."""
