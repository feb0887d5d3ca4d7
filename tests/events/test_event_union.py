"""Event types are defined once, by the tagged union in app.outbox."""

from typing import get_args

from app.main import create_app
from app.outbox import EVENT_TYPES, InterviewEvent
from app.settings import Settings


def test_the_event_types_are_the_tags_of_the_union() -> None:
    tags = [kind.__struct_config__.tag for kind in get_args(InterviewEvent)]
    assert list(EVENT_TYPES) == tags
    assert len(set(tags)) == len(tags) == 7


def test_subscriptions_choose_from_the_union_in_the_openapi(settings: Settings) -> None:
    schema = create_app(settings).app.openapi_schema.to_schema()["components"]["schemas"]
    for name in ("WebhookCreate", "WebhookUpdate"):
        event_types = schema[name]["properties"]["event_types"]
        items = event_types["items"] if "items" in event_types else event_types["oneOf"][0]["items"]
        assert items["enum"] == list(EVENT_TYPES), name
        assert event_types["maxItems"] == len(EVENT_TYPES), name
