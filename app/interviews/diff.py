"""What differs between two states of an interview: field by field, and block by block for the
body, with a word-level diff of each changed block's text.

Blocks are matched by id, which an edit keeps (app.interviews.rules.prepare_body), so a block
edited in place is `changed`, not removed and added again.
"""

import difflib
import re
from datetime import datetime
from typing import Literal
from uuid import UUID

import msgspec

from app.interviews.revisions import CONTENT_FIELDS
from app.interviews.schemas import (
    Block,
    Interview,
    InterviewStatus,
    Participant,
    PullQuote,
)
from app.schemas import Base, Image

# Each field a diff compares, in the order it names them; `body` is compared block by block.
COMPARED = (*CONTENT_FIELDS, "status", "publish_at", "published_at", "withdrawn_at")
_WORDS = re.compile(r"\s+|\S+")  # words and the spaces between them, so pieces join back up
# Word pairs a revision diff compares at most: about 0.1 s of matching.
WORD_PAIRS = 1_000_000


class Fields(Base):
    """The fields that differ, as one side has them; the others are left out."""

    series_id: UUID | msgspec.UnsetType = msgspec.UNSET
    slug: str | msgspec.UnsetType = msgspec.UNSET
    title: str | msgspec.UnsetType = msgspec.UNSET
    standfirst: str | msgspec.UnsetType = msgspec.UNSET
    image: Image | msgspec.UnsetType | None = msgspec.UNSET
    tags: list[str] | msgspec.UnsetType = msgspec.UNSET
    participants: list[Participant] | msgspec.UnsetType = msgspec.UNSET
    pull_quotes: list[PullQuote] | msgspec.UnsetType = msgspec.UNSET
    teasers: dict[str, str] | msgspec.UnsetType = msgspec.UNSET
    status: InterviewStatus | msgspec.UnsetType = msgspec.UNSET
    publish_at: datetime | msgspec.UnsetType | None = msgspec.UNSET
    published_at: datetime | msgspec.UnsetType | None = msgspec.UNSET
    withdrawn_at: datetime | msgspec.UnsetType | None = msgspec.UNSET


class TextPiece(Base):
    """A run of words (with their spaces): in both texts, only the newer, or only the older.
    The `equal` and `delete` pieces join up to the older text, `equal` and `insert` to the
    newer."""

    op: Literal["equal", "insert", "delete"]
    text: str


class BlockAdded(Base, tag_field="change", tag="added"):
    index: int  # in the newer body
    block: Block


class BlockRemoved(Base, tag_field="change", tag="removed"):
    index_before: int  # in the older body
    block: Block


class BlockChanged(Base, tag_field="change", tag="changed"):
    """A block whose type, speaker or text changed (and perhaps its place): both versions,
    and its text as a word-level diff."""

    id: str
    index: int
    index_before: int
    before: Block
    after: Block
    text: list[TextPiece]


class BlockMoved(Base, tag_field="change", tag="moved"):
    """A block that is the same but stands elsewhere among the others."""

    id: str
    index: int
    index_before: int


BlockChange = BlockAdded | BlockRemoved | BlockChanged | BlockMoved


class RevisionDiff(Base):
    """Revision `number` against revision `against`: `changed` names the fields that differ,
    `before` has them as `against` had them and `after` as `number` has them (`body` is left
    out of both, and given block by block in `body`)."""

    number: int
    against: int
    changed: list[str]
    before: Fields
    after: Fields
    body: list[BlockChange]


def diff(number: int, newer: Interview, against: int, older: Interview) -> RevisionDiff:
    changed = [name for name in COMPARED if getattr(older, name) != getattr(newer, name)]
    shown = [name for name in changed if name != "body"]
    return RevisionDiff(
        number=number,
        against=against,
        changed=changed,
        before=Fields(**{name: getattr(older, name) for name in shown}),
        after=Fields(**{name: getattr(newer, name) for name in shown}),
        body=diff_body(older.body, newer.body),
    )


