"""Program mode: ``python -m sweepd.trainer [--device D] [--data-dir DIR] [--name=value ...]``.

This module owns the command line. Under a sweepd agent, hyperparameters come
from ``sweepd.init().config`` (the agent passes them through the environment)
and metrics go to the run. Standalone (no agent, or ``--standalone``), they
come from ``--name=value`` arguments and each ``log`` call prints one JSON
line on stdout; SIGTERM or Ctrl-C stops training cleanly between batches.

Exit status: 0 when the trial finished or was stopped, 2 for an invalid
parameter or argument, 1 when MNIST could not be prepared. Those errors are
one line on stderr, without a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from typing import Any

from .mnist_files import DataUnavailable
from .params import InvalidParameter


def main(argv: list[str] | None = None) -> int:
    args, extra = _parser().parse_known_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(name)s: %(message)s")
    try:
        cli_params = parse_cli_params(extra)
        run = None if args.standalone else _open_run()
        if run is None:
            _run_standalone(cli_params, args)
        else:
            with run:  # an exception marks the run failed, then reaches us below
                _run_under_agent(run, cli_params, args)
    except InvalidParameter as exc:
        print(f"sweepd.trainer: {exc}", file=sys.stderr)
        return 2
    except DataUnavailable as exc:
        print(f"sweepd.trainer: {exc}", file=sys.stderr)
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sweepd.trainer", allow_abbrev=False,
        description="Train one MNIST model for a sweepd sweep. Hyperparameters come "
                    "from the agent, or standalone from --name=value arguments.")
    parser.add_argument("--device", default="auto", help="auto (default: CUDA if available), cpu or cuda[:N]")
    parser.add_argument("--data-dir", default=None,
                        help="MNIST cache (default $SWEEPD_DATA_DIR or ~/.cache/sweepd/mnist)")
    parser.add_argument("--standalone", action="store_true",
                        help="do not look for a sweepd agent; log JSON lines to stdout")
    return parser


def parse_cli_params(extra: list[str]) -> dict[str, Any]:
    """``--name=value`` / ``--name value`` -> dict; values read as JSON, else as strings."""
    params: dict[str, Any] = {}
    i = 0
    while i < len(extra):
        arg = extra[i]
        if not arg.startswith("--") or arg == "--":
            raise InvalidParameter(f"unexpected argument {arg!r}; hyperparameters are --name=value")
        name, eq, value = arg[2:].partition("=")
        if not eq:
            if i + 1 >= len(extra):
                raise InvalidParameter(f"--{name} needs a value (--{name}=value)")
            value, i = extra[i + 1], i + 1
        params[name.replace("-", "_")] = _cli_value(value)
        i += 1
    return params


def _cli_value(text: str) -> Any:
    try:
        return json.loads(text)  # 0.01, 128, 1e-3, null
    except ValueError:
        return text  # adam, mlp


def _open_run():
    """The sweep run this process was started for, or None when there is none."""
    try:
        import sweepd
        init = sweepd.init
    except (ImportError, AttributeError) as exc:
        print(f"sweepd.trainer: no sweepd SDK ({exc}); running standalone", file=sys.stderr)
        return None
    try:
        return init()
    except Exception as exc:  # noqa: BLE001 - the SDK's "no agent here" error is not ours to name
        print(f"sweepd.trainer: not under a sweepd agent ({exc}); running standalone", file=sys.stderr)
        return None


def _run_under_agent(run, cli_params: dict[str, Any], args: argparse.Namespace) -> None:
    from .loop import run_trial

    params = {**cli_params, **run.config}  # the sweep's values win over the command line
    run_trial(params, log=run.log, should_stop=lambda: run.should_stop,
              device=args.device, data_dir=args.data_dir)


def _run_standalone(params: dict[str, Any], args: argparse.Namespace) -> None:
    from .loop import run_trial

    # On a terminal, clear the progress bar's line first; it redraws itself.
    clear = "\r\x1b[K" if sys.stdout.isatty() and sys.stderr.isatty() else ""

    def log_line(values: dict, step: int) -> None:
        print(clear + json.dumps({"step": step, **values}), flush=True)

    with _StopOnSignal() as stop:
        run_trial(params, log=log_line, should_stop=stop, device=args.device, data_dir=args.data_dir)


class _StopOnSignal:
    """While entered: SIGTERM or a first Ctrl-C make it return True (a second Ctrl-C kills)."""

    def __init__(self) -> None:
        self.requested = False
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> "_StopOnSignal":
        for signum in (signal.SIGTERM, signal.SIGINT):
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *exc_info) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    def _handle(self, signum, frame) -> None:
        self.requested = True
        signal.signal(signal.SIGINT, signal.default_int_handler)  # no logging here: not signal-safe

    def __call__(self) -> bool:
        return self.requested


def exit_now(code: int) -> None:
    """Exit without tearing the interpreter down: with torch and torchvision loaded that
    takes about a second of CPU, paid between every two runs of a program-mode sweep.
    Only after `main` returned: the run is finished (its metrics flushed) by then."""
    sys.stdout.flush()
    sys.stderr.flush()
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    exit_now(main())
