"""The pool hands out connections as new: what one request left undone does not reach the next,
though the pool no longer sends a reset query on every release (app/db.py)."""

import asyncpg


async def test_a_transaction_left_open_is_rolled_back_on_release(
    pool: asyncpg.Pool, db: asyncpg.Connection
) -> None:
    async with pool.acquire() as connection:
        await connection.execute("BEGIN")
        await connection.execute(
            "INSERT INTO tokens (name, role, secret_hash, created_at) "
            "VALUES ('left open', 'admin', 'x', now())"
        )
    for _ in range(5):  # whichever connection comes next
        async with pool.acquire() as connection:
            assert not connection.is_in_transaction()
            assert await connection.fetchval("SELECT count(*) FROM tokens") == 0
