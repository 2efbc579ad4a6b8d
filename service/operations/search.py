"""Case text search: `LIKE '%term%'` on the case text and title, served by an index on PostgreSQL.

Terms of three or more characters use the `pg_trgm` GIN indexes (migration perfb_01). A term of two
characters (a name such as 王伟) has no trigram; for it the condition also asks the bigram index of
migration perfc_01 (`zhifa_bigrams(search_text || ' ' || title) @> ARRAY[term]`), which finds the
few cases holding those two characters; the `LIKE` then checks them. A term of one character (张, 路,
a digit) asks the character index of migration perfd_01 (`string_to_array(search_text || ' ' ||
title, NULL) @> ARRAY[term]`: the text's characters; a built-in function, so checking it on a row
is cheap and the planner knows from the index statistics how common each character is). A rare
character is fetched from the index and sorted; a common one (路 is in every address) is found by
walking the cases newest first, which stops when the page is full. The results are the same with
and without the indexes (SQLite has none and scans).

Counts of a text search stop at COUNT_CAP (the list then says "more than 1,000"): counting every case
holding 路 would read them all, for a figure nobody pages through.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, cast, func, literal_column, null, or_
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.types import Text

from ..models import ProcessInstance

COUNT_CAP = 1000  # a text search counts its matches up to here (see the module docstring)


def like_pattern(text: str) -> str:
    """Return the `LIKE` pattern matching `text` anywhere (wildcards in it taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def bigram_key() -> ColumnElement[list[str]]:
    """Return the indexed expression, exactly as the index spells it (the planner matches it as written)."""
    separated = ProcessInstance.search_text.op("||")(literal_column("' '")).op("||")(ProcessInstance.title)
    return func.zhifa_bigrams(separated, type_=ARRAY(Text))


def chars_key() -> ColumnElement[list[str]]:
    """Return the expression of the character index, exactly as migration perfd_01 spells it."""
    separated = ProcessInstance.search_text.op("||")(literal_column("' '")).op("||")(ProcessInstance.title)
    return func.string_to_array(separated, null(), type_=ARRAY(Text))


def text_condition(text: str, dialect: str) -> ColumnElement[bool]:
    """Return the condition "the case text or title contains `text`" for the given SQL dialect."""
    pattern = like_pattern(text)
    contains = or_(
        ProcessInstance.search_text.like(pattern, escape="\\"),
        ProcessInstance.title.like(pattern, escape="\\"),
    )
    if dialect == "postgresql" and len(text) == 2:
        return and_(bigram_key().contains(cast(array([text]), ARRAY(Text))), contains)
    if dialect == "postgresql" and len(text) == 1:
        return and_(chars_key().contains(cast(array([text]), ARRAY(Text))), contains)
    return contains


def walks_newest_first(text: str | None) -> bool:
    """Whether a search may walk the cases newest first (the planner then picks: walk or index + sort).

    For one character the planner knows from the index statistics how common the character is, so
    it is left to choose. For longer terms its estimate of the matches is far too high, and walking
    the primary key testing `LIKE` on every case until a page is full would not pay; the order key
    is then `id + 0`, and the few index matches are sorted (see visibility.newest_first).
    """
    return not text or len(text.strip()) == 1
