"""Size checks for the operations that can hang or balloon a worker in one C-level step.

The wall-clock limit (time_limit.py) stops Python-level loops, but a signal is only handled between
bytecodes: `int(Decimal('1e30000000'))`, `'a' * 10**10` or `'x'.ljust(10**10)` run for minutes (or
take gigabytes) inside one instruction. So the sandbox rewrites, after its checks pass, every
`*`, `+`, `**`, `<<`, `%`, f-string format spec and call of a growing method (`ljust`, `replace`,
`join`, ...) into a call of a checked helper below, and replaces the `int`, `round` and `sum`
builtins. The helpers estimate the size of the result *before* computing it and raise
`SandboxViolation` when it is over the limit; otherwise they return exactly what Python would.
Helper names start with `__zf_`: sandboxed source cannot name them (names starting with `_` are
refused before the rewrite), so scripts cannot replace them.
"""

from __future__ import annotations

import ast
import builtins
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

from .errors import SandboxViolation

MAX_ITEMS: Final = 1_000_000  # characters of a text, items of a list, bytes of a bytes object
MAX_INT_BITS: Final = 10_000  # about 3,000 decimal digits: far beyond any amount or count in a case
MAX_WIDTH: Final = 10_000  # widths and precisions in format specs and %-templates
MAX_INT_DIGITS: Final = MAX_INT_BITS * 3 // 10
MAX_RANGE: Final = 100_000

_SEQUENCES = (str, bytes, list, tuple)
_GROWING_METHODS: Final = frozenset(
    {"ljust", "rjust", "center", "zfill", "expandtabs", "replace", "join", "translate", "to_bytes", "extend"}
)
_PERCENT_FIELD = re.compile(rb"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([a-zA-Z%])")
_DIGIT_RUN = re.compile(r"\d+")


def _too_big(what: str, size: int, limit: int = MAX_ITEMS) -> SandboxViolation:
    return SandboxViolation(f"{what} would have {size:,} items, over the limit of {limit:,}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_sequence(what: str, size: int) -> None:
    if size > MAX_ITEMS:
        raise _too_big(what, size)


def _check_bits(what: str, bits: int) -> None:
    if bits > MAX_INT_BITS:
        raise SandboxViolation(
            f"{what} would be an integer of {bits:,} bits, over the limit of {MAX_INT_BITS:,}"
        )


def guard_mul(left: Any, right: Any) -> Any:
    """Return `right` if `left * right` stays within the limits (for `left *= right`)."""
    if _is_int(left) and _is_int(right):
        _check_bits("'*'", left.bit_length() + right.bit_length())
    elif isinstance(left, _SEQUENCES) and _is_int(right):
        _check_sequence("'*'", len(left) * max(right, 0))
    elif isinstance(right, _SEQUENCES) and _is_int(left):
        _check_sequence("'*'", len(right) * max(left, 0))
    return right


def checked_mul(left: Any, right: Any) -> Any:
    """`left * right`, refusing repeated sequences and integers over the limits."""
    return left * guard_mul(left, right)


def guard_add(left: Any, right: Any) -> Any:
    """Return `right` if `left + right` stays within the limits (for `left += right`)."""
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES):
        _check_sequence("'+'", len(left) + len(right))
    return right


def checked_add(left: Any, right: Any) -> Any:
    """`left + right`, refusing sequences over the limit (doubling in a loop grows fast)."""
    return left + guard_add(left, right)


def checked_pow(base: Any, exponent: Any) -> Any:
    """`base ** exponent`, refusing integer results over the bit limit."""
    if _is_int(base) and _is_int(exponent) and exponent > 0 and abs(base) > 1:
        _check_bits("'**'", base.bit_length() * exponent)
    return base**exponent


def checked_lshift(value: Any, shift: Any) -> Any:
    """`value << shift`, refusing integer results over the bit limit."""
    if _is_int(value) and _is_int(shift) and value and shift > 0:
        _check_bits("'<<'", value.bit_length() + shift)
    return value << shift


