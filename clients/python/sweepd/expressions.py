"""Constraint expressions: parse `batch_size * layers <= 4096` once, evaluate it on
run configs, never with Python's `eval`.

The text is parsed by `ast.parse(mode="eval")`, so precedence and associativity are
Python's own (what a reader of `a + b * c < d or not e` expects), and the tree is
then translated into this module's own small node types under a strict whitelist:

- literals: numbers, strings, True, False; lists/tuples only on the right of `in`;
- names: parameter names, dotted for nested ones (`optimizer.lr`);
- `+ - * / // % **`, unary `- + not`, `and or`, comparisons (chained too), `in`,
  `not in`;
- calls of exactly `abs min max log exp`, with positional arguments only.

Anything else (attributes of values, subscripts, lambdas, comprehensions, keyword
arguments, other functions) is refused with its position. Nothing is looked up in
Python's namespaces: names resolve only to the run config's values, functions only
to the five above. `ast.parse` itself runs no code; it only builds a tree.

Evaluation is defensive: arithmetic takes numbers only (no `"a" * 10**9`), `**`
with big integer operands is done in floats, and any error while evaluating (a type
mismatch, log of 0, division by zero, overflow) makes the constraint *not hold*, so
a config whose feasibility cannot be shown is never handed out. A constraint that
names a parameter the config does not hold (an inactive conditional parameter)
holds.
"""

from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Any, Callable, Mapping

MAX_LENGTH = 2000  # characters of one expression
MAX_NODES = 500  # nodes of one parsed expression

_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
}
_COMPARE: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
}
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, int]] = {
    # name -> (function, least and most arguments)
    "abs": (abs, 1, 1),
    "min": (min, 2, 64),
    "max": (max, 2, 64),
    "log": (math.log, 1, 1),
    "exp": (math.exp, 1, 1),
}


class ExpressionError(ValueError):
    """A constraint that does not parse or uses something outside the whitelist."""


class _Missing(Exception):
    """A named parameter is not in the config (it is inactive): the constraint holds."""


@dataclass(frozen=True)
class Expression:
    """A parsed constraint: `names` are the dotted parameter names it reads."""

    text: str
    names: frozenset[str]
    _root: Any

    def holds(self, flat: Mapping[str, Any]) -> bool:
        """Whether the constraint holds for a flat run config (dotted keys)."""
        try:
            return bool(self._root(flat))
        except _Missing:
            return True
        except (ArithmeticError, TypeError, ValueError, RecursionError):
            return False


