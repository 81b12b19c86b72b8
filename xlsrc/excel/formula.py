"""How an xlsrc Excel formula is declared, lifted over ranges, and how it shapes its answer.

The machinery behind every formula of :mod:`xlsrc.excel.udfs` (whose module docstring
states the rules it implements): ``_formula`` declares a function to xlwings (``xw.func``,
one ``xw.arg`` per argument, ``xw.ret`` for dates), ``_excel`` turns errors into
``#N/A <reason>`` text and passes every result through the 255-character cell rule,
``_lifted`` makes a formula of one ticker take rows, columns and 2D ranges
(``_one_cells`` is its short cut for single cells); the shared argument readers
(``_basis``, ``_window``, ``_signed_count``) and the table shapes (``_rows``,
``_layout_rows``, ``_with_error_rows``). The names are private to :mod:`xlsrc.excel.udfs`,
which must define every formula itself: xlwings generates the VBA wrappers from that one
module, and the template builder executes that file again under xlwings' Windows
decorators (:mod:`xlsrc.excel.vba_project`). ``_formula`` looks ``xw.func``, ``xw.arg``
and ``xw.ret`` up when it is applied, so the decorators in place at that moment are the
ones that record the declarations.
"""

from __future__ import annotations

import datetime as _dt
import functools
import inspect
import logging
import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd
import xlwings as xw

from ..dashboard.cells import formula_result, to_cell
from ..dashboard.layout import DASHBOARD, Table
from ..errors import InvalidParameterError, XlsrcError
from ..market import DEFAULT_BASIS, check_basis, lookup_metric
from . import args as a

#: The formulas' logger: the module Excel calls (unexpected errors are logged under it).
logger = logging.getLogger("xlsrc.excel.udfs")

CATEGORY = "xlsrc"
#: Largest ``n`` LEADERS accepts (a spill taller than this is a mistake, not a table).
MAX_ROWS = 5000

_TICKER_DOC = 'Ticker, e.g. "VICR" or a cell holding it (any case, blanks ignored)'
_AS_OF_DOC = "Date to compute as of (the last trading day on or before it); blank = latest"


def _default(family: str) -> int | None:
    """Return the default window of a metric family, from the registry."""
    return lookup_metric(family).window


def _na(message: str) -> str:
    return f"#N/A {message}"


def _unexpected(name: str, exc: Exception) -> str:
    """Log an exception that is not an ``XlsrcError`` and return its short ``#N/A`` text."""
    logger.exception("xlsrc formula %s failed", name, exc_info=exc)
    return _na(f"Unexpected error in {name} ({type(exc).__name__})")


def _excel(table: bool = False) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Translate errors into ``#N/A <reason>`` text; pass every result through the cell rule.

    The body runs inside :func:`xlsrc.excel.args.formula_usage` with the formula's name
    and arguments (``SECTORS(benchmark, as_of)``), so an argument of the wrong kind (a
    date where a ticker goes) says the order.

    ``XlsrcError`` shows its message; anything else is logged with its traceback and
    shown as a short generic message naming the function and the exception type (a 1x1
    table for a table function). Every result, value, array, table or error, goes through
    :func:`xlsrc.dashboard.cells.formula_result` (blanks for NaN, Python numbers, dates,
    text at most 255 characters).
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        usage = f"{func.__name__}({', '.join(inspect.signature(func).parameters)})"

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                with a.formula_usage(usage):  # a value in the wrong slot names the order
                    return formula_result(func(*args, **kwargs))
            except XlsrcError as exc:
                text = _na(str(exc))
            except Exception as exc:
                text = _unexpected(func.__name__, exc)
            return formula_result([[text]] if table else text)

        return wrapper

    return decorate


def _blank(cell: Any) -> bool:
    """:func:`xlsrc.excel.args.is_blank` with a fast answer for a ticker's text."""
    if type(cell) is str and cell[:1].strip():
        return False
    return a.is_blank(cell)


def _one_cells(values: list[Any]) -> list[Any] | None:
    """Each argument's cell when every one is a single cell, else None (a range: the layout).

    A single cell is what :func:`xlsrc.excel.args.broadcast` reads as one: a plain value,
    ``[[x]]`` (one cell with ``ndim=2``) or ``[x]``; anything else (a longer list, a tuple,
    an array, ``[]``) goes through ``broadcast``, which lays it out or refuses it.
    """
    out = []
    for value in values:
        kind = type(value)
        if kind is list:
            if len(value) != 1:
                return None
            value = value[0]
            kind = type(value)
            if kind is list:
                if len(value) != 1:
                    return None
                value = value[0]
            elif kind is tuple or kind is np.ndarray:
                return None
        elif kind is tuple or kind is np.ndarray:
            return None
        out.append(value)
    return out


