"""The log lines an app under test writes, read back as the JSON objects they are."""

import io
import json
from typing import Any

from app.logs import LineWriter


class Log:
    """The lines an app wrote, as the JSON objects they are."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.writer = LineWriter(self.stream, as_json=True)

    def records(self) -> list[dict[str, Any]]:
        self.writer.flush()
        return [json.loads(line) for line in self.stream.getvalue().splitlines()]

    def access(self) -> list[dict[str, Any]]:
        return [r for r in self.records() if r["logger"] == "colloquy.access"]
