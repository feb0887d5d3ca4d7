"""Rules for what an interview may contain: participants, body blocks, quotes, teasers, tags."""

import secrets
from collections.abc import Collection, Iterable
from uuid import UUID

import msgspec

from app.errors import ProblemError
from app.interviews.schemas import Answer, Block, ParticipantIn, Placement, PullQuote, Question
from app.settings import Settings
from app.text import clean_inline, count_characters, is_blank, visible_text


def _unprocessable(field: str, detail: str) -> ProblemError:
    return ProblemError(422, detail, field=field)


def check_participants_unique(participants: Iterable[ParticipantIn]) -> None:
    seen: set[UUID] = set()
    for index, participant in enumerate(participants):
        if participant.person_id in seen:
            field = f"participants[{index}].person_id"
            raise _unprocessable(field, "a person takes part once")
        seen.add(participant.person_id)


def prepare_body(
    blocks: list[Block], speakers: Collection[UUID], stored: Iterable[Block] = ()
) -> list[Block]:
    """Sanitise each block's HTML, give blocks ids, and check that speakers take part. A block
    whose text is the text `stored` under its id was sanitised and checked when it was stored:
    an editor's save sends the whole body back, most of it as it was."""
    stored_text = {block.id: block.text for block in stored}
    prepared: list[Block] = []
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        block_id = block.id or secrets.token_hex(4)
        if block_id in seen:
            raise _unprocessable(f"body[{index}].id", f"block id {block_id!r} is used twice")
        seen.add(block_id)
        text = block.text
        if stored_text.get(block_id) != text:
            text = clean_inline(text)
            if is_blank(visible_text(text)):
                detail = "the text is empty once markup is removed"
                raise _unprocessable(f"body[{index}].text", detail)
        if isinstance(block, Question | Answer) and block.speaker_id not in speakers:
            raise _unprocessable(
                f"body[{index}].speaker_id", "the speaker is not a participant of this interview"
            )
        unchanged = block_id == block.id and text is block.text
        # replace() would normalise the text once more
        prepared.append(
            block if unchanged else msgspec.structs.replace(block, id=block_id, text=text)
        )
    return prepared


def check_quote_source(
    text: str, speaker_id: UUID, block_id: str | None, body: Iterable[Block]
) -> None:
    """A quote that names its answer block must come from it, in the speaker's own words.

    The quote is plain text; it is looked for in the text a reader sees of the answer's HTML,
    spaces collapsed in both."""
    if is_blank(text):
        raise _unprocessable("text", "the quote has no visible character")
    if block_id is None:
        return
    block = next((b for b in body if b.id == block_id), None)
    if not isinstance(block, Answer):
        raise _unprocessable("block_id", "no answer block with this id in the body")
    if block.speaker_id != speaker_id:
        raise _unprocessable("speaker_id", "the speaker differs from the answer's speaker")
    if " ".join(text.split()) not in visible_text(block.text):
        raise _unprocessable("text", "the quote does not occur in the answer it names")


def check_quotes_still_hold(quotes: Iterable[PullQuote], body: list[Block]) -> None:
    """A body edit may not orphan a pull quote that names a block."""
    for quote in quotes:
        try:
            check_quote_source(quote.text, quote.speaker_id, quote.block_id, body)
        except ProblemError as error:
            raise ProblemError(
                409,
                f"pull quote {quote.id} would no longer match its answer: {error.detail}; "
                "change or delete the quote first",
                field="body",
            ) from None


def teaser_limit(settings: Settings, placement: Placement) -> int:
    """The longest teaser `placement` takes, in user-perceived characters."""
    limits = {
        "card": settings.card_teaser_max,
        "frontpage": settings.frontpage_teaser_max,
        "social": settings.social_teaser_max,
        "newsletter": settings.newsletter_teaser_max,
    }
    return limits[placement]


def prepare_teaser(placement: str, text: str, limit: int) -> str:
    """A teaser is plain text, kept as typed: it must show something, within `limit`."""
    if is_blank(text):
        raise _unprocessable("text", "the teaser has no visible character")
    if (length := count_characters(text)) > limit:
        raise _unprocessable(
            "text", f"a {placement} teaser has at most {limit} characters, not {length}"
        )
    return text


def prepare_tags(tags: Iterable[str]) -> list[str]:
    """Spaces collapsed, without repeats (ignoring case), in the editor's order; tags are
    plain text, already normalised and not blank (see `Tag`). 422 for a tag that begins or ends
    with `/` or holds `//`."""
    kept: dict[str, str] = {}
    for tag in tags:
        clean = " ".join(tag.split())
        if clean.startswith("/") or clean.endswith("/") or "//" in clean:
            # Its page and feeds could not be addressed: paths lose such slashes.
            detail = f"a tag may not begin or end with / nor hold //: {clean!r}"
            raise _unprocessable("tags", detail)
        kept.setdefault(clean.casefold(), clean)
    return list(kept.values())
