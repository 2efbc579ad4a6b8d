"""Check sandboxed sources on their syntax tree before anything compiles or runs them.

No imports, no name or attribute starting with `_`, no attribute that reaches frames, code or
globals, no `str.format` (it reads attributes named inside the format string), no assignment to
a helper, and in expressions no method that changes data. A source that passes is compiled with
the size-checking rewrites of bounded.py; the code objects are cached per source string.
"""

from __future__ import annotations

import ast
import functools
import math
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from types import CodeType
from typing import Literal, NamedTuple

from .bounded import rewrite
from .errors import SandboxViolation

Mode = Literal["eval", "exec"]

FORBIDDEN_CALLS = frozenset(
    {
        *("eval", "exec", "compile", "open", "getattr", "setattr", "delattr", "hasattr", "vars", "globals"),
        *("locals", "dir", "type", "__import__", "input", "breakpoint", "memoryview", "object", "super"),
        *("classmethod", "staticmethod", "property", "help", "exit", "quit"),
    }
)
# Attributes that read attributes by name, or reach frames, code objects and module globals.
DENIED_ATTRIBUTES = frozenset(
    {
        *("format", "format_map", "mro", "as_integer_ratio"),
        *("gi_frame", "gi_code", "gi_yieldfrom", "cr_frame", "cr_code", "cr_await"),
        *("ag_frame", "ag_code", "ag_await", "f_globals", "f_locals", "f_back", "f_builtins", "f_code"),
        *("tb_frame", "tb_next", "co_code", "func_globals", "func_code"),
    }
)
# Whole families of frame/code/generator/traceback attributes, including ones newer Pythons add.
DENIED_ATTRIBUTE_PREFIXES = ("gi_", "cr_", "ag_", "f_", "tb_", "co_", "func_", "im_")
# Expressions (conditions, timers, DMN cells) must not change task data; these methods would.
MUTATING_METHODS = frozenset(
    {
        *("append", "extend", "insert", "pop", "popitem", "remove", "clear", "update", "setdefault"),
        *("sort", "reverse", "add", "discard"),
        *("difference_update", "intersection_update", "symmetric_difference_update"),
    }
)
MAX_EXPONENT = 64
_FORBIDDEN_NODES: dict[type[ast.AST], str] = {
    ast.Import: "import is not allowed; helpers are provided by the environment",
    ast.ImportFrom: "import is not allowed; helpers are provided by the environment",
    ast.Global: "'global' is not allowed",
    ast.Nonlocal: "'nonlocal' is not allowed",
    ast.ClassDef: "class definitions are not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield from' is not allowed",
    ast.Await: "async code is not allowed",
    ast.AsyncFunctionDef: "async code is not allowed",
    ast.AsyncFor: "async code is not allowed",
    ast.AsyncWith: "async code is not allowed",
}
# (node type, field, the field names an attribute rather than a variable)
_NAME_FIELDS: tuple[tuple[type[ast.AST], str, bool], ...] = (
    (ast.Name, "id", False),
    (ast.Attribute, "attr", True),
    (ast.keyword, "arg", False),
    (ast.FunctionDef, "name", False),
    (ast.arg, "arg", False),
    (ast.ExceptHandler, "name", False),
    (ast.MatchAs, "name", False),
    (ast.MatchStar, "name", False),
    (ast.MatchMapping, "rest", False),
    (ast.MatchClass, "kwd_attrs", True),  # `case C(attr=x)` reads C's attribute `attr`
)
_BINDING_NODES = (ast.FunctionDef, ast.arg, ast.ExceptHandler, ast.MatchAs, ast.MatchStar, ast.MatchMapping)
_CACHE_SIZE = 2048


class Compiled(NamedTuple):
    """A checked code object and the reserved names its source reads."""

    code: CodeType
    reserved_loads: frozenset[str]  # helper/builtin names the source reads


