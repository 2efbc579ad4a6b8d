"""Restricted environment for gateway conditions, timers, scripts and DMN cells.

SpiffWorkflow runs expressions with plain `eval`/`exec` (engine-notes P5). Swapping the builtins
alone is no sandbox, because `().__class__.__mro__[1].__subclasses__()` reaches every class in the
process. So every source is first checked on its syntax tree: no imports, no name or attribute
starting with `_`, no attribute that reaches frames, code or globals, no `str.format` (it reads
attributes named inside the format string). Only then is it compiled and run, with a small
builtins table and the helpers. The checked code objects are cached per source string.

Resources are bounded three ways: operations that can grow a value in one C-level step are
rewritten into size-checked calls (bounded.py: `'x' * 10**9`, `int(Decimal('1e30000000'))`,
`'x'.ljust(10**10)`); each evaluation runs under a wall-clock limit (`while True: pass`) and, in a
single-threaded worker, a memory ceiling (time_limit.py). Cases cannot leave data for each other:
the helpers are shared objects, so assigning attributes is refused, and task data is copied in.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import copy
import functools
import importlib
import keyword
import math
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import CodeType, MappingProxyType, ModuleType
from typing import Any, Literal, NamedTuple

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .bounded import BOUNDED_BUILTINS, RUNTIME_HELPERS, rewrite
from .errors import SandboxViolation
from .time_limit import memory_limit, time_limit

Mode = Literal["eval", "exec"]

_SAFE_BUILTIN_NAMES = (
    *("len", "min", "max", "sum", "abs", "round", "int", "float", "str", "bool"),
    *("list", "dict", "set", "tuple", "sorted", "any", "all", "range", "enumerate", "zip", "reversed"),
)
SAFE_BUILTINS: Mapping[str, object] = MappingProxyType(
    {name: getattr(builtins, name) for name in _SAFE_BUILTIN_NAMES}
)
# C code such as `date.strftime` imports `time` through the running code's `__import__`.
_C_LEVEL_IMPORTS = frozenset({"time", "_strptime"})


def _c_level_import(
    name: str,
    _globals: Mapping[str, object] | None = None,
    _locals: Mapping[str, object] | None = None,
    _fromlist: Sequence[str] = (),
    level: int = 0,
) -> ModuleType:
    """Import one of the modules the datetime C code needs; refuse everything else."""
    if level != 0 or name not in _C_LEVEL_IMPORTS:
        raise ImportError(f"import of {name!r} is not allowed in expressions")
    return importlib.import_module(name)


# A plain dict for `__builtins__`; sandboxed code cannot name it (nor `__import__`), so cannot change it.
_BUILTINS_DICT = {**SAFE_BUILTINS, **BOUNDED_BUILTINS, **RUNTIME_HELPERS, "__import__": _c_level_import}

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
_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None), date, datetime, timedelta, Decimal})
_PLAIN_DESCRIPTION = "str, int, float, bool, None, list, dict (str keys), date, datetime, timedelta, Decimal"
_MAX_DEPTH = 100
_CACHE_SIZE = 2048


class _Compiled(NamedTuple):
    code: CodeType
    reserved_loads: frozenset[str]  # helper/builtin names the source reads


def check_source(source: str, mode: Mode, *, reserved: AbstractSet[str] = frozenset()) -> None:
    """Raise `SandboxViolation` unless `source` may run in the sandbox.

    `reserved` names (helpers, builtins) may be read but not assigned.
    """
    _compile(source, mode, frozenset(reserved))


@functools.lru_cache(maxsize=_CACHE_SIZE)
def _compile(source: str, mode: Mode, reserved: frozenset[str]) -> _Compiled:
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
    return _Compiled(code, frozenset(loads & reserved))


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


class SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Spiff script environment that checks every source and runs it with safe builtins and helpers."""

    def __init__(self, helpers: Mapping[str, object]) -> None:
        """Hold `helpers`, the names expressions may call besides the safe builtins."""
        _check_helper_names(helpers)
        super().__init__(dict(helpers))
        self._helpers = dict(helpers)
        self._reserved = frozenset(helpers) | frozenset(SAFE_BUILTINS)

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        """Return the value of `expression` over task data `context`."""
        compiled = _compile(expression, "eval", self._reserved)
        _refuse_clashes(compiled, context, external_context)
        # S307: the code passed check_source and runs with SAFE_BUILTINS only.
        with _limits():
            return eval(compiled.code, self._scope(context, external_context))  # noqa: S307

    def execute(
        self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> bool:
        """Run `script` and store its plain-data results in task data `context`."""
        compiled = _compile(script, "exec", self._reserved)
        _refuse_clashes(compiled, context, external_context)
        # Run on copies: nested values are shared with earlier tasks' snapshots (engine-notes P6).
        scope = self._scope(copy.deepcopy(context), copy.deepcopy(external_context))
        # S102: the code passed check_source and runs with SAFE_BUILTINS only.
        with _limits():
            exec(compiled.code, scope)  # noqa: S102
        results = self._results(scope, context, external_context or {})
        context.clear()
        context.update(results)
        return True

    def _scope(
        self, context: Mapping[str, Any], external_context: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        scope = {**(external_context or {}), **context, **self._helpers}
        scope["__builtins__"] = _BUILTINS_DICT  # last, so no task data key can replace it
        return scope

    def _results(
        self, scope: Mapping[str, Any], context: Mapping[str, Any], external_context: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Return the task data after a script: helpers and functions dropped, values checked."""
        results: dict[str, Any] = {}
        for key, value in scope.items():
            if key == "__builtins__" or (key in external_context and key not in context):
                continue
            if key in self._helpers and value is self._helpers[key]:
                if key in context:  # a field shadowed by a helper; the script could not touch it
                    results[key] = context[key]
                continue
            if callable(value):  # functions and lambdas the script defined are not data
                continue
            results[key] = context[key] if _unchanged(context, key, value) else _plain(value, key)
        return results


@contextlib.contextmanager
def _limits() -> Iterator[None]:
    """Run the block under the wall-clock limit and the memory ceiling."""
    try:
        with time_limit(), memory_limit():
            yield
    except MemoryError:
        raise SandboxViolation(
            "script or expression needed more memory than allowed and was stopped"
        ) from None


def _check_helper_names(helpers: Mapping[str, object]) -> None:
    for name in helpers:
        if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("_"):
            raise ValueError(f"helper name {name!r} cannot be used in expressions")
        if name in SAFE_BUILTINS:
            raise ValueError(f"helper name {name!r} would hide the builtin of that name")


def _refuse_clashes(
    compiled: _Compiled, context: Mapping[str, Any], external_context: Mapping[str, Any] | None
) -> None:
    """Refuse a source that reads a name which is both a helper/builtin and a task data field."""
    for name in compiled.reserved_loads:
        if name in context or (external_context is not None and name in external_context):
            raise SandboxViolation(
                f"task data field '{name}' has the name of a helper or builtin; rename the field"
            )


def _unchanged(context: Mapping[str, Any], key: str, value: object) -> bool:
    if key not in context:
        return False
    old = context[key]
    try:
        return type(old) is type(value) and bool(old == value)
    except Exception:  # an odd __eq__ only means the value gets checked
        return False


def _plain(value: object, path: str, depth: int = 0) -> object:
    """Return `value` as storable task data (tuples become lists) or raise `SandboxViolation`."""
    if depth > _MAX_DEPTH:
        raise SandboxViolation(f"task data '{path}' is nested too deeply or contains itself")
    kind = type(value)
    if kind in _PLAIN_SCALARS:
        if isinstance(value, float) and not math.isfinite(value):
            raise SandboxViolation(f"task data '{path}' is {value}, which JSON cannot store")
        if isinstance(value, Decimal) and not value.is_finite():
            raise SandboxViolation(f"task data '{path}' is Decimal('{value}'), which cannot be stored")
        return value
    if isinstance(value, list | tuple) and kind in (list, tuple):
        return [_plain(item, f"{path}[{index}]", depth + 1) for index, item in enumerate(value)]
    if isinstance(value, dict) and kind is dict:
        for item_key in value:
            if type(item_key) is not str:
                raise SandboxViolation(f"task data '{path}' has a key {item_key!r}; keys must be str")
        return {item_key: _plain(item, f"{path}.{item_key}", depth + 1) for item_key, item in value.items()}
    raise SandboxViolation(
        f"task data '{path}' holds a {kind.__name__}, which cannot be stored (allowed: {_PLAIN_DESCRIPTION})"
    )


class SandboxScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """Spiff's script engine, reporting the line a sandbox violation was found on."""

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        """Wrap a script's error; Spiff itself fails on `KeyError(1)` (it adds `args[0]` to text)."""
        if err.args and not isinstance(err.args[0], str):
            err.args = (repr(err.args[0]), *err.args[1:])
        result: Exception = super().create_task_exec_exception(task, script, err)
        return result

    def get_error_line_number_and_content(self, script: str, err: Exception) -> tuple[int, str]:
        """Return (line number, line text) for an error raised while running `script`."""
        if isinstance(err, SandboxViolation) and err.line_number:
            lines = script.splitlines()
            line = err.line_number
            return line, lines[line - 1] if line <= len(lines) else ""
        result: tuple[int, str] = super().get_error_line_number_and_content(script, err)
        return result


def make_script_engine(helpers: Mapping[str, object]) -> PythonScriptEngine:
    """Return a Spiff script engine that runs every expression and script in the sandbox."""
    return SandboxScriptEngine(environment=SandboxEnvironment(helpers))
