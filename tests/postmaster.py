"""Watching an embedded PostgreSQL from outside: is its postmaster alive, and stopping it."""

import os
import signal
import time
from pathlib import Path


def postmaster_pid(data_dir: Path) -> int | None:
    try:
        return int((data_dir / "postgres" / "postmaster.pid").read_text().splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie nobody has reaped yet does not count)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def wait_dead(pid: int, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def server_running(data_dir: Path) -> bool:
    pid = postmaster_pid(data_dir)
    return pid is not None and alive(pid)


def stop_leftover_server(data_dir: Path) -> None:
    """Stop a server a failed test (or a bug) left behind (fast shutdown), so its folder can go."""
    pid = postmaster_pid(data_dir)
    if pid is not None and alive(pid):
        os.kill(pid, signal.SIGINT)
        wait_dead(pid)