def checked_mod(left: Any, right: Any) -> Any:
    """`left % right`; for %-formatting, refuse huge widths and integer conversions of huge Decimals."""
    if isinstance(left, str | bytes):
        template = left.encode("utf-8", "surrogatepass") if isinstance(left, str) else left
        for width, precision, kind in _PERCENT_FIELD.findall(template):
            for number in (width, precision):
                if number == b"*" or (number and int(number) > MAX_WIDTH):
                    raise SandboxViolation(
                        f"%-format width or precision is '*' or over the limit of {MAX_WIDTH}"
                    )
            if kind in b"diu":
                for value in right.values() if isinstance(right, dict) else _as_tuple(right):
                    _check_decimal_to_int(value)
    return left % right


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)


def checked_format(value: Any, spec: str, conversion: int) -> str:
    """`f'{value!c:spec}'`: refuse widths, precisions and fixed-point Decimals over the limits."""
    if conversion == ord("r"):
        value = repr(value)
    elif conversion == ord("s"):
        value = str(value)
    elif conversion == ord("a"):
        value = ascii(value)
    for number in _DIGIT_RUN.findall(spec):
        if int(number) > MAX_WIDTH:
            raise SandboxViolation(f"format width or precision {number} is over the limit of {MAX_WIDTH}")
    fixed = spec[-1:] in ("f", "F", "%")
    if fixed and isinstance(value, Decimal) and value.is_finite() and abs(value.adjusted()) > MAX_WIDTH:
        raise SandboxViolation(f"fixed-point text of {value} would be too long")
    return format(value, spec)


def checked_method(obj: Any, name: str, *args: Any, **kwargs: Any) -> Any:
    """`obj.name(*args, **kwargs)` for methods that can grow text or lists, checked first."""
    method = getattr(obj, name)  # `name` is a literal the rewrite put here, already checked
    if isinstance(obj, str | bytes | list):
        args = _check_growth(obj, name, args, kwargs)
    elif _is_int(obj) and name == "to_bytes":
        length = args[0] if args else kwargs.get("length", 1)
        if _is_int(length):
            _check_sequence("to_bytes", length)
    return method(*args, **kwargs)


