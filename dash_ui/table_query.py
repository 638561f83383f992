"""The runs table's filter, sort and paging, done on the server.

A 10,000-run sweep's table is 3.6 MB of rows: too much to send on every page load,
so the DataTable asks for one page at a time (`page_action="custom"`), and sorting
and filtering, which must then see every run, are done here on the runs' values.

The filter is the DataTable's own query language (what its filter row writes, what
a link's `filter=` holds), evaluated as the table would in the browser:

- `{column} OP value`, OP one of `=` `!=` `<` `<=` `>` `>=` (or `eq` `ne` `lt` `le`
  `gt` `ge`), `contains`, `datestartswith`; an `i` before OP ignores case, an `s`
  keeps it (the default). A value is a number, a quoted string ('', "", ``) or a
  word. A number against a number compares as numbers, anything else as text;
  `contains` needs text on one side. A run without a value of the column matches
  no comparison.
- `{column} is blank` (no value or ""), `is nil`, `is num`, `is str`, `is bool`,
  `is even`, `is odd`, `is prime`.
- `&&` (`and`), `||` (`or`), `!`, parentheses; `&&` binds tighter.

A filter that does not parse, or names a column the table does not have, is
reported (`FilterError`) and filters nothing, as the table itself ignores it.

Plain functions of pandas Series: `columns(name)` gives a column's values in the
table's own terms (see `updates.TableColumns`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd


class FilterError(ValueError):
    """A filter query the table cannot apply; the message says why."""


@dataclass(frozen=True)
class Field:
    name: str


@dataclass(frozen=True)
class Compare:
    left: Any  # Field or a value
    op: str  # "=", "!=", "<", "<=", ">", ">=", "contains", "datestartswith"
    right: Any
    ignore_case: bool


@dataclass(frozen=True)
class Is:
    operand: Any
    what: str  # "blank", "nil", "num", "str", "bool", "even", "odd", "prime"


@dataclass(frozen=True)
class Not:
    inner: Any


@dataclass(frozen=True)
class Logic:
    op: str  # "and" | "or"
    left: Any
    right: Any


_WORD_OPS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}
_RELATIONAL = re.compile(
    r"(?P<case>[is])?(?P<op>contains(?=\s|$)|datestartswith(?=\s|$)|!=|<=|>=|=|<|>"
    r"|(?:eq|ne|lt|le|gt|ge)(?=\s|$))", re.I)
_UNARY = re.compile(r"is (blank|nil|num|str|bool|even|odd|prime|object)", re.I)
_FIELD = re.compile(r"\{((?:[^{}\\]|\\.)+)\}")
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"|`((?:[^`\\]|\\.)*)`")
_WORD = re.compile(r"((?:[^\s'\"`{}()\\]|\\.)+)(?=[\s)]|$)")
_AND = re.compile(r"and\s|&&", re.I)
_OR = re.compile(r"or\s|\|\|", re.I)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.at = 0

    def fail(self, why: str) -> FilterError:
        return FilterError(f"{why} at character {self.at + 1} of the filter {self.text!r}")

    def skip(self) -> None:
        while self.at < len(self.text) and self.text[self.at].isspace():
            self.at += 1

    def match(self, pattern: re.Pattern) -> re.Match | None:
        self.skip()
        found = pattern.match(self.text, self.at)
        if found:
            self.at = found.end()
        return found

    def literal(self, char: str) -> bool:
        self.skip()
        if self.text.startswith(char, self.at):
            self.at += len(char)
            return True
        return False

    def parse(self) -> Any:
        tree = self.either()
        self.skip()
        if self.at < len(self.text):
            raise self.fail("unexpected text")
        return tree

    def either(self) -> Any:
        tree = self.both()
        while self.match(_OR):
            tree = Logic("or", tree, self.both())
        return tree

    def both(self) -> Any:
        tree = self.term()
        while self.match(_AND):
            tree = Logic("and", tree, self.term())
        return tree

    def term(self) -> Any:
        if self.literal("!"):
            return Not(self.term())
        if self.literal("("):
            tree = self.either()
            if not self.literal(")"):
                raise self.fail("a ( without its )")
            return tree
        left = self.operand()
        found = self.match(_UNARY)
        if found:
            return Is(left, found.group(1).lower())
        found = self.match(_RELATIONAL)
        if not found:
            raise self.fail("an operator expected")
        op = found.group("op").lower()
        return Compare(left, _WORD_OPS.get(op, op), self.operand(),
                       (found.group("case") or "s").lower() == "i")

    def operand(self) -> Any:
        found = self.match(_FIELD)
        if found:
            return Field(_unescape(found.group(1)))
        found = self.match(_QUOTED)
        if found:
            return _unescape(next(g for g in found.groups() if g is not None))
        found = self.match(_WORD)
        if found:
            word = found.group(1)
            if _NUMBER.fullmatch(word):
                return float(word)
            return _unescape(word)
        raise self.fail("a {column} or a value expected")


def parse_filter(query: str) -> Any:
    """The filter's tree (None for an empty filter); FilterError when it does not parse."""
    if not query or not query.strip():
        return None
    return _Parser(query).parse()


