"""An interview body as HTML and as text: for pages, cards and feeds alike."""

import math
from collections.abc import Mapping
from html import escape
from uuid import UUID

import regex

from app.interviews.schemas import Answer, Block, Heading, Paragraph, Question
from app.text import strip_tags, visible_text

WORDS_PER_MINUTE = 230
# Space after a full stop, question or exclamation mark, perhaps behind a closing quote.
_SENTENCE_END = regex.compile(r"(?<=[.!?…][\"'”’»)]*)\s+")


def body_html(body: list[Block], names: Mapping[UUID, str]) -> str:
    """Questions and answers with their speakers' names; block text is already sanitised."""
    parts: list[str] = []
    for block in body:
        match block:
            case Question(speaker_id=speaker, text=text):
                who = escape(names.get(speaker, ""))
                parts.append(f'<p class="question"><strong>{who}:</strong> {text}</p>')
            case Answer(speaker_id=speaker, text=text):
                who = escape(names.get(speaker, ""))
                parts.append(f'<p class="answer"><strong>{who}:</strong> {text}</p>')
            case Heading(text=text):
                parts.append(f"<h2>{text}</h2>")
            case Paragraph(text=text):
                parts.append(f"<p>{text}</p>")
    return "\n".join(parts)


def reading_minutes(body: list[Block]) -> int:
    words = sum(len(strip_tags(block.text).split()) for block in body)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def excerpt(body: list[Block], limit: int = 400) -> str:
    """Whole sentences from the first answer (else the first block), at most `limit` long.

    Plain text, so it is never cut inside a tag; a first sentence longer than the limit is cut
    at a word boundary and ends with an ellipsis.
    """
    source = next((b for b in body if isinstance(b, Answer)), body[0] if body else None)
    if source is None:
        return ""
    text = visible_text(source.text)
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in _SENTENCE_END.split(text):
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    if kept:
        return kept
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:-\u2013\u2014 ")
    return f"{cut}…"
