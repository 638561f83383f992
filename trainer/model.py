"""The two networks a trial can train: a one-hidden-layer MLP and a small CNN.

This module owns the architectures only; both take ``(n, 1, 28, 28)`` images
and return ``(n, 10)`` logits.
"""

from __future__ import annotations

from torch import nn


def build_model(name: str, fc_layer_size: int, dropout: float) -> nn.Module:
    """``"mlp"``: 784 -> fc_layer_size -> ReLU -> dropout -> 10.

    ``"cnn"``: two 3x3 conv blocks (32 and 64 channels, ReLU, 2x2 max-pool),
    dropout, a hidden fc layer of ``fc_layer_size`` with ReLU, dropout, -> 10.
    """
    if name == "mlp":
        return nn.Sequential(
            nn.Flatten(),
            nn.Linear(28 * 28, fc_layer_size),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(fc_layer_size, 10),
        )
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),   # 32 x 14 x 14
            nn.Conv2d(32, 64, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 64 x 7 x 7
            nn.Flatten(),
            nn.Dropout(dropout),
            nn.Linear(64 * 7 * 7, fc_layer_size),
            nn.ReLU(),
            nn.Dropout(dropout),
            nn.Linear(fc_layer_size, 10),
        )
    raise ValueError(f"unknown model {name!r}; expected 'mlp' or 'cnn'")