def _check_growth(obj: Any, name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> tuple[Any, ...]:
    """Raise if the method's result would be over the limit; return args (an iterable made a list)."""
    first = args[0] if args else None
    if name in {"ljust", "rjust", "center", "zfill"} and _is_int(first):
        _check_sequence(name, first)
    elif name == "expandtabs":
        size = first if _is_int(first) else kwargs.get("tabsize", 8)
        tab = "\t" if isinstance(obj, str) else b"\t"
        if _is_int(size):
            _check_sequence(name, len(obj) + obj.count(tab) * max(size, 0))
    elif name == "replace" and isinstance(obj, str | bytes) and len(args) >= 2:
        _check_replace(obj, args)
    elif name in {"join", "extend"} and args:
        items = list(first)
        args = (items, *args[1:])
        sizes = [len(item) for item in items] if name == "join" else [len(items)]
        _check_sequence(name, len(obj) * max(len(items) - 1, 0) * (name == "join") + sum(sizes, 0))
    elif name == "translate" and isinstance(first, dict):
        longest = max((len(v) for v in first.values() if isinstance(v, str | bytes)), default=1)
        _check_sequence(name, len(obj) * max(longest, 1))
    return args


def _check_replace(obj: str | bytes, args: tuple[Any, ...]) -> None:
    old, new = args[0], args[1]
    if not (isinstance(old, str | bytes) and isinstance(new, str | bytes)):
        return
    count = obj.count(old) if old else len(obj) + 1  # type: ignore[arg-type]
    if len(args) > 2 and _is_int(args[2]) and args[2] >= 0:
        count = min(count, args[2])
    _check_sequence("replace", len(obj) + count * (len(new) - len(old)))


def _check_decimal_to_int(value: Any) -> None:
    if isinstance(value, Decimal) and value.is_finite() and value.adjusted() > MAX_INT_DIGITS:
        raise SandboxViolation(
            f"converting {value} to an integer would take too long (over {MAX_INT_DIGITS} digits)"
        )


def bounded_int(value: Any = 0, *args: Any) -> int:
    """`int()`, refusing Decimals whose integer would be huge (e.g. `int(Decimal('1e30000000'))`)."""
    _check_decimal_to_int(value)
    if isinstance(value, str | bytes) and len(value) > MAX_INT_DIGITS * 2:
        raise SandboxViolation(f"text of {len(value):,} characters is too long for int()")
    return builtins.int(value, *args)


def bounded_round(value: Any, *args: Any) -> Any:
    """`round()`, refusing Decimals whose integer would be huge."""
    if not args or args[0] is None:
        _check_decimal_to_int(value)
    return builtins.round(value, *args)


def bounded_range(*args: int) -> range:
    """`range`, refusing sizes that would only serve to burn CPU."""
    values = range(*args)
    if len(values) > MAX_RANGE:
        raise SandboxViolation(f"range of {len(values)} items is over the limit of {MAX_RANGE}")
    return values


def bounded_sum(items: Iterable[Any], start: Any = 0) -> Any:
    """`sum()` of numbers; adding lists this way copies quadratically inside one C call, so refused."""
    if isinstance(start, _SEQUENCES):
        raise SandboxViolation("sum() of lists or texts is not allowed; use a comprehension or join")
    return builtins.sum(items, start)


RUNTIME_HELPERS: Final[dict[str, Callable[..., Any]]] = {
    "__zf_mul": checked_mul,
    "__zf_add": checked_add,
    "__zf_pow": checked_pow,
    "__zf_lshift": checked_lshift,
    "__zf_mod": checked_mod,
    "__zf_format": checked_format,
    "__zf_method": checked_method,
    "__zf_guard_mul": guard_mul,
    "__zf_guard_add": guard_add,
}
BOUNDED_BUILTINS: Final[dict[str, Callable[..., Any]]] = {
    "int": bounded_int,
    "round": bounded_round,
    "sum": bounded_sum,
    "range": bounded_range,
}
_OPERATORS: Final[dict[type[ast.operator], str]] = {
    ast.Mult: "__zf_mul",
    ast.Add: "__zf_add",
    ast.Pow: "__zf_pow",
    ast.LShift: "__zf_lshift",
    ast.Mod: "__zf_mod",
}
_GUARDS: Final[dict[type[ast.operator], str]] = {ast.Mult: "__zf_guard_mul", ast.Add: "__zf_guard_add"}


class _Rewriter(ast.NodeTransformer):
    """Route size-changing operations through the checked helpers."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        helper = _OPERATORS.get(type(node.op))
        if helper is None:
            return node
        return ast.copy_location(_call(helper, [node.left, node.right]), node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        # `x += y` keeps its in-place meaning (lists): check the size first, then do it as written.
        self.generic_visit(node)
        if not isinstance(node.target, ast.Name | ast.Subscript):
            return node
        current = _as_load(node.target)
        guard = _GUARDS.get(type(node.op))
        if guard is not None:
            node.value = _call(guard, [current, node.value])  # checks, then hands the operand back
            return node
        helper = _OPERATORS.get(type(node.op))
        if helper is None:
            return node
        return ast.copy_location(ast.Assign([node.target], _call(helper, [current, node.value])), node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        self.generic_visit(node)
        if node.format_spec is None:
            return node
        node.value = _call("__zf_format", [node.value, node.format_spec, ast.Constant(node.conversion)])
        node.format_spec, node.conversion = None, -1
        return node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in _GROWING_METHODS:
            args = [func.value, ast.Constant(func.attr), *node.args]
            return ast.copy_location(ast.Call(ast.Name("__zf_method", ast.Load()), args, node.keywords), node)
        return node


def _call(helper: str, args: list[ast.expr]) -> ast.Call:
    return ast.Call(ast.Name(helper, ast.Load()), args, [])


def _as_load(target: ast.Name | ast.Subscript) -> ast.expr:
    if isinstance(target, ast.Name):
        return ast.Name(target.id, ast.Load())
    return ast.Subscript(target.value, target.slice, ast.Load())


def rewrite(tree: ast.AST) -> ast.AST:
    """Return `tree` with size-changing operations routed through the checked helpers."""
    return ast.fix_missing_locations(_Rewriter().visit(tree))
