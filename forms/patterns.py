"""Form `pattern`s: refused at deploy when they could backtrack catastrophically, matched in linear time.

A pattern comes from a process owner's form file and is matched against text anyone can submit.
Python's `re` backtracks: `(a+)+$` against thirty `a`s and a `b` takes minutes. So the server
matches with RE2 (google-re2), whose time is linear in the text, and refuses at deploy what RE2
cannot run (backreferences, look-around). The same pattern also goes to clients in the form's JSON
Schema, where a browser's backtracking engine would run it; so patterns with nested unbounded
quantifiers or overlapping repeated alternatives, the classic catastrophic shapes, are refused at
deploy too.

RE2 reads Python's syntax with two differences: `\\d`, `\\w` and `\\s` cover ASCII only (write
`[0-9０-９]` or `\\p{Han}` where other scripts count), and it knows no `\\uXXXX` escape, so those are
rewritten to RE2's `\\x{XXXX}` here.
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # the public `sre_constants` alias warns of its removal
import re._parser as sre_parse  # the stdlib parser that `re` itself uses; no other parser sees the same tree
from collections.abc import Iterable
from functools import lru_cache
from typing import Any, Final, Protocol

import re2

MAX_PATTERN_LENGTH: Final = 1000
_UNBOUNDED: Final = sre_constants.MAXREPEAT
_REPEATS = (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT)
_ANY: Final = "any"
# `\uXXXX` / `\UXXXXXXXX` not preceded by an odd number of backslashes (those would escape the `\`).
_UNICODE_ESCAPE: Final = re.compile(r"(?<!\\)((?:\\\\)*)\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")


class Matcher(Protocol):
    """A compiled pattern (RE2)."""

    def fullmatch(self, text: str) -> object | None:
        """Match the whole text or return None."""


class PatternError(ValueError):
    """A pattern that cannot be used, with the reason in words."""


def _options() -> Any:
    options = re2.Options()
    options.log_errors = False  # RE2 would print every refused pattern to stderr
    return options


@lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Matcher:
    """Return a linear-time matcher for `pattern`, or raise PatternError saying why it is refused."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise PatternError(f"pattern is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        parsed = sre_parse.parse(pattern)
    except (re2.error, sre_constants.error, RecursionError) as exc:
        raise PatternError(f"pattern is not a valid regular expression: {exc}") from None
    problem = backtracking_problem(parsed)
    if problem:
        raise PatternError(f"pattern can take exponential time to match: {problem}")
    try:
        matcher: Matcher = re2.compile(_for_re2(pattern), _options())
    except re2.error as exc:
        raise PatternError(
            f"pattern uses syntax the linear-time matcher does not support ({_text(exc)})"
        ) from None
    return matcher


def _for_re2(pattern: str) -> str:
    """Rewrite Python's `\\uXXXX` escapes into RE2's `\\x{XXXX}`."""
    return _UNICODE_ESCAPE.sub(lambda m: f"{m[1]}\\x{{{m[2] or m[3]}}}", pattern)


def _text(exc: Exception) -> str:
    message = exc.args[0] if exc.args else exc
    return message.decode() if isinstance(message, bytes) else str(message)


def backtracking_problem(parsed: Iterable[tuple[Any, Any]]) -> str | None:
    """Describe a catastrophic-backtracking shape in a parsed pattern, or return None."""
    for op, arg in parsed:
        if op in _REPEATS:
            _low, high, body = arg
            if high == _UNBOUNDED or high > 1:
                problem = _repeated_body_problem(body)
                if problem:
                    return problem
        for child in _children(op, arg):
            problem = backtracking_problem(child)
            if problem:
                return problem
    return None


def _repeated_body_problem(body: Any) -> str | None:
    if _has_unbounded_repeat(body):
        return (
            "a repeated group contains another unbounded repeat (like '(a+)+'), which can backtrack for ever"
        )
    if _min_width(body) == 0:
        return "a repeated group can match empty text (like '(a*)*'), which can backtrack for ever"
    for op, arg in body:
        if op is sre_constants.SUBPATTERN:
            return _repeated_body_problem(arg[-1])
        if op is sre_constants.BRANCH and _branches_overlap(arg[1]):
            return "a repeated choice has alternatives that start alike (like '(a|ab)*'), which can backtrack"
    return None


def _children(op: Any, arg: Any) -> list[Any]:
    if op is sre_constants.SUBPATTERN:
        return [arg[-1]]
    if op in _REPEATS:
        return [arg[2]]
    if op is sre_constants.BRANCH:
        return list(arg[1])
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return [arg[1]]
    if op is sre_constants.ATOMIC_GROUP:
        return [arg]
    return []


def _has_unbounded_repeat(parsed: Any) -> bool:
    for op, arg in parsed:
        if op in _REPEATS and arg[1] == _UNBOUNDED:
            return True
        if any(_has_unbounded_repeat(child) for child in _children(op, arg)):
            return True
    return False


def _min_width(parsed: Any) -> int:
    low, _high = parsed.getwidth() if hasattr(parsed, "getwidth") else (1, 1)
    return int(low)


def _branches_overlap(branches: list[Any]) -> bool:
    firsts = [_first_chars(branch) for branch in branches]
    for index, first in enumerate(firsts):
        for other in firsts[index + 1 :]:
            if isinstance(first, str) or isinstance(other, str) or first & other:
                return True
    return False


def _first_chars(parsed: Any) -> set[int] | str:
    """Return the code points a branch can start with (`_ANY` when that is not simply known)."""
    for op, arg in parsed:
        if op is sre_constants.LITERAL:
            return {arg}
        if op is sre_constants.IN:
            return _class_chars(arg)
        if op is sre_constants.SUBPATTERN:
            return _first_chars(arg[-1])
        if op in (sre_constants.AT,):
            continue
        return _ANY
    return _ANY


_CATEGORIES: Final = {
    sre_constants.CATEGORY_DIGIT: set(range(ord("0"), ord("9") + 1)),
    sre_constants.CATEGORY_SPACE: {ord(c) for c in " \t\n\r\f\v"},
}


def _class_chars(items: list[tuple[Any, Any]]) -> set[int] | str:
    chars: set[int] = set()
    for kind, value in items:
        if kind is sre_constants.LITERAL:
            chars.add(value)
        elif kind is sre_constants.RANGE and value[1] - value[0] < 100_000:
            chars.update(range(value[0], value[1] + 1))
        elif kind is sre_constants.CATEGORY and value in _CATEGORIES:
            chars |= _CATEGORIES[value]
        else:
            return _ANY  # negated classes, \w and the like: assume they may overlap
    return chars
