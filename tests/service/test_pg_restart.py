"""PostgreSQL restarts under load: the service and the timer worker recover by themselves.

Runs a private PostgreSQL cluster (initdb + pg_ctl in a temporary folder, on a free port), never the
shared server other test runs use.
"""

from __future__ import annotations

import http.client
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from bench.http_client import HttpApi
from service.migrate import upgrade_database
from service.models import HumanTask, ProcessInstance, WorkerHeartbeat
from tests.conftest import DATA, deploy_dir, make_test_app

ROOT = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
SECRET = "pg-restart-" + "s" * 54


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Cluster:
    """A throw-away PostgreSQL cluster owned by the `postgres` system user when we are root."""

    folder: Path
    port: int = field(default_factory=_free_port)

    def _run(self, *args: str) -> None:
        command = [str(PG_BIN / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)  # noqa: S603

    def init(self) -> None:
        """Create and start the cluster."""
        self.folder.mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run("initdb", "-D", str(self.folder / "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def start(self) -> None:
        """Start the server and wait until it accepts connections."""
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self._run(
            "pg_ctl",
            "-D",
            str(self.folder / "data"),
            "-o",
            options,
            "-l",
            str(self.folder / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        """Stop the server at once, as a crash or a restart for maintenance would."""
        self._run("pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop")

    def url(self, database: str) -> str:
        """Return the SQLAlchemy URL of a database on this cluster."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A private cluster, or a skip saying why there cannot be one."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"no PostgreSQL server binaries in {PG_BIN}: the restart test needs its own cluster")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root without a `postgres` user to own a private cluster")
    base = Path(tempfile_dir())
    cluster = Cluster(base / "cluster")
    try:
        cluster.init()
    except (subprocess.CalledProcessError, OSError) as exc:
        pytest.skip(f"cannot start a private PostgreSQL cluster: {exc}")
    yield cluster
    try:
        cluster.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


def tempfile_dir() -> str:
    """A folder the `postgres` user can enter (pytest's tmp_path lives under root's private tree)."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="zhifa-pg-")
    os.chmod(folder, 0o755)  # noqa: S103  (a throw-away folder the postgres user must traverse)
    return folder


def _spawn(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def _load(api: HttpApi, stop: threading.Event, outcomes: list[tuple[float, int | str]]) -> None:
    """Start cases as fast as one client can, recording what each request answered."""
    token = api.token("officer1")
    while not stop.is_set():
        try:
            status, _ = api._raw(  # noqa: SLF001  (the bench client's raw call keeps every answer)
                "POST", "/api/v1/process-instances", {"process_key": "short_timer"}, token
            )
            outcomes.append((time.monotonic(), status))
        except OSError as exc:
            outcomes.append((time.monotonic(), type(exc).__name__))
            time.sleep(0.1)


@pytest.mark.slow
def test_service_and_timer_worker_recover_from_a_postgres_restart_under_load(
    cluster: Cluster, tmp_path: Path
) -> None:
    admin = create_engine(cluster.url("postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE zhifa"))
    admin.dispose()
    url = cluster.url("zhifa")
    upgrade_database(url)
    setup = make_test_app(url, tmp_path, FORMS_DIR=str(DATA / "acceptance" / "forms"), SECRET_KEY=SECRET)
    owner = setup.test_client().post(
        "/api/v1/auth/token", json={"username": "process_owner", "password": "process_owner"}
    )
    from tests.conftest import Api

    assert deploy_dir(Api(setup.test_client(), owner.json["token"]), DATA / "incidents").status_code == 201
    setup.extensions["zhifa.engine"].dispose()
    env = {**os.environ, "ZHIFA_DATABASE_URL": url, "ZHIFA_SECRET_KEY": SECRET, "PYTHONPATH": str(ROOT)}
    env["ZHIFA_DEMO_MODE"] = "true"  # the demo users sign in with their user names as passwords
    env["ZHIFA_ATTACHMENT_DIR"] = str(tmp_path / "att")
    port = _free_port()
    web = _spawn(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "service:create_app()",
        ],
        env,
        tmp_path / "web.log",
    )
    worker = _spawn(
        [sys.executable, "-m", "service", "timers", "run", "--interval", "0.5"], env, tmp_path / "worker.log"
    )
    stop, outcomes = threading.Event(), []
    try:
        api = HttpApi("127.0.0.1", port)
        api.wait_ready(60)
        api.token("officer1")  # signed in before the outage; the load thread reuses the token
        load = threading.Thread(target=_load, args=(api, stop, outcomes))
        load.start()
        time.sleep(3)
        down_at = time.monotonic()
        cluster.stop()
        health = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        health.request("GET", "/api/v1/health")
        answer = health.getresponse()
        assert (answer.status, answer.getheader("Retry-After")) == (503, "5")
        assert json.loads(answer.read())["database"] == "unavailable"
        health.close()
        time.sleep(3)
        cluster.start()
        up_at = time.monotonic()
        time.sleep(12)
        stop.set()
        load.join(timeout=60)
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()
        assert web.poll() is None, (tmp_path / "web.log").read_text()
        before = [s for t, s in outcomes if t < down_at]
        after = [s for t, s in outcomes if t > up_at + 5]
        assert before, outcomes
        assert set(before) == {201}, before
        assert after, outcomes
        assert set(after) == {201}, after  # the service needed no restart to recover
        _assert_every_timer_fires(url, timeout=60)
        _assert_worker_noticed_and_carried_on(url)
        recovered = min(t for t, status in outcomes if t > up_at and status == 201) - up_at
        assert recovered < 5, recovered
    finally:
        stop.set()
        for process in (web, worker):
            process.terminate()
            process.wait(timeout=30)


def _assert_every_timer_fires(url: str, timeout: float) -> None:
    engine = create_engine(url)
    deadline = time.monotonic() + timeout
    try:
        while True:
            with engine.connect() as connection:
                started = set(connection.execute(select(ProcessInstance.id)).scalars())
                handled = set(connection.execute(select(HumanTask.instance_id)).scalars())
            if started and started == handled:
                return
            assert time.monotonic() < deadline, (
                f"{len(started - handled)} of {len(started)} timers never fired"
            )
            time.sleep(0.5)
    finally:
        engine.dispose()


def _assert_worker_noticed_and_carried_on(url: str) -> None:
    engine = create_engine(url)
    with engine.connect() as connection:
        (beat,) = connection.execute(select(WorkerHeartbeat)).all()
    engine.dispose()
    assert beat.last_error is not None  # it saw the database go away ...
    assert beat.last_run_at > beat.last_error_at  # ... and finished passes after it came back
    assert beat.total_fired > 0
    assert beat.stopped_at is None