def parse_expression(text: str) -> Expression:
    """Parse one constraint; raise ExpressionError saying what and where."""
    if not isinstance(text, str):
        raise ExpressionError("must be a string")
    if not text.strip():
        raise ExpressionError("must not be empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"longer than {MAX_LENGTH} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        where = f" at column {e.offset}" if e.offset else ""
        raise ExpressionError(f"syntax error{where}: {e.msg}") from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("cannot be parsed (too deeply nested?)") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise ExpressionError(f"more than {MAX_NODES} terms")
    names: set[str] = set()
    try:
        root = _Translator(names).node(tree.body)
    except RecursionError:
        raise ExpressionError("too deeply nested") from None
    return Expression(text=text, names=frozenset(names), _root=root)


class _Translator:
    """ast node -> closure taking the flat config, refusing all that is not whitelisted."""

    def __init__(self, names: set[str]):
        self.names = names

    def node(self, n: ast.AST) -> Callable[[Mapping[str, Any]], Any]:
        method = getattr(self, "_" + type(n).__name__, None)
        if method is None:
            raise ExpressionError(f"{_describe(n)} is not allowed{_where(n)}")
        return method(n)

    def _Constant(self, n: ast.Constant):
        value = n.value
        if isinstance(value, bool) or (
            isinstance(value, (int, float, str)) and not isinstance(value, complex)
        ):
            return lambda flat: value
        raise ExpressionError(f"the literal {value!r} is not allowed{_where(n)}")

    def _Name(self, n: ast.Name):
        return self._lookup(n.id)

    def _Attribute(self, n: ast.Attribute):
        return self._lookup(_dotted(n))

    def _lookup(self, name: str):
        self.names.add(name)

        def read(flat):
            try:
                return flat[name]
            except KeyError:
                raise _Missing(name) from None

        return read

    def _UnaryOp(self, n: ast.UnaryOp):
        operand = self.node(n.operand)
        if isinstance(n.op, ast.Not):
            return lambda flat: not operand(flat)
        if isinstance(n.op, ast.USub):
            return lambda flat: -_number(operand(flat))
        if isinstance(n.op, ast.UAdd):
            return lambda flat: +_number(operand(flat))
        raise ExpressionError(f"the operator {type(n.op).__name__} is not allowed{_where(n)}")

    def _BinOp(self, n: ast.BinOp):
        left, right = self.node(n.left), self.node(n.right)
        if isinstance(n.op, ast.Pow):
            return lambda flat: _power(_number(left(flat)), _number(right(flat)))
        fn = _BINARY.get(type(n.op))
        if fn is None:
            raise ExpressionError(f"the operator {type(n.op).__name__} is not allowed{_where(n)}")
        return lambda flat: fn(_number(left(flat)), _number(right(flat)))

    def _BoolOp(self, n: ast.BoolOp):
        parts = [self.node(v) for v in n.values]
        if isinstance(n.op, ast.And):
            return lambda flat: all(p(flat) for p in parts)
        return lambda flat: any(p(flat) for p in parts)

    def _Compare(self, n: ast.Compare):
        terms = [self.node(n.left)]
        ops = []
        for op, right in zip(n.ops, n.comparators):
            fn = _COMPARE.get(type(op))
            if fn is None:
                raise ExpressionError(f"the comparison {type(op).__name__} is not allowed{_where(n)}")
            if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, (ast.List, ast.Tuple)):
                terms.append(self._collection(right))
            else:
                terms.append(self.node(right))
            ops.append(fn)

        def compare(flat):
            left = terms[0](flat)
            for fn, term in zip(ops, terms[1:]):
                right = term(flat)
                if not fn(left, right):
                    return False
                left = right
            return True

        return compare

    def _collection(self, n: ast.List | ast.Tuple):
        items = [self.node(e) for e in n.elts]
        return lambda flat: [item(flat) for item in items]

    def _Call(self, n: ast.Call):
        name = n.func.id if isinstance(n.func, ast.Name) else None
        if name not in FUNCTIONS:
            raise ExpressionError(
                f"only the functions {', '.join(FUNCTIONS)} may be called{_where(n)}"
            )
        if n.keywords or any(isinstance(a, ast.Starred) for a in n.args):
            raise ExpressionError(f"{name}() takes plain positional arguments{_where(n)}")
        fn, least, most = FUNCTIONS[name]
        if not least <= len(n.args) <= most:
            raise ExpressionError(f"{name}() takes {least}..{most} arguments{_where(n)}")
        args = [self.node(a) for a in n.args]
        return lambda flat: fn(*[_number(a(flat)) for a in args])


def _dotted(n: ast.AST) -> str:
    if isinstance(n, ast.Name):
        return n.id
    if isinstance(n, ast.Attribute):
        return f"{_dotted(n.value)}.{n.attr}"
    raise ExpressionError(f"{_describe(n)} is not allowed in a dotted name{_where(n)}")


def _number(value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{value!r} is not a number")
    return value


def _power(base: int | float, exponent: int | float) -> int | float:
    if isinstance(base, int) and isinstance(exponent, int) and (
        abs(exponent) > 64 or abs(base) > 2**64
    ):
        return float(base) ** float(exponent)  # OverflowError rather than a huge int
    return base**exponent


def _where(n: ast.AST) -> str:
    col = getattr(n, "col_offset", None)
    return f" (at column {col + 1})" if col is not None else ""


def _describe(n: ast.AST) -> str:
    return {
        "Subscript": "indexing", "Lambda": "lambda", "IfExp": "if-else",
        "ListComp": "a comprehension", "GeneratorExp": "a comprehension",
        "Dict": "a dict", "Set": "a set", "List": "a list outside `in`",
        "Tuple": "a tuple outside `in`", "JoinedStr": "an f-string",
        "NamedExpr": ":=", "Starred": "*",
    }.get(type(n).__name__, type(n).__name__)
