"""The worker purges what has been in the trash for COLLOQUY_TRASH_DAYS."""

import asyncpg

from app.retention import Retention
from app.settings import Settings
from tests.conftest import MovableClock
from tests.content import thursday_interview
from tests.factories import Client, Headers, Json
from tests.trash import in_trash, trashed


async def count(db: asyncpg.Connection, table: str) -> int:
    return int(await db.fetchval(f"SELECT count(*) FROM {table}"))


async def test_the_worker_purges_the_trash_after_its_days(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    clock: MovableClock,
    settings: Settings,
) -> None:
    interview = await thursday_interview(client, editor, teaser="Read on", publish_it=False)
    await trashed(client, editor, "interviews", interview)
    retention = Retention()
    clock.advance(days=settings.trash_days, seconds=-1)
    await retention.forget(pool, clock.now(), settings)
    assert await in_trash(client, editor) == {("interviews", interview["id"])}

    clock.advance(seconds=2)
    retention = Retention()  # the same one waits an hour between rounds
    await retention.forget(pool, clock.now(), settings)
    assert await in_trash(client, editor) == set()
    for table in ("interviews", "interview_participants", "pull_quotes", "teasers"):
        assert await count(db, table) == 0, table
    assert await count(db, "series") == await count(db, "people") - 1 == 1  # left as they were


async def test_a_series_and_people_go_in_the_same_round_as_their_interviews(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    clock: MovableClock,
    settings: Settings,
    series: Json,
    lauri: Json,
    murad: Json,
    interview: Json,
) -> None:
    """They were deleted after the interviews that name them (not before: those would still be
    using them), so they are due with or after those, which go first."""
    await trashed(client, editor, "interviews", interview)
    for kind, item in (("series", series), ("people", lauri), ("people", murad)):
        await trashed(client, editor, kind, item)
    clock.advance(days=settings.trash_days, seconds=1)
    await Retention().forget(pool, clock.now(), settings)
    assert await in_trash(client, editor) == set()
    for table in ("interviews", "series", "people"):
        assert await count(db, table) == 0, table


async def test_a_series_still_named_by_an_interview_in_the_trash_waits_for_it(
    client: Client,
    editor: Headers,
    db: asyncpg.Connection,
    pool: asyncpg.Pool,
    clock: MovableClock,
    settings: Settings,
    series: Json,
    interview: Json,
) -> None:
    """Should a series ever be due before an interview that names it (deleted_at set apart by
    hand here), it stays until that interview goes, rather than failing the round."""
    await trashed(client, editor, "interviews", interview)
    await trashed(client, editor, "series", series)
    await db.execute("UPDATE series SET deleted_at = deleted_at - interval '10 days'")
    clock.advance(days=settings.trash_days - 5)
    await Retention().forget(pool, clock.now(), settings)
    assert await in_trash(client, editor) == {
        ("interviews", interview["id"]),
        ("series", series["id"]),
    }
    clock.advance(days=6)
    await Retention().forget(pool, clock.now(), settings)
    assert await in_trash(client, editor) == set()
