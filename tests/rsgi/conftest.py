"""The `colloquy` command as a subprocess (shared with tests/test_cli.py)."""

from tests.test_cli import cli  # noqa: F401  (the fixture)
