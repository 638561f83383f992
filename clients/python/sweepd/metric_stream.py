"""One run's metric batches over a `ReportMetrics` stream (proto/sweepd/v1/metric_service.proto).

The SDK sends a run's points on one long-lived stream rather than a
`ReportMetricsOnce` call per batch: a message on an open stream costs the
controller and the client far less than a whole call (bench/README.md, "metric
transport": with one point a batch, about a third of the controller's CPU per
point), and a run that logs one point a second sends one batch a second.

`MetricStream.report(batch)` writes the batch and waits for its ack, in order, so
the caller (`sweepd.run.MetricSender`) sees the same contract as the unary call:
an ack, or a domain error (sweepd.status) it may retry. The stream is opened on the
first batch and again after any error; a batch whose ack did not arrive may have
been stored, and resending it is safe (the controller acknowledges a seq it already
stored as a duplicate and stores nothing twice). An ack that does not come within
the client's timeout cancels the stream and raises Unavailable, as the unary call's
deadline did, so a stuck controller never holds a run's points forever.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Any

import grpc

from sweepd import convert
from sweepd.domain import MetricBatch, Unavailable
from sweepd.retry import Retry, retrying
from sweepd.status import error_from

log = logging.getLogger(__name__)

_END = object()  # ends the request iterator: the stream is half-closed
WATCH_EVERY_S = 0.25


class _Requests:
    """The stream's request iterator: the batches put in it, until _END."""

    def __init__(self) -> None:
        self.queue: queue.SimpleQueue = queue.SimpleQueue()

    def __iter__(self) -> "_Requests":
        return self

    def __next__(self) -> Any:
        item = self.queue.get()
        if item is _END:
            raise StopIteration
        return item


class MetricStream:
    """A run's ReportMetrics stream over a `sweepd.client.Client`; one caller thread."""

    def __init__(self, client: Any, *, ack_timeout: float | None = None):
        self.client = client
        self.ack_timeout = client.timeout if ack_timeout is None else ack_timeout
        self._lock = threading.Lock()
        self._requests: _Requests | None = None
        self._call: Any = None
        self._waiting_since: float | None = None  # a batch awaits its ack since then
        self._timed_out = False
        self._closed = threading.Event()
        self._watchdog: threading.Thread | None = None
        self.opened = 0  # streams opened so far (one, unless errors broke some)

    def report(self, batch: MetricBatch) -> Any:
        """The batch's MetricAck (proto); retried as Client.call retries a unary call."""
        return retrying(lambda: self._report_once(convert.batch_to_proto(batch)),
                        Retry(attempts=self.client.retries + 1))

    def _report_once(self, message: Any) -> Any:
        call, requests = self._open()
        with self._lock:
            self._waiting_since, self._timed_out = time.monotonic(), False
        requests.queue.put(message)
        try:
            return next(call)
        except grpc.RpcError as err:
            self._reset()
            if self._timed_out:
                raise Unavailable(f"controller at {self.client.address} did not acknowledge "
                                  f"a metric batch within {self.ack_timeout:g} s") from None
            if err.code() is grpc.StatusCode.CANCELLED:  # e.g. a controller shutting down:
                raise Unavailable(  # the batch may be resent (a duplicate is safe)
                    f"controller at {self.client.address} cancelled the metric stream") from None
            raise error_from(err, self.client.address, lease_call=True) from None
        except StopIteration:
            self._reset()
            raise Unavailable(f"controller at {self.client.address} ended the metric stream "
                              "without an ack") from None
        finally:
            with self._lock:
                self._waiting_since = None
                cancelled_late = self._timed_out
            if cancelled_late:  # the watchdog cancelled this call as its ack came in:
                self._reset()  # the next batch must not go on the cancelled call

    def _open(self) -> tuple[Any, _Requests]:
        with self._lock:
            if self._call is None:
                self._requests = _Requests()
                self._call = self.client.metrics.ReportMetrics(self._requests,
                                                               metadata=self.client.metadata)
                self.opened += 1
                if self._watchdog is None:
                    self._watchdog = threading.Thread(target=self._watch, daemon=True,
                                                      name="sweepd-metric-stream-watchdog")
                    self._watchdog.start()
            return self._call, self._requests

    def _reset(self) -> None:
        """Ends the current stream (after an error); the next batch opens another."""
        with self._lock:
            requests, call = self._requests, self._call
            self._requests, self._call = None, None
        if requests is not None:
            requests.queue.put(_END)
        if call is not None:
            call.cancel()

    def _watch(self) -> None:
        """Cancels the stream when an ack is later than ack_timeout."""
        while not self._closed.wait(WATCH_EVERY_S):
            with self._lock:
                call = self._call
                late = (call is not None and self._waiting_since is not None
                        and time.monotonic() - self._waiting_since > self.ack_timeout)
                if late:
                    self._timed_out = True
                    call.cancel()

    def close(self) -> None:
        """Ends the stream once every batch was acknowledged: the request side is
        closed, then the call cancelled (nothing is in flight), and the watchdog stops."""
        self._closed.set()
        self._reset()


__all__ = ["MetricStream"]