def _lifted(func: Callable[..., Any], names: tuple[str, ...]) -> Callable[..., Any]:
    """Make a formula of one ticker take ranges: one value per cell, in the range's shape.

    ``func`` is written for one group of cells: its first lifted argument (``names[0]``,
    the ticker) is a *list* of cells, every other argument one value; it returns one
    result per ticker cell, a value or the ``XlsrcError`` saying why there is none. The
    wrapper lays the lifted arguments out by Excel's pairwise rule
    (:func:`xlsrc.excel.args.broadcast`), groups the cells that share the other lifted
    arguments, calls ``func`` once per group and puts each result in its cell
    (``#N/A <reason>`` for an error; blank for a blank cell of a ticker range). When every
    lifted argument is one cell the result is one value and an error is raised, as a
    formula of one cell always did; that common case skips the layout (:func:`_one_cells`
    reads the cells ``broadcast`` would), and arguments are bound with names read once,
    not ``inspect.Signature.bind`` on every call (``tests/test_fast_paths.py`` checks both
    against the general path).
    """
    sig = inspect.signature(func)
    primary, options = names[0], names[1:]
    # the argument names and defaults, read once: a call binds its positional arguments
    # with one zip (what Signature.bind does, without its cost on every cell)
    params = list(sig.parameters.values())
    order = tuple(p.name for p in params)
    defaults = {p.name: p.default for p in params if p.default is not p.empty}
    plain = all(p.kind is p.POSITIONAL_OR_KEYWORD for p in params)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if plain and not kwargs and len(args) <= len(order):
            call = dict(zip(order, args, strict=False))
            for param in order[len(args) :]:
                if param not in defaults:
                    sig.bind(*args)  # raises the TypeError naming the missing argument
                call[param] = defaults[param]
        else:
            bound = sig.bind(*args, **kwargs)
            bound.apply_defaults()
            call = dict(bound.arguments)
        one = _one_cells([call[n] for n in names])
        if one is not None:  # every lifted argument is one cell: one value, no layout
            call.update(zip(options, one[1:], strict=True))
            call[primary] = one[:1]
            (result,) = func(**call)
            if isinstance(result, XlsrcError):
                raise result
            return result
        grid = a.broadcast([call[n] for n in names], names)
        cells, *others = grid.columns
        if grid.nest == 0:
            call.update((n, column[0]) for n, column in zip(options, others, strict=True))
            call[primary] = cells
            (result,) = func(**call)
            if isinstance(result, XlsrcError):
                raise result
            return result
        out: list[Any] = [None] * len(cells)
        if grid.outside is not None:
            rows, cols = grid.shape
            for i, name in enumerate(grid.outside):
                if name is not None:
                    r, c = grid.sizes[names.index(name)]
                    out[i] = _na(
                        f"No {name} for this cell ({name} is {r}x{c}, the result {rows}x{cols})"
                    )
        if grid.ranged[0]:  # a blank cell of the ticker range: a blank
            wanted = [i for i, c in enumerate(cells) if not _blank(c)]
        else:
            wanted = list(range(len(cells)))
        if grid.outside is not None:
            wanted = [i for i in wanted if grid.outside[i] is None]
        groups: dict[Any, list[int]] = {}
        if not any(grid.ranged[1:]):
            groups[()] = wanted  # one value of every option: one group
        else:
            for i in wanted:
                key: Any = tuple(column[i] for column in others)
                try:
                    hash(key)
                except TypeError:
                    key = ("cell", i)
                groups.setdefault(key, []).append(i)
        for where in groups.values():
            if not where:
                continue
            call.update((n, column[where[0]]) for n, column in zip(options, others, strict=True))
            call[primary] = [cells[i] for i in where]
            try:
                results = func(**call)
            except XlsrcError as exc:
                results = [exc] * len(where)
            except Exception as exc:
                results = [_unexpected(func.__name__, exc)] * len(where)
            for i, result in zip(where, results, strict=True):
                out[i] = _na(str(result)) if isinstance(result, XlsrcError) else result
        return grid.result(out)

    return wrapper


