"""Case text search: `LIKE '%term%'` on the case text and title, served by an index on PostgreSQL.

Terms of three or more characters use the `pg_trgm` GIN indexes (migration perfb_01). A term of two
characters (a name such as 王伟) has no trigram; for it the condition also asks the bigram index of
migration perfc_01 (`zhifa_bigrams(search_text || ' ' || title) @> ARRAY[term]`), which finds the
few cases holding those two characters; the `LIKE` then checks them. The results are the same with
and without the index (SQLite has none and scans).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, cast, func, literal_column, or_
from sqlalchemy.dialects.postgresql import ARRAY, array
from sqlalchemy.types import Text

from ..models import ProcessInstance


def like_pattern(text: str) -> str:
    """Return the `LIKE` pattern matching `text` anywhere (wildcards in it taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def bigram_key() -> ColumnElement[list[str]]:
    """Return the indexed expression, exactly as the index spells it (the planner matches it as written)."""
    separated = ProcessInstance.search_text.op("||")(literal_column("' '")).op("||")(ProcessInstance.title)
    return func.zhifa_bigrams(separated, type_=ARRAY(Text))


def text_condition(text: str, dialect: str) -> ColumnElement[bool]:
    """Return the condition "the case text or title contains `text`" for the given SQL dialect."""
    pattern = like_pattern(text)
    contains = or_(
        ProcessInstance.search_text.like(pattern, escape="\\"),
        ProcessInstance.title.like(pattern, escape="\\"),
    )
    if dialect == "postgresql" and len(text) == 2:
        return and_(bigram_key().contains(cast(array([text]), ARRAY(Text))), contains)
    return contains