def fields_of(tree: Any) -> set[str]:
    """The columns a filter's tree names."""
    if isinstance(tree, Field):
        return {tree.name}
    if isinstance(tree, Compare):
        return fields_of(tree.left) | fields_of(tree.right)
    if isinstance(tree, Is):
        return fields_of(tree.operand)
    if isinstance(tree, Not):
        return fields_of(tree.inner)
    if isinstance(tree, Logic):
        return fields_of(tree.left) | fields_of(tree.right)
    return set()


Columns = Callable[[str], pd.Series]


def filter_mask(query: str, columns: Columns, known: Sequence[str], n: int) -> np.ndarray:
    """Which of n rows a filter keeps; `columns(name)` gives a column's values (one of
    `known`). FilterError for a filter that does not parse or names another column."""
    tree = parse_filter(query)
    if tree is None:
        return np.ones(n, dtype=bool)
    unknown = sorted(fields_of(tree) - set(known))
    if unknown:
        raise FilterError(f"the filter names no column of the table: {', '.join(unknown)}")
    return np.asarray(_evaluate(tree, columns, n), dtype=bool)


def _evaluate(tree: Any, columns: Columns, n: int) -> np.ndarray:
    if isinstance(tree, Logic):
        left, right = _evaluate(tree.left, columns, n), _evaluate(tree.right, columns, n)
        return left & right if tree.op == "and" else left | right
    if isinstance(tree, Not):
        return ~_evaluate(tree.inner, columns, n)
    if isinstance(tree, Is):
        return _is(_operand(tree.operand, columns, n), tree.what)
    fast = _compare_column(tree, columns)
    if fast is not None:
        return fast
    left = _operand(tree.left, columns, n)
    right = _operand(tree.right, columns, n)
    return _compare(left, tree.op, right, tree.ignore_case)


def _compare_column(tree: Compare, columns: Columns) -> np.ndarray | None:
    """`{column} OP value` in one vectorised step where that gives what `_compare`
    does: a numeric column against a number, a text column `contains` text. None:
    not such a case."""
    if not isinstance(tree.left, Field) or isinstance(tree.right, Field):
        return None
    series = columns(tree.left.name)
    value = tree.right
    numeric = pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)
    if numeric and _is_number(value) and tree.op in _ORDER:
        values = series.to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            return _ORDER[tree.op](values, float(value)) & ~np.isnan(values)
    if tree.op == "contains" and isinstance(value, str) and pd.api.types.is_string_dtype(series):
        return series.str.contains(value, regex=False, case=not tree.ignore_case,
                                   na=False).to_numpy(dtype=bool)
    return None


def _operand(value: Any, columns: Columns, n: int) -> np.ndarray:
    """An operand as an object array of n values (None: no value)."""
    if isinstance(value, Field):
        series = columns(value.name)
        out = series.astype(object).to_numpy()
        return np.array([None if _missing(v) else v for v in out], dtype=object)
    out = np.empty(n, dtype=object)
    out[:] = [value] * n
    return out


def _missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_))


def _numeric(value: Any) -> float | None:
    """A value as the table takes it for a number: a number, or text that is one."""
    if _is_number(value):
        return float(value)
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return float(value)
    return None


