"""A TCP relay on loopback to the test PostgreSQL: closing it takes the database away from
whatever connected through it (refused, and cut mid-statement), and opening it again, on the same
port, brings it back."""

import asyncio
from contextlib import suppress
from urllib.parse import urlsplit


class Relay:
    def __init__(self, database_url: str) -> None:
        target = urlsplit(database_url)
        assert target.hostname and target.port, "a database reached over TCP"
        self.database_url = database_url
        self.target = (target.hostname, target.port)
        self.port = 0  # any free one, the first time
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    @property
    def url(self) -> str:
        """The database's URL, through this relay."""
        target = urlsplit(self.database_url)
        userinfo = target.netloc.rpartition("@")[0]
        return target._replace(netloc=f"{userinfo}@127.0.0.1:{self.port}").geturl()

    @property
    def open_now(self) -> bool:
        return self._server is not None and self._server.is_serving()

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        """Refuse new connections and cut the ones there are."""
        assert self._server is not None
        self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        await self._server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._writers |= {writer, up_writer}
        try:
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            self._writers -= {writer, up_writer}
            writer.transport.abort()
            up_writer.transport.abort()


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with suppress(OSError):
        while data := await reader.read(65_536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()
