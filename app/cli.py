"""The `colloquy` command: serve, worker, migrate, tokens, backup, restore, demo.

A command that cannot start says why in a line or two that name the setting to change, and
exits with CONFIGURATION (2: a setting is wrong, trying again will not help) or UNREACHABLE
(3: the database did not answer, it may yet). COLLOQUY_LOG_LEVEL=debug adds the traceback.
"""

import argparse
import asyncio
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import traceback
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from uuid import UUID

import asyncpg
from granian.constants import Interfaces, Loops
from granian.log import logger as granian_log
from granian.server.mp import MPServer

from app.auth import Role, issue_token
from app.backup import BackupError, backup, has_tables, restore, select_table_sizes
from app.clock import Clock
from app.db import connect, create_pool, migrate
from app.embedded import (
    EmbeddedPostgres,
    EmbeddedPostgresError,
    EmbeddedPostgresUnavailable,
    find_bindir,
)
from app.events.worker import run_worker
from app.health import DRAIN_SIGNAL
from app.settings import ConfigurationError, Settings, unknown_variables
from app.tokens.queries import count_tokens, revoke_token, select_tokens

T = TypeVar("T")
FAILED = 1
CONFIGURATION = 2
UNREACHABLE = 3
CONNECT_TIMEOUT_SECONDS = 10


class CommandError(Exception):
    """The command cannot do its work; the message says what to do, `code` is the exit status."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


@contextmanager
def database(settings: Settings) -> Iterator[str]:
    """DATABASE_URL if given (once it answers), else the embedded server in the data directory."""
    if settings.database_url:
        check_database(settings.database_url)
        yield settings.database_url
        return
    find_bindir()  # first: where there is no server to embed, DATABASE_URL is what is missing
    with EmbeddedPostgres(usable_data_dir(settings.data_dir)).running() as url:
        yield url


def check_database(url: str) -> None:
    """Connect once, so that a wrong DATABASE_URL is a line that says so, not a traceback."""

    async def connect() -> None:
        connection = await asyncpg.connect(url, timeout=CONNECT_TIMEOUT_SECONDS)
        await connection.close()

    try:
        asyncio.run(connect())
    except Exception as error:
        raise database_problem(url, error) from error


def database_problem(url: str, error: Exception) -> CommandError:
    """What went wrong in connecting to `url`, said without its password."""
    parts = urlsplit(url)
    try:
        where = f"{parts.hostname or 'localhost'}:{parts.port or 5432}"
    except ValueError:  # a port that is not a number
        return CommandError(f"DATABASE_URL has a bad port: {error}; fix it", CONFIGURATION)
    name = parts.path.lstrip("/") or parts.username or "postgres"
    match error:
        case socket.gaierror():
            return CommandError(
                f"DATABASE_URL: the host {parts.hostname!r} cannot be found ({error.strerror}); "
                "check the host name in DATABASE_URL, or that the database server is up",
                UNREACHABLE,
            )
        case ConnectionRefusedError():
            return CommandError(
                f"DATABASE_URL: nothing accepts connections at {where}; start PostgreSQL "
                "there, or correct the host and port in DATABASE_URL",
                UNREACHABLE,
            )
        case asyncpg.InvalidPasswordError() | asyncpg.InvalidAuthorizationSpecificationError():
            return CommandError(
                f"DATABASE_URL: PostgreSQL at {where} refused user {parts.username!r}: {error}; "
                "correct the user name and password in DATABASE_URL",
                CONFIGURATION,
            )
        case asyncpg.InvalidCatalogNameError():
            return CommandError(
                f"DATABASE_URL: there is no database {name!r} at {where}; create it "
                f"(createdb {name}), or correct the name at the end of DATABASE_URL",
                CONFIGURATION,
            )
        case ValueError() | asyncpg.ClientConfigurationError():
            return CommandError(f"DATABASE_URL cannot be used: {error}; fix it", CONFIGURATION)
        case _:
            return CommandError(
                f"DATABASE_URL: cannot reach PostgreSQL at {where}: {error or type(error).__name__}"
                "; check that it runs and that this machine may connect to it",
                UNREACHABLE,
            )


def usable_data_dir(data_dir: str) -> Path:
    """The embedded server's folder, made if need be; a line naming the setting if it can't be."""
    path = Path(data_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        problem = "is a file, not a folder"
    except NotADirectoryError:
        problem = "lies under a file, not a folder"
    except OSError as error:
        problem = f"cannot be made ({error.strerror})"
    else:
        if os.access(path, os.W_OK | os.X_OK):
            return path
        problem = "cannot be written to"
    raise CommandError(
        f"COLLOQUY_DATA_DIR={data_dir!r} {problem}; set it to a folder this user may write to, "
        "or set DATABASE_URL to use your own PostgreSQL",
        CONFIGURATION,
    )


def with_connection(url: str, work: Callable[[asyncpg.Connection], Awaitable[T]]) -> T:
    async def run() -> T:
        connection = await connect(url)
        try:
            return await work(connection)
        finally:
            await connection.close()

    return asyncio.run(run())


def check_port_free(host: str, port: int) -> None:
    """Stop with one line if the address is taken.

    Granian binds with SO_REUSEPORT, so a second `colloquy serve` on a busy port would
    otherwise start, say it listens, and share the port's connections with the first.
    SO_REUSEADDR, as servers bind: connections a stopped server closed linger in TIME_WAIT for a
    minute and do not make the port busy, while a listener still does."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise CommandError(
                f"cannot listen on {host}:{port}: {error.strerror or error}; stop what listens "
                "there, or set COLLOQUY_PORT (or COLLOQUY_HOST) to another",
                CONFIGURATION,
            ) from error


