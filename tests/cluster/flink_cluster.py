"""A Flink session cluster for tests: deploy/local/flink on free ports in a folder of its own, read through
Flink's REST API.

The cluster is the operators' own script (a JobManager, two TaskManagers and the SDK worker pool, each its
own process), started with ports no other test or helper uses, so several can run on one machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import REPO, free_port

FLINK_SCRIPT = REPO / "deploy" / "local" / "flink"
JOB_SERVER_SCRIPT = REPO / "deploy" / "local" / "flink-job-server"


@dataclass(frozen=True, slots=True)
class Subtask:
    """Where one parallel instance of a job's vertex runs."""

    vertex: str
    index: int
    taskmanager: str
    status: str


class LocalFlink:
    """deploy/local/flink with its own ports and state folder; every command waits for what it says."""

    def __init__(self, state_dir: Path, *, python: str = sys.executable) -> None:
        self.rest_port = free_port()
        self.pool_port = free_port()
        self.state_dir = state_dir
        self.env = {
            **os.environ,
            "FLINK_REST_PORT": str(self.rest_port),
            "FLINK_RPC_PORT": str(free_port()),
            "FLINK_WORKER_POOL_PORT": str(self.pool_port),
            "FLINK_PYTHON": python,  # the pool's workers run the interpreter of this test session
            "FLINK_STATE_DIR": str(state_dir),
        }

    @property
    def master(self) -> str:
        """``--flink_master`` for the job server."""
        return f"127.0.0.1:{self.rest_port}"

    @property
    def worker_pool(self) -> str:
        """``--environment_config`` of the jobs (the worker pool of the cluster)."""
        return f"127.0.0.1:{self.pool_port}"

    def command(self, *args: str, timeout: float = 300) -> str:
        done = subprocess.run(
            [str(FLINK_SCRIPT), *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"deploy/local/flink {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout + done.stderr

    def start(self) -> None:
        self.command("start", timeout=600)

    def stop(self) -> None:
        self.command("stop", timeout=180)

    def kill_taskmanager(self, n: int) -> None:
        self.command("kill-taskmanager", str(n))

    def start_taskmanager(self, n: int) -> None:
        self.command("start-taskmanager", str(n))

    def rest(self, path: str) -> Any:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.rest_port}{path}", timeout=10) as response:
            return json.loads(response.read())

    def jobs(self) -> list[dict[str, Any]]:
        return list(self.rest("/jobs/overview")["jobs"])

    def running_jobs(self) -> list[dict[str, Any]]:
        return [job for job in self.jobs() if job["state"] in ("CREATED", "RUNNING", "RESTARTING")]

    def job(self, job_id: str) -> dict[str, Any]:
        return dict(self.rest(f"/jobs/{job_id}"))

    def taskmanagers(self) -> list[str]:
        return sorted(tm["id"] for tm in self.rest("/taskmanagers")["taskmanagers"])

    def subtasks(self, job_id: str) -> list[Subtask]:
        """Every subtask of the job with the task manager it runs on (``/jobs/:id/vertices/:vid``)."""
        found = []
        for vertex in self.job(job_id)["vertices"]:
            detail = self.rest(f"/jobs/{job_id}/vertices/{vertex['id']}")
            for subtask in detail["subtasks"]:
                found.append(
                    Subtask(
                        vertex=vertex["name"],
                        index=subtask["subtask"],
                        taskmanager=subtask.get("taskmanager-id", subtask.get("host", "")),
                        status=subtask["status"],
                    )
                )
        return found

    def cancel_all(self) -> None:
        if (self.state_dir / "jobmanager.pid").exists():
            self.command("cancel")

    def completed_checkpoints(self, job_id: str) -> int:
        return int(self.rest(f"/jobs/{job_id}/checkpoints")["counts"]["completed"])

    def restored_checkpoint(self, job_id: str) -> dict[str, Any] | None:
        """The checkpoint the job last restored from (None: it never restored)."""
        latest = self.rest(f"/jobs/{job_id}/checkpoints")["latest"]
        restored = latest.get("restored")
        return dict(restored) if restored else None

    def exceptions(self, job_id: str) -> list[str]:
        """The root exceptions of the job's failures, newest first (``/jobs/:id/exceptions``)."""
        history = self.rest(f"/jobs/{job_id}/exceptions")["exceptionHistory"]["entries"]
        return [
            str(entry["exceptionName"]) + ": " + str(entry["stacktrace"]).splitlines()[0] for entry in history
        ]

    def log_tail(self, name: str, lines: int = 60) -> str:
        path = self.state_dir / "log" / f"{name}.log"
        if not path.exists():
            return f"({path} missing)"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def fetch_job_server(beam_version: str) -> str:
    """The Flink job server of ``beam_version`` (fetched into the cache once); fails with the script's words."""
    fetched = subprocess.run(
        [str(JOB_SERVER_SCRIPT), "fetch"],
        env={**os.environ, "BEAM_VERSION": beam_version},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if fetched.returncode != 0:
        raise RuntimeError(f"no Flink job server for Beam {beam_version}:\n{fetched.stderr.strip()}")
    return fetched.stdout.strip().splitlines()[-1]