def _text(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))  # as JavaScript writes a number: 3, not 3.0
    return str(value)


_ORDER = {"=": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
          "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}


def _compare(left: np.ndarray, op: str, right: np.ndarray, ignore_case: bool) -> np.ndarray:
    out = np.zeros(len(left), dtype=bool)
    fold = (lambda s: s.upper()) if ignore_case else (lambda s: s)
    for i, (a, b) in enumerate(zip(left, right)):
        if a is None or b is None:
            continue
        if op == "contains":
            out[i] = (isinstance(a, str) or isinstance(b, str)) and fold(_text(b)) in fold(_text(a))
        elif op == "datestartswith":
            out[i] = _text(a).startswith(_text(b))
        else:
            x, y = _numeric(a), _numeric(b)
            if x is not None and y is not None:
                out[i] = _ORDER[op](x, y)
            elif not _is_number(a) and not _is_number(b):
                out[i] = _ORDER[op](fold(_text(a)), fold(_text(b)))
            else:  # a number against text that is no number: JavaScript says no
                out[i] = op == "!="
    return out


def _is_prime(value: float) -> bool:
    if not float(value).is_integer() or value < 2:
        return False
    k = int(value)
    return all(k % d for d in range(2, int(math.isqrt(k)) + 1))


def _is(values: np.ndarray, what: str) -> np.ndarray:
    checks = {
        "blank": lambda v: v is None or v == "",
        "nil": lambda v: v is None,
        "num": _is_number,
        "str": lambda v: isinstance(v, str),
        "bool": lambda v: isinstance(v, (bool, np.bool_)),
        "even": lambda v: _is_number(v) and float(v) % 2 == 0,
        "odd": lambda v: _is_number(v) and float(v) % 2 == 1,
        "prime": lambda v: _is_number(v) and _is_prime(float(v)),
        "object": lambda v: isinstance(v, (dict, list)),
    }
    check = checks[what]
    return np.array([bool(check(v)) for v in values], dtype=bool)


def sorted_positions(positions: np.ndarray, sort_by: Sequence[dict] | None,
                     columns: Columns) -> np.ndarray:
    """`positions` in the order of `sort_by` ([{"column_id", "direction"}], the first
    the most significant; columns the table does not have are skipped), ties kept in
    the given order; rows without a value last, in either direction."""
    order = np.asarray(positions, dtype=np.int64)
    for sort in reversed(list(sort_by or [])):
        try:
            values = columns(sort.get("column_id"))
        except KeyError:
            continue
        keyed = values.iloc[order].reset_index(drop=True)
        descending = sort.get("direction") == "desc"
        numeric = pd.to_numeric(keyed, errors="coerce") if not pd.api.types.is_bool_dtype(
            keyed) else keyed.astype(float)
        if pd.api.types.is_numeric_dtype(keyed) or numeric.notna().sum() == keyed.notna().sum():
            key = numeric.to_numpy(dtype=float)
            missing = np.isnan(key)
            rank = np.where(missing, 0.0, -key if descending else key)
        else:
            text = keyed.astype(object)
            missing = text.map(_missing).to_numpy(dtype=bool)
            labels = text.where(~missing, "").map(str)
            codes = pd.Categorical(labels, categories=sorted(set(labels))).codes.astype(float)
            rank = -codes if descending else codes
        index = np.lexsort((np.arange(len(order)), rank, missing))
        order = order[index]
    return order


@dataclass(frozen=True)
class Page:
    """One page of the table: the positions of its rows, which page it is (maybe moved
    back to the last one) and how many there are, and how many rows matched."""

    positions: np.ndarray
    current: int
    count: int
    matched: int


def page_of(order: np.ndarray, current: int | None, size: int | None) -> Page:
    size = max(1, int(size or 25))
    count = max(1, -(-len(order) // size))
    current = min(max(0, int(current or 0)), count - 1)
    return Page(order[current * size:(current + 1) * size], current, count, len(order))


__all__ = ["FilterError", "Page", "filter_mask", "page_of", "parse_filter", "sorted_positions"]
