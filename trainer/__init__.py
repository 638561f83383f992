"""The PyTorch MNIST trial that sweeps run, driven by the sweepd SDK.

This package owns one trial: offline MNIST data (``mnist_files``, ``data``),
the networks (``model``), the hyperparameters (``params``) and the training
loop (``loop.run_trial``, which knows nothing of the SDK). Two ways in:

* function mode: an agent calls ``sweepd.trainer.train()`` in its own process;
* program mode: ``python -m sweepd.trainer [--device auto|cpu|cuda] [--data-dir DIR]``.

torch and the SDK are imported only when a trial runs, so importing this
package is cheap and works before either is installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .loop import TrialResult

__all__ = ["train"]


def train(*, device: str = "auto", data_dir: Path | str | None = None,
          progress: bool | None = None) -> "TrialResult":
    """Run one trial for the current sweep run (function mode).

    Hyperparameters come from ``sweepd.init().config``; metrics go to
    ``run.log``; a stop from the controller ends training between batches and
    the run still finishes cleanly. An exception (an invalid parameter, say)
    propagates after the SDK has marked the run failed.
    """
    import sweepd

    from .loop import run_trial

    with sweepd.init() as run:
        return run_trial(run.config, log=run.log, should_stop=lambda: run.should_stop,
                         device=device, data_dir=data_dir, progress=progress)
