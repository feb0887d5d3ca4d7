"""The `colloquy` command as a subprocess, for the operations tests."""

from tests.test_cli import cli  # noqa: F401  (the fixture, shared with tests/test_cli.py)