def serve(settings: Settings, args: argparse.Namespace) -> None:
    check_port_free(settings.host, settings.port)
    with database(settings) as url:
        if args.migrate:
            migrate(url)
            if settings.database_url is None:
                with_connection(url, lambda db: _welcome(db, settings))
        # The workers build the app from the environment (app.main.app_from_environment).
        os.environ["DATABASE_URL"] = url
        with metrics_shared_by(settings.workers):
            _serve(settings)


@contextmanager
def metrics_shared_by(workers: int) -> Iterator[None]:
    """With several server processes, each keeps its metrics in a folder that all of them read
    (prometheus_client's multiprocess mode), so that /metrics, whichever answers it, is for the
    whole service. Set before any process imports prometheus_client: this module does not."""
    if workers == 1:
        yield
        return
    folder = tempfile.mkdtemp(prefix="colloquy-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = folder
    try:
        yield
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _serve(settings: Settings) -> None:
    # RSGI answers cache hits at once; the ASGI app behind it takes the rest (app/rsgi.py).
    DrainingServer(
        "app.rsgi:app_from_environment",
        factory=True,
        interface=Interfaces.RSGI,
        websockets=False,  # no route takes one
        loop=Loops.uvloop,  # less CPU per request than asyncio's (pyproject.toml says how much)
        address=settings.host,
        port=settings.port,
        workers=settings.workers,
        workers_kill_timeout=settings.shutdown_timeout,
        drain_seconds=settings.drain_seconds,
    ).serve()


class DrainingServer(MPServer):
    """Granian, stopping the way a load balancer needs.

    On the first SIGTERM each server process is sent DRAIN_SIGNAL, on which its readiness turns
    503 while it goes on serving; only `drain_seconds` later does granian's own stop begin:
    the processes stop accepting, finish the requests in flight, and run the app's shutdown
    (the views are written, the worker ends its round), each killed if that takes longer than
    COLLOQUY_SHUTDOWN_TIMEOUT. A second SIGTERM, or SIGINT (Ctrl-C), skips the drain.

    Only SIGTERM sent to this process drains: a signal sent to the whole process group (as
    systemd's default KillMode=control-group does) reaches the server processes directly."""

    def __init__(self, *args: Any, drain_seconds: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.drain_seconds = drain_seconds
        self.draining = False

    def startup(self, spawn_target: Any, target_loader: Any) -> None:
        # The server processes inherit this: DRAIN_SIGNAL must not end one (its default
        # action) before its app has started to handle it.
        signal.signal(DRAIN_SIGNAL, signal.SIG_IGN)
        super().startup(spawn_target, target_loader)  # type: ignore[no-untyped-call]

    def signal_handler_interrupt(self, signum: int | None = None, *_: Any, **__: Any) -> None:
        if signum != signal.SIGTERM or self.draining:
            super().signal_handler_interrupt()  # type: ignore[no-untyped-call]
            return
        self.draining = True
        granian_log.info(
            f"SIGTERM: draining for {self.drain_seconds:g} s (not ready, still serving), "
            "then stopping; a second SIGTERM stops now"
        )
        for worker in self.wrks:
            with suppress(ProcessLookupError):
                os.kill(worker.inner.pid, DRAIN_SIGNAL)
        stop = threading.Timer(self.drain_seconds, super().signal_handler_interrupt)
        stop.daemon = True
        stop.start()


async def _welcome(db: asyncpg.Connection, settings: Settings) -> None:
    """On a new embedded database: an admin token, shown once, and where to start."""
    if await count_tokens(db) > 0:
        return
    _, secret = await issue_token(db, "first admin", Role.admin, Clock().now())
    print(
        "\nColloquy is set up. Your admin token (shown only now, keep it):\n"
        f"  {secret}\n"
        f"API docs:     {settings.base_url}/docs\n"
        f"Front page:   {settings.base_url}/content/v1/frontpage\n"
        f"Feeds:        {settings.base_url}/feeds/all.rss (.atom, .json)\n"
        f"Health:       {settings.base_url}/health/ready\n"
        "Demo data:    .venv/bin/colloquy demo\n",
        flush=True,
    )


def worker(settings: Settings, _: argparse.Namespace) -> None:
    async def work(url: str) -> None:
        pool = await create_pool(url, 4)
        try:
            await run_worker(pool, Clock(), settings)
        finally:
            await pool.close()

    with database(settings) as url:
        migrate(url)
        print("worker running; Ctrl-C stops it", flush=True)
        asyncio.run(work(url))


def run_migrate(settings: Settings, args: argparse.Namespace) -> None:
    with database(settings) as url:
        migrate(url, args.revision)
    print(f"migrated to {args.revision}")


def tokens_create(settings: Settings, args: argparse.Namespace) -> None:
    with database(settings) as url:
        migrate(url)
        token, secret = with_connection(
            url, lambda db: issue_token(db, args.name, Role(args.role), Clock().now())
        )
    print(f"created {token.role} token {token.id} ({token.name}); its secret, shown only now:")
    print(secret)


def tokens_list(settings: Settings, _: argparse.Namespace) -> None:
    with database(settings) as url:
        migrate(url)
        tokens = with_connection(url, select_tokens)
    for token in tokens:
        state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
        used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
        print(f"{token.id}  {token.role:<11}  {state:<18}  last used {used:<16}  {token.name}")


def tokens_revoke(settings: Settings, args: argparse.Namespace) -> None:
    with database(settings) as url:
        migrate(url)
        token = with_connection(url, lambda db: revoke_token(db, args.id, Clock().now()))
    if token is None:
        sys.exit(f"no token {args.id}")
    print(f"revoked {token.id} ({token.name})")


def run_backup(settings: Settings, args: argparse.Namespace) -> None:
    with database(settings) as url:
        sizes = with_connection(url, select_table_sizes)
        backup(url, args.path, sizes, embedded=settings.database_url is None)


def run_restore(settings: Settings, args: argparse.Namespace) -> None:
    if not args.path.is_file():
        raise CommandError(f"there is no backup at {args.path}", FAILED)
    with database(settings) as url:
        if not args.clean and with_connection(url, has_tables):
            raise CommandError(
                "the database already has tables; restore into an empty database (createdb, "
                "then point DATABASE_URL at it), or pass --clean to replace what the backup holds",
                CONFIGURATION,
            )
        restore(url, args.path, args.clean, embedded=settings.database_url is None)
    print(f"restored {args.path}; serve (or colloquy migrate) brings an older schema up to date")


def demo(settings: Settings, _: argparse.Namespace) -> None:
    from app.demo import load_demo

    if settings.database_url:
        sys.exit("colloquy demo only loads into the embedded database; DATABASE_URL is set")
    with database(settings) as url:
        migrate(url)
        print(with_connection(url, lambda db: load_demo(db, Clock().now())))


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="colloquy",
        description="Colloquy: publishing backend for recurring interview series. "
        "Without DATABASE_URL every command uses the embedded PostgreSQL in COLLOQUY_DATA_DIR.",
    )
    commands = top.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, run: Callable[[Settings, argparse.Namespace], None], help: str) -> Any:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(run=run)
        return sub

    serving = command("serve", serve, "migrate, then serve the API on COLLOQUY_HOST:COLLOQUY_PORT")
    serving.add_argument(
        "--no-migrate",
        dest="migrate",
        action="store_false",
        help="leave the schema as it is (when `colloquy migrate` runs once before the servers "
        "start); readiness answers 503 until it is at the head revision",
    )
    command("worker", worker, "only dispatch events and deliver webhooks (no HTTP server)")
    command("migrate", run_migrate, "bring the schema up (or down) to a revision").add_argument(
        "--revision", default="head", help="alembic revision (default: head)"
    )
    command("backup", run_backup, "back the database up to a file (pg_dump's format)").add_argument(
        "path", type=Path, help="the file to write"
    )
    restoring = command("restore", run_restore, "load a backup made by colloquy backup")
    restoring.add_argument("path", type=Path, help="the backup file")
    restoring.add_argument(
        "--clean",
        action="store_true",
        help="drop what the backup holds first (else the database must be empty)",
    )
    command("demo", demo, "load the demo series, people and interview (embedded database only)")
    tokens = commands.add_parser("tokens", help="create, list or revoke API tokens")
    token_commands = tokens.add_subparsers(required=True, metavar="ACTION")
    create = token_commands.add_parser("create", help="create a token and print its secret")
    create.add_argument("--name", required=True, help="who or what uses the token")
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.set_defaults(run=tokens_create)
    token_commands.add_parser("list", help="list tokens").set_defaults(run=tokens_list)
    revoke = token_commands.add_parser("revoke", help="revoke a token by id")
    revoke.add_argument("id", type=UUID)
    revoke.set_defaults(run=tokens_revoke)
    return top


