"""Tests of images: what the Admin API takes, and the sizes cards, pages, social cards and feeds
offer of them."""

from tests.factories import Client, Headers, Json, make_interview, make_person, make_series
from tests.helpers import ok, publish

# A landscape photograph wider than the widest srcset candidate.
IMAGE = {
    "url": "https://img.example/photos/murad.jpg?v=2&crop=no",
    "alt": "Murad Muradov at his desk in Baku",
    "credit": "Photo: Colloquy",
    "width": 2400,
    "height": 1600,
}
# As images were stored before sizes were asked for: what older rows hold.
OLD_IMAGE = {"url": "https://img.example/old.png", "alt": "An older photograph", "credit": ""}


async def published_with(client: Client, editor: Headers, image: Json | None) -> Json:
    """A public interview with `image`, set through the Admin API."""
    series = await make_series(client, editor)
    lauri = await make_person(client, editor, "Lauri Nikulainen")
    murad = await make_person(client, editor, "Murad Muradov")
    interview = await make_interview(client, editor, series, lauri, murad, image=image)
    return await publish(client, editor, interview)


async def set_image(client: Client, editor: Headers, interview: Json, image: Json) -> Json:
    path = f"/admin/v1/interviews/{interview['id']}"
    return ok(await client.patch(path, json={"image": image}, headers=editor))