def _formula(
    table: bool = False,
    dates: bool = False,
    volatile: bool = False,
    lift: tuple[str, ...] = (),
    **docs: str,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an Excel formula: ``xw.func``, its arguments, ranges and ``#N/A`` errors.

    Applies, innermost first: :func:`_lifted` when ``lift`` names arguments (the formula
    takes ranges there, the first one its ticker list); :func:`_excel` (errors as
    ``#N/A <reason>``, a 1x1 table for a table function; every result through the
    255-character cell rule); ``xw.ret(dates=datetime)`` when ``dates`` (dates go back as
    Excel dates); one ``xw.arg(name, doc=..., ndim=2, err_to_str=True)`` per argument
    (``ticker`` and ``as_of`` get the shared descriptions unless ``docs`` gives one; every
    argument arrives as rows of cells, error cells as their text);
    ``xw.func(category="xlsrc")``. The xlwings decorators are looked up when applied, so
    the template builder's Windows versions of them (``xlsrc.excel.workbook``) record the
    same declarations.

    Raises
    ------
    TypeError
        If ``docs`` or ``lift`` names an argument the function does not have.
    """
    shared = {"ticker": _TICKER_DOC, "as_of": _AS_OF_DOC}

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        params = list(inspect.signature(func).parameters)
        unknown = sorted((set(docs) | set(lift)) - set(params))
        if unknown:
            raise TypeError(f"{func.__name__} has no argument {', '.join(unknown)}")
        wrapped = _excel(table)(_lifted(func, lift) if lift else func)
        if dates:
            wrapped = xw.ret(dates=_dt.datetime)(wrapped)
        for name in reversed(params):
            doc = docs.get(name, shared.get(name))
            described = {} if doc is None else {"doc": doc}
            wrapped = xw.arg(name, ndim=2, err_to_str=True, **described)(wrapped)
        return xw.func(category=CATEGORY, volatile=volatile)(wrapped)

    return decorate


def _rows(frame: pd.DataFrame, headers: Iterable[str]) -> list[list[Any]]:
    """Return a DataFrame as a header row plus one list per row."""
    body = [[to_cell(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return [list(headers), *body]


def _layout_rows(table: str | Table, frame: pd.DataFrame) -> list[list[Any]]:
    """Return a dashboard table with the dashboard's own headers (one definition)."""
    spec = DASHBOARD.table(table) if isinstance(table, str) else table
    return _rows(frame[list(spec.keys)], spec.headers)


def _basis(value: Any, signature: str) -> str:
    """Read a ``basis`` argument: blank = ``"total"``; else ``"total"`` or ``"price"``.

    A date or a number there is an ``as_of`` written where ``basis`` now stands (the
    formulas gained the argument before ``as_of``): the message says where the date goes.
    """
    value = a.scalar(value, "basis")
    if a.is_blank(value):
        return DEFAULT_BASIS
    if isinstance(value, bool):
        raise a.wrong_kind(value, "basis", '"total" or "price"', signature)
    try:
        return check_basis(value)
    except InvalidParameterError:
        try:
            is_date = a.date_arg(value, "basis") is not None
        except InvalidParameterError:
            is_date = False
        if not is_date:
            raise
    shown = f"{value:%Y-%m-%d}" if isinstance(value, _dt.date) else str(value).strip()
    raise InvalidParameterError(
        f'Invalid basis: {shown} is not "total" or "price" (a date goes last: {signature})',
        name="basis",
        value=value,
    )


def _with_error_rows(
    entries: list[str | a.ErrorCell], rows: list[list[Any]], keys: Iterable[str]
) -> list[list[Any]]:
    """Put a marked row for each error cell of a ticker range where the cell was.

    ``rows`` are the table's rows for the tickers of ``entries``, in order; an error
    cell's row shows what the cell shows as its ticker and the reason in the column after
    it (``#N/A tickers is an error cell (#N/A)``).
    """
    keys = list(keys)
    body = iter(rows)
    out: list[list[Any]] = []
    for entry in entries:
        if isinstance(entry, a.ErrorCell):
            row: list[Any] = [None] * len(keys)
            row[0], row[1] = entry.text, _na(entry.reason("tickers"))
            out.append(row)
        else:
            out.append(next(body))
    return out


def _window(value: Any, family: str) -> int:
    """Read a window argument of a metric family (blank = the registry's default window)."""
    entry = lookup_metric(family)
    return a.window_arg(value, entry.window or 1, minimum=entry.min_window)


def _signed_count(value: Any, name: str = "n") -> int | None:
    """Read a row count that may be negative (the last rows); blank = None (all rows)."""
    value = a.scalar(value, name)
    if a.is_blank(value):
        return None
    allowed = f"a whole number from -{MAX_ROWS} to {MAX_ROWS} other than 0 (negative: the last)"
    if isinstance(value, bool) or a.is_date(value):
        raise a.wrong_kind(value, name, allowed)
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            raise InvalidParameterError(name=name, value=value, allowed=allowed) from None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not float(value).is_integer()
        or value == 0
        or abs(value) > MAX_ROWS
    ):
        raise InvalidParameterError(name=name, value=value, allowed=allowed)
    return int(value)
