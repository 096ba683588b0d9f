"""The SDK worker pool of the local Flink cluster: Python SDK worker processes, started when a task manager asks.

A Flink job submitted with ``--environment_type EXTERNAL --environment_config HOST:PORT`` runs its Python
DoFns in SDK workers that a worker pool at HOST:PORT starts: each task manager asks it to start a worker
connected to the task manager's control endpoint, and to stop it when the task manager is done with it.
Beam's own pool (``apache_beam.runners.worker.worker_pool_main``, the SDK image's ``--worker_pool``) serves
one task manager, as the sidecar of its pod (deploy/k8s). The local cluster (deploy/local/flink) runs one
pool for all of its task managers, which Beam's pool does not handle: it tells workers apart by their id
alone, and every task manager numbers its workers from "1-1", so one task manager's stop would end another's
worker. This pool:

- keys each worker by the connection that asked for it and its id;
- listens on the address it is given (127.0.0.1 for the local cluster), never on every interface: whoever
  reaches it can make it run a job's code;
- starts workers with this very interpreter (Beam's runs whichever ``python`` is first on the PATH);
- leaves the workers' output on its own (Beam's pipes it and never reads it: a talkative worker would block);
- stops its workers when it stops (SIGTERM or SIGINT).

A worker whose task manager died (SIGKILL) loses its control connection and exits on its own; the pool
reaps it. Run it as ``python -m connectors.sdk_worker_pool --port 50000 [--host 127.0.0.1]``.
"""

from __future__ import annotations

import argparse
import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from concurrent import futures
from types import FrameType
from typing import Any

import grpc
from apache_beam.portability.api import beam_fn_api_pb2, beam_fn_api_pb2_grpc

log = logging.getLogger(__name__)

STOP_GRACE = 10.0  # seconds a worker gets to exit after SIGTERM before SIGKILL
REAP_EVERY = 5.0  # seconds between looks for workers that exited on their own


def worker_command(control_url: str, worker_id: str) -> list[str]:
    """The command of one SDK worker, connected to a task manager's control endpoint (as Beam's pool has it)."""
    script = (
        "from apache_beam.runners.worker.sdk_worker import SdkHarness; "
        f"SdkHarness({control_url!r}, worker_id={worker_id!r}, state_cache_size=0).run()"
    )
    return [sys.executable, "-c", script]


def stop_worker(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL after ``STOP_GRACE`` seconds; reaped either way."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_GRACE)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class SdkWorkerPool(beam_fn_api_pb2_grpc.BeamFnExternalWorkerPoolServicer):
    """Beam's worker pool service: ``StartWorker`` and ``StopWorker``, a process per worker."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._workers: dict[tuple[str, str], subprocess.Popen[bytes]] = {}

    def StartWorker(self, request: Any, context: grpc.ServicerContext) -> Any:  # named by the gRPC service
        key = (context.peer(), request.worker_id)
        try:
            process = subprocess.Popen(
                worker_command(request.control_endpoint.url, request.worker_id), stdin=subprocess.DEVNULL
            )
        except OSError as error:
            log.error("could not start SDK worker %s for %s: %s", request.worker_id, key[0], error)
            return beam_fn_api_pb2.StartWorkerResponse(error=f"could not start an SDK worker: {error}")
        with self._lock:
            earlier = self._workers.pop(key, None)
            self._workers[key] = process
        if earlier is not None:  # the same connection reuses an id only after its worker is gone
            stop_worker(earlier)
        log.info("started SDK worker %s for %s (pid %d)", request.worker_id, key[0], process.pid)
        return beam_fn_api_pb2.StartWorkerResponse()

    def StopWorker(self, request: Any, context: grpc.ServicerContext) -> Any:  # named by the gRPC service
        key = (context.peer(), request.worker_id)
        with self._lock:
            process = self._workers.pop(key, None)
        if process is not None:
            log.info("stopping SDK worker %s for %s (pid %d)", request.worker_id, key[0], process.pid)
            stop_worker(process)
        return beam_fn_api_pb2.StopWorkerResponse()

    def reap(self) -> None:
        """Forget the workers that exited on their own (their task manager is gone, or their job ended)."""
        with self._lock:
            gone = [(key, p) for key, p in self._workers.items() if p.poll() is not None]
            for key, _ in gone:
                del self._workers[key]
        for (peer, worker_id), process in gone:
            log.info("SDK worker %s for %s exited with %s", worker_id, peer, process.returncode)

    def stop_all(self) -> None:
        with self._lock:
            workers = list(self._workers.values())
            self._workers.clear()
        for process in workers:
            stop_worker(process)

    def __len__(self) -> int:
        with self._lock:
            return len(self._workers)


def serve(host: str, port: int) -> None:
    """Serve on ``host:port`` until SIGTERM or SIGINT, then stop every worker."""
    pool = SdkWorkerPool()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=16, thread_name_prefix="worker-pool"))
    beam_fn_api_pb2_grpc.add_BeamFnExternalWorkerPoolServicer_to_server(pool, server)
    if server.add_insecure_port(f"{host}:{port}") == 0:
        raise SystemExit(f"the worker pool cannot listen on {host}:{port}")
    stopping = threading.Event()

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping the worker pool and its %d worker(s)", signum, len(pool))
        stopping.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.start()
    log.info("Beam SDK worker pool listening on %s:%d (workers run %s)", host, port, sys.executable)
    while not stopping.wait(REAP_EVERY):
        pool.reap()
    server.stop(grace=None)
    pool.stop_all()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Beam SDK worker pool for the local Flink cluster")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, required=True)
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(options.host, options.port)


if __name__ == "__main__":
    main()
