"""Restricted environment for gateway conditions, timers, scripts and DMN cells.

SpiffWorkflow runs expressions with plain `eval`/`exec` (engine-notes P5). Swapping the builtins
alone is no sandbox, because `().__class__.__mro__[1].__subclasses__()` reaches every class in the
process. So every source is first checked on its syntax tree (sandbox_check.py). Only then is it
run, with a small builtins table and the helpers.

Resources are bounded three ways: operations that can grow a value in one C-level step are
rewritten into size-checked calls (bounded.py: `'x' * 10**9`, `int(Decimal('1e30000000'))`,
`'x'.ljust(10**10)`); each evaluation runs under a wall-clock limit (`while True: pass`) and, in a
single-threaded worker, a memory ceiling (time_limit.py). Cases cannot leave data for each other:
the helpers are shared objects, so assigning attributes is refused, and task data is copied in.
"""

from __future__ import annotations

import builtins
import contextlib
import importlib
import keyword
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import MappingProxyType, ModuleType
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .bounded import BOUNDED_BUILTINS, RUNTIME_HELPERS
from .errors import SandboxViolation
from .plain_copy import copy_plain
from .sandbox_check import Compiled, Mode, compile_checked
from .time_limit import memory_limit, time_limit

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

_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None), date, datetime, timedelta, Decimal})
_PLAIN_DESCRIPTION = "str, int, float, bool, None, list, dict (str keys), date, datetime, timedelta, Decimal"
_MAX_DEPTH = 100


class SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Spiff script environment that checks every source and runs it with safe builtins and helpers."""

    def __init__(self, helpers: Mapping[str, object]) -> None:
        """Hold `helpers`, the names expressions may call besides the safe builtins."""
        _check_helper_names(helpers)
        super().__init__(dict(helpers))
        self._helpers = dict(helpers)
        self._reserved = frozenset(helpers) | frozenset(SAFE_BUILTINS)

    def precompile(self, sources: Iterable[tuple[str, Mode]]) -> int:
        """Check and compile sources into the per-process cache ahead of use; return how many compiled.

        A source the sandbox refuses is skipped here: it fails, as an incident naming it, when run.
        """
        compiled = 0
        for source, mode in sources:
            try:
                compile_checked(source, mode, self._reserved)
            except SandboxViolation:
                continue
            compiled += 1
        return compiled

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        """Return the value of `expression` over task data `context`."""
        compiled = compile_checked(expression, "eval", self._reserved)
        _refuse_clashes(compiled, context, external_context)
        # S307: the code passed check_source and runs with SAFE_BUILTINS only.
        with _limits():
            return eval(compiled.code, self._scope(context, external_context))  # noqa: S307

    def execute(
        self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> bool:
        """Run `script` and store its plain-data results in task data `context`."""
        compiled = compile_checked(script, "exec", self._reserved)
        _refuse_clashes(compiled, context, external_context)
        # Run on copies: nested values are shared with earlier tasks' snapshots (engine-notes P6).
        scope = self._scope(copy_plain(context), copy_plain(external_context))
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
    compiled: Compiled, context: Mapping[str, Any], external_context: Mapping[str, Any] | None
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
