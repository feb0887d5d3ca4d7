"""`colloquy backup PATH` and `colloquy restore PATH`: the whole database in pg_dump's custom
format (compressed, restorable table by table), for the configured database or the embedded one.

pg_dump refuses a server newer than itself, so for the embedded server the tools are taken from
beside its own binaries; for another server, the machine's `pg_dump` (Debian's picks the newest
installed), else those. The password goes in PGPASSWORD, never on a command line that `ps` shows.

Both show their progress, table by table with its size, since a large database takes a while:
pg_dump and pg_restore name each table as they come to it (--verbose), and those lines are
turned into `[3/13] interviews (1.2 GB)`; the rest of what they say is shown only if they fail.

A restore goes into an empty database (or, with `clean`, drops what the backup holds first) in
one transaction: it either all lands or nothing changes.
"""

import os
import re
import shutil
import subprocess
import sys
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import asyncpg

from app.embedded import EmbeddedPostgresUnavailable, find_bindir

# pg_dump: dumping contents of table "public.interviews"
DUMPING = re.compile(r'dumping contents of table "?(?:public\.)?([^"\s]+)"?')
# pg_restore: processing data for table "public.interviews"
RESTORING = re.compile(r'processing data for table "?(?:public\.)?([^"\s]+)"?')
# A `pg_restore --list` line for a table's rows: `2345; 0 16412 TABLE DATA public series colloquy`
TABLE_DATA = re.compile(r"^\d+; \d+ \d+ TABLE DATA \S+ (\S+) ")
KEPT_LINES = 20  # of what a failing tool said, the last ones shown


class BackupError(RuntimeError):
    """A backup or restore could not be made; the message says why."""


def tool(name: str, embedded: bool) -> str:
    """The path of pg_dump or pg_restore for the configured server."""
    found = None if embedded else shutil.which(name)
    if found is None:
        try:
            candidate = find_bindir() / name
        except EmbeddedPostgresUnavailable:
            candidate = None
        found = str(candidate) if candidate and candidate.is_file() else None
    if found is None:
        raise BackupError(
            f"{name} is not installed; install PostgreSQL's client tools (e.g. the "
            "postgresql-client package), of the server's version or newer"
        )
    return found


def _without_password(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and an environment that holds the password instead."""
    parts = urlsplit(url)
    env = dict(os.environ)
    netloc = parts.netloc
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        userinfo, _, host = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}@{host}"
    return urlunsplit(parts._replace(netloc=netloc)), env


async def select_table_sizes(db: asyncpg.Connection) -> dict[str, int]:
    """Each table of the schema and its size on disk, indexes included."""
    rows = await db.fetch(
        """
        SELECT c.relname AS name, pg_total_relation_size(c.oid) AS size
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'r' AND n.nspname = 'public'
        """
    )
    return {row["name"]: row["size"] for row in rows}


async def has_tables(db: asyncpg.Connection) -> bool:
    return bool(
        await db.fetchval("SELECT EXISTS (SELECT FROM pg_tables WHERE schemaname = 'public')")
    )


def backup(url: str, path: Path, sizes: dict[str, int], embedded: bool) -> None:
    """Dump the database at `url` to `path`, showing each table as it is reached."""
    say(f"backing up {len(sizes)} tables ({human(sum(sizes.values()))} on disk) to {path}")
    partial = path.with_name(path.name + ".partial")
    address, env = _without_password(url)
    command = [
        tool("pg_dump", embedded), "--format=custom", "--verbose",
        f"--file={partial}", f"--dbname={address}",
    ]  # fmt: skip
    _run(command, env, DUMPING, sizes, "pg_dump")
    partial.replace(path)  # a backup interrupted half way never bears the final name
    say(f"backup done: {path} ({human(path.stat().st_size)})")


def restore(url: str, path: Path, clean: bool, embedded: bool) -> None:
    """Load the backup at `path` into the database at `url`, all in one transaction."""
    pg_restore = tool("pg_restore", embedded)
    tables = _tables_in(pg_restore, path)
    say(f"restoring {len(tables)} tables from {path}")
    address, env = _without_password(url)
    command = [
        pg_restore, "--verbose", "--single-transaction", "--exit-on-error",
        # Owned by whoever restores: the backup may come from a server with other roles.
        "--no-owner", "--no-privileges", f"--dbname={address}",
    ]  # fmt: skip
    if clean:
        command += ["--clean", "--if-exists"]
    _run([*command, str(path)], env, RESTORING, dict.fromkeys(tables, 0), "pg_restore")
    say("restore done")


def _tables_in(pg_restore: str, path: Path) -> list[str]:
    listed = subprocess.run([pg_restore, "--list", str(path)], capture_output=True, text=True)
    if listed.returncode != 0:
        raise BackupError(f"{path} is not a backup pg_restore can read: {listed.stderr.strip()}")
    return [m.group(1) for line in listed.stdout.splitlines() if (m := TABLE_DATA.match(line))]


def _run(
    command: list[str],
    env: dict[str, str],
    progress: re.Pattern[str],
    sizes: dict[str, int],
    name: str,
) -> None:
    """Run pg_dump or pg_restore, turning the lines that name a table into progress."""
    said: deque[str] = deque(maxlen=KEPT_LINES)
    done = 0
    with subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) as process:
        assert process.stderr is not None
        for line in process.stderr:
            if match := progress.search(line):
                done += 1
                table = match.group(1)
                size = f" ({human(sizes[table])})" if sizes.get(table) else ""
                say(f"[{done}/{len(sizes)}] {table}{size}")
            else:
                said.append(line.rstrip())
    if process.returncode != 0:
        problems = [line for line in said if "error" in line.lower()] or list(said)
        raise BackupError(f"{name} failed: " + "\n".join(problems[-3:]))


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def human(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    amount = size / 1024
    for unit in ("kB", "MB"):
        if amount < 1024:
            return f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} GB"