def check_source(source: str, mode: Mode, *, reserved: AbstractSet[str] = frozenset()) -> None:
    """Raise `SandboxViolation` unless `source` may run in the sandbox.

    `reserved` names (helpers, builtins) may be read but not assigned.
    """
    compile_checked(source, mode, frozenset(reserved))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def compile_checked(source: str, mode: Mode, reserved: frozenset[str]) -> Compiled:
    """Check `source` and compile it with the size-checking rewrites; cached per source and mode."""
    if mode == "eval":
        source = source.strip()  # condition text in BPMN XML often carries surrounding newlines
    try:
        tree = ast.parse(source, "<string>", mode)
    except SyntaxError as err:
        raise SandboxViolation(f"syntax error: {err.msg}", err.lineno) from None
    except (ValueError, RecursionError, MemoryError) as err:
        raise SandboxViolation(f"cannot parse: {err}") from None
    loads: set[str] = set()
    problems: list[tuple[tuple[int, int, int], int, str]] = []
    for node, position in _walk(tree):
        problem = _construct_problem(node, mode) or _name_problem(node, reserved)
        if problem:
            problems.append((position, len(problems), problem))
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            loads.add(node.id)
    if problems:
        # Report the first problem in reading order: in `a.b.c` the tree puts `.c` first.
        (line, _, _), _, message = min(problems)
        raise SandboxViolation(message, line)
    try:
        code = compile(rewrite(tree), "<string>", mode, dont_inherit=True)
    except SyntaxError as err:  # e.g. `return` outside a function: only the compiler sees it
        raise SandboxViolation(f"syntax error: {err.msg}", err.lineno) from None
    except RecursionError:
        raise SandboxViolation("expression is nested too deeply") from None
    return Compiled(code, frozenset(loads & reserved))


def _walk(tree: ast.AST) -> Iterator[tuple[ast.AST, tuple[int, int, int]]]:
    """Yield every node with (line, end line, end column), inherited where a node has none."""
    stack: list[tuple[ast.AST, tuple[int, int, int]]] = [(tree, (1, 1, 0))]
    while stack:
        node, position = stack.pop()
        line = getattr(node, "lineno", None)
        if line is not None:
            # End positions order `a.b.c` as read: all three attributes start at `a`.
            position = (
                line,
                getattr(node, "end_lineno", None) or line,
                getattr(node, "end_col_offset", None) or 0,
            )
        yield node, position
        stack.extend((child, position) for child in ast.iter_child_nodes(node))


def _construct_problem(node: ast.AST, mode: Mode) -> str | None:
    """Describe why a statement or expression form is refused, or return None."""
    message = _FORBIDDEN_NODES.get(type(node))
    if message:
        return message
    if isinstance(node, ast.comprehension) and node.is_async:
        return "async code is not allowed"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FORBIDDEN_CALLS:
        return f"calling '{node.func.id}' is not allowed"
    if isinstance(node, ast.BinOp | ast.AugAssign) and isinstance(node.op, ast.Pow):
        exponent = node.right if isinstance(node, ast.BinOp) else node.value
        if not _is_small_number(exponent):
            return f"'**' needs a number literal of at most {MAX_EXPONENT} as exponent"
    return _attribute_problem(node, mode) if isinstance(node, ast.Attribute) else None


def _attribute_problem(node: ast.Attribute, mode: Mode) -> str | None:
    if not isinstance(node.ctx, ast.Load):
        # Helpers are shared by every case in the process: an attribute set on one would be read by others.
        return f"assigning or deleting attribute '{node.attr}' is not allowed; keep values in variables"
    if mode == "eval" and node.attr in MUTATING_METHODS:
        return f"'{node.attr}' changes data, which an expression must not do"
    return None


def _is_small_number(node: ast.expr) -> bool:
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        node = node.operand
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, int | float)
        and math.isfinite(node.value)
        and abs(node.value) <= MAX_EXPONENT
    )


def _name_problem(node: ast.AST, reserved: frozenset[str]) -> str | None:
    """Describe a refused identifier in `node`, or return None."""
    for node_type, field, is_attribute in _NAME_FIELDS:
        if not isinstance(node, node_type):
            continue
        value = getattr(node, field)
        for name in value if isinstance(value, list) else [value]:
            if name is None:
                continue
            kind = "attribute" if is_attribute else "name"
            if name.startswith("_"):
                return f"{kind} '{name}' is not allowed (names starting with '_' are reserved)"
            if is_attribute and (name in DENIED_ATTRIBUTES or name.startswith(DENIED_ATTRIBUTE_PREFIXES)):
                return f"attribute '{name}' is not allowed"
            if name in reserved and _binds(node):
                return f"'{name}' is a helper or builtin and cannot be assigned; choose another name"
    return None


def _binds(node: ast.AST) -> bool:
    """Return whether `node` gives its name a new value (rather than reading it)."""
    if isinstance(node, ast.Name):
        return not isinstance(node.ctx, ast.Load)
    return isinstance(node, _BINDING_NODES)