def main(argv: list[str] | None = None) -> None:
    # SIGTERM and SIGHUP unwind the command like Ctrl-C does, so that the embedded server is
    # stopped whenever the command is.
    for stop in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(stop, lambda *_: sys.exit(0))
    args = parser().parse_args(argv)
    for warning in unknown_variables(os.environ):
        print(warning, file=sys.stderr)
    try:
        run(args)
    except CommandError as error:
        # The settings may be what is wrong, so the level is read as it stands.
        if os.environ.get("COLLOQUY_LOG_LEVEL", "").strip().lower() == "debug":
            traceback.print_exc()
        print(error, file=sys.stderr)
        sys.exit(error.code)


def run(args: argparse.Namespace) -> None:
    """The command, with each failure to start turned into a CommandError."""
    try:
        settings = Settings.from_env(os.environ)
    except ConfigurationError as error:
        raise CommandError(f"bad configuration: {error}", CONFIGURATION) from error
    try:
        args.run(settings, args)
    except EmbeddedPostgresUnavailable as error:
        raise CommandError(f"embedded PostgreSQL: {error}", CONFIGURATION) from error
    except EmbeddedPostgresError as error:
        raise CommandError(f"embedded PostgreSQL did not start: {error}", UNREACHABLE) from error
    except BackupError as error:
        raise CommandError(str(error), FAILED) from error
