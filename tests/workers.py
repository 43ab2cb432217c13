"""Real processes for fault tests: Celery workers (with or without beat) and a throwaway Redis server.

Only for tests marked `integration`, which need PostgreSQL and a redis:// broker: the worker must share
the test database, and a worker killed with SIGKILL must leave real unacknowledged messages behind.
"""

import os
import shutil
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

TIMEOUT_SECONDS = 60


def require_real_services() -> None:
    if not settings.CELERY_BROKER_URL.startswith("redis://") or connection.vendor != "postgresql":
        pytest.skip("needs CELERY_BROKER_URL=redis://... and DATABASE_URL=postgres://...")


def database_url() -> str:
    """The URL of the test database this process uses, for the worker to use too."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    host = f"{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}"
    return f"postgres://{credentials}@{host}/{db['NAME']}"


class Worker:
    """A `celery worker` process (solo pool: one process, so SIGKILL kills the task mid-flight)."""

    def __init__(self, log_path, broker_url: str, beat: bool = False, **env):
        self.log_path = log_path
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "--loglevel=INFO"]
        command += ["-n", f"{log_path.stem}@%h", "--without-gossip", "--without-mingle"]
        if beat:
            command += ["-B", "-s", str(log_path.with_suffix(".beat"))]
        environment = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **{name: str(value) for name, value in env.items()},
        }
        with log_path.open("ab") as output:
            self.process = subprocess.Popen(
                command, cwd=settings.BASE_DIR, env=environment, stdout=output, stderr=subprocess.STDOUT
            )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, no cleanup, as when a machine dies."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def workers():
    """Start workers with `start(...)`; every one still running is stopped at the end."""
    started = []

    def start(log_path, broker_url=None, **options) -> Worker:
        worker = Worker(log_path, broker_url or settings.CELERY_BROKER_URL, **options)
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


class RedisServer:
    """A throwaway redis-server on its own port, which a test may stop and start again."""

    def __init__(self, port: int, log_path):
        self.port, self.log_path, self.process = port, log_path, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if shutil.which("redis-server") is None:
            pytest.skip("needs the redis-server program (Debian package redis-server)")
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no"]
        with self.log_path.open("ab") as output:
            self.process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        wait_for(self._answers, "redis-server to start", timeout=10)

    def _answers(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.port, socket_connect_timeout=0.5).ping()
        except redis.exceptions.ConnectionError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def wait_for(condition, what: str, timeout: float = TIMEOUT_SECONDS, explain=lambda: "") -> None:
    """Poll `condition` until it holds; fail naming `what` (and the worker's log) after `timeout`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"Timed out after {timeout} s waiting for {what}.\n{explain()}")


def forget_unacknowledged_messages(broker_url: str) -> None:
    """Drop the messages a killed worker left unacknowledged in this test's Redis database, so a later
    run's worker never receives them. Only kombu's own keys of the test's database are touched."""
    import redis

    client = redis.Redis.from_url(broker_url)
    client.delete("unacked", "unacked_index", "unacked_mutex", "celery")