def diff_body(older: list[Block], newer: list[Block]) -> list[BlockChange]:
    """Added, changed and moved blocks in the order of the newer body, then the removed ones in
    the order of the older."""
    budget = WordBudget()
    before = {block.id: index for index, block in enumerate(older)}
    after_ids = {block.id for block in newer}
    kept_in_order = _kept_in_order(older, newer)
    changes: list[BlockChange] = []
    for index, block in enumerate(newer):
        if block.id not in before:
            changes.append(BlockAdded(index=index, block=block))
            continue
        index_before = before[block.id]
        old = older[index_before]
        block_id = block.id or ""
        if old != block:
            text = diff_words(old.text, block.text, budget)
            changes.append(
                BlockChanged(
                    id=block_id,
                    index=index,
                    index_before=index_before,
                    before=old,
                    after=block,
                    text=text,
                )
            )
        elif block.id not in kept_in_order:
            changes.append(BlockMoved(id=block_id, index=index, index_before=index_before))
    for index_before, block in enumerate(older):
        if block.id not in after_ids:
            changes.append(BlockRemoved(index_before=index_before, block=block))
    return changes


def _kept_in_order(older: list[Block], newer: list[Block]) -> set[str | None]:
    """The ids of the longest run of blocks both bodies have in the same order: the others
    moved."""
    both = {block.id for block in older} & {block.id for block in newer}
    old_ids = [block.id for block in older if block.id in both]
    new_ids = [block.id for block in newer if block.id in both]
    matcher = difflib.SequenceMatcher(None, old_ids, new_ids, autojunk=False)
    return {
        block_id
        for match in matcher.get_matching_blocks()
        for block_id in old_ids[match.a : match.a + match.size]
    }


class WordBudget:
    """How many word pairs one revision diff may compare. Matching two texts word by word takes
    time that grows with the product of their lengths (a 20,000-character block against another
    took 3 s), so past the budget the rest of a diff is given block by block, whole."""

    def __init__(self) -> None:
        self.pairs = WORD_PAIRS

    def spend(self, pairs: int) -> bool:
        if pairs > self.pairs:
            return False
        self.pairs -= pairs
        return True


def diff_words(older: str, newer: str, budget: WordBudget) -> list[TextPiece]:
    """A word-level diff of two texts (their inline HTML, as stored). The words both share at
    the start and the end are set aside first (an edit is mostly that); what is left is matched
    word by word while the budget lasts, and otherwise given whole, deleted and inserted."""
    old_words, new_words = _WORDS.findall(older), _WORDS.findall(newer)
    head = 0
    while head < min(len(old_words), len(new_words)) and old_words[head] == new_words[head]:
        head += 1
    tail = 0
    while (
        tail < min(len(old_words), len(new_words)) - head
        and old_words[-1 - tail] == new_words[-1 - tail]
    ):
        tail += 1
    old_middle = old_words[head : len(old_words) - tail]
    new_middle = new_words[head : len(new_words) - tail]
    pieces = [TextPiece(op="equal", text="".join(old_words[:head]))]
    if budget.spend(len(old_middle) * len(new_middle)):
        pieces += _matched(old_middle, new_middle)
    else:
        pieces += [
            TextPiece(op="delete", text="".join(old_middle)),
            TextPiece(op="insert", text="".join(new_middle)),
        ]
    pieces.append(TextPiece(op="equal", text="".join(old_words[len(old_words) - tail :])))
    return _joined(pieces)


def _matched(old_words: list[str], new_words: list[str]) -> list[TextPiece]:
    matcher = difflib.SequenceMatcher(None, old_words, new_words, autojunk=False)
    pieces: list[TextPiece] = []
    for op, old_start, old_end, new_start, new_end in matcher.get_opcodes():
        if op in ("equal", "delete", "replace") and old_start < old_end:
            kind: Literal["equal", "delete"] = "equal" if op == "equal" else "delete"
            pieces.append(TextPiece(op=kind, text="".join(old_words[old_start:old_end])))
        if op in ("insert", "replace") and new_start < new_end:
            pieces.append(TextPiece(op="insert", text="".join(new_words[new_start:new_end])))
    return pieces


def _joined(pieces: list[TextPiece]) -> list[TextPiece]:
    """Empty pieces dropped and neighbours of one kind made one."""
    joined: list[TextPiece] = []
    for piece in pieces:
        if not piece.text:
            continue
        if joined and joined[-1].op == piece.op:
            joined[-1] = TextPiece(op=piece.op, text=joined[-1].text + piece.text)
        else:
            joined.append(piece)
    return joined
