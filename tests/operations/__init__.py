"""Checks shared by the operations tests."""

import subprocess


def failed(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The one or two lines a command printed as it failed with `code`."""
    assert result.returncode == code, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    assert "Traceback" not in result.stderr
    return result.stderr
