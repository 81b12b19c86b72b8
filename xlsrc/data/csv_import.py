"""Import daily bars from an analyst's CSV export (another terminal, a spreadsheet).

A file holds ``date, open, high, low, close, volume`` for one ticker (given as an argument
or taken from the file name, ``BRK_B.csv`` -> ``BRK-B``) or for many (a ``ticker``
column). Column names are matched case-insensitively against aliases
(:data:`ALIASES`: ``Date``, ``Adj Close``, ``Close``, ``Price``, ``Last``, ``Vol.``,
``Symbol``, ...); an explicit mapping ``{"column in file": "field"}`` overrides them.

When the file has both ``Close`` and ``Adj Close`` the store gets adjusted bars, made the
way yfinance's ``auto_adjust`` makes them: ``ratio = Adj Close / Close`` multiplies open,
high and low, and close becomes ``Adj Close``.

Every row is checked before anything is stored; the first bad row raises
:class:`~xlsrc.errors.CsvFormatError` naming the file and its line number (1 = the header
line) and how many other lines are bad. A bad file stores nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from ..errors import BarsRefusedError, CsvFormatError, InvalidParameterError
from .backends.base import Store
from .ingest import ingest_bars
from .universes import normalise_ticker
from .yahoo import BAR_COLUMNS, PRICE_TOLERANCE

__all__ = [
    "ALIASES",
    "FIELDS",
    "CsvBars",
    "CsvImportSummary",
    "import_csv",
    "parse_mapping",
    "read_csv_bars",
]

#: Fields a column can map to.
FIELDS: Final[tuple[str, ...]] = (
    "ticker",
    "date",
    "open",
    "high",
    "low",
    "close",
    "adj_close",
    "volume",
)

#: Column name (lower case, punctuation as blanks) -> field.
ALIASES: Final[dict[str, str]] = {
    "ticker": "ticker",
    "symbol": "ticker",
    "code": "ticker",
    "security": "ticker",
    "date": "date",
    "day": "date",
    "trade date": "date",
    "datetime": "date",
    "timestamp": "date",
    "time": "date",
    "open": "open",
    "open price": "open",
    "px open": "open",
    "high": "high",
    "high price": "high",
    "px high": "high",
    "low": "low",
    "low price": "low",
    "px low": "low",
    "close": "close",
    "close price": "close",
    "closing price": "close",
    "last": "close",
    "last price": "close",
    "px last": "close",
    "price": "close",
    "adj close": "adj_close",
    "adj close price": "adj_close",
    "adjusted close": "adj_close",
    "adjclose": "adj_close",
    "volume": "volume",
    "vol": "volume",
    "px volume": "volume",
    "shares traded": "volume",
}

#: Date formats tried in order; the first that parses every row wins (ISO first, then
#: US month-first, then day-first, then what pandas can guess).
DATE_FORMATS: Final[tuple[str, ...]] = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%b %d, %Y",
    "%d-%b-%Y",
    "%Y-%m-%d %H:%M:%S",
)

_SUFFIX: Final = {"K": 1e3, "M": 1e6, "B": 1e9}
_MAX_REPORTED: Final = 1


def _key(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", name.strip().lstrip("\ufeff").lower()).strip()


def parse_mapping(items: Mapping[str, str] | list[str] | tuple[str, ...] | None) -> dict[str, str]:
    """Turn ``{"Col": "field"}`` or CLI-style ``["Col=field", ...]`` into a clean mapping.

    Raises
    ------
    InvalidParameterError
        For an item without ``=`` or a field not in :data:`FIELDS`.
    """
    if not items:
        return {}
    pairs: list[tuple[str, str]] = []
    if isinstance(items, Mapping):
        pairs = [(str(k), str(v)) for k, v in items.items()]
    else:
        for item in items:
            if "=" not in item:
                raise InvalidParameterError(
                    name="column mapping", value=item, allowed="COLUMN=FIELD"
                )
            col, _, fld = item.rpartition("=")
            pairs.append((col, fld))
    out = {}
    for col, fld in pairs:
        target = _key(fld).replace(" ", "_")
        if target not in FIELDS:
            raise InvalidParameterError(name="field", value=fld, allowed=", ".join(FIELDS))
        out[_key(col)] = target
    return out


@dataclass
class CsvBars:
    """Bars read from one CSV file, validated.

    Attributes
    ----------
    path : str
        The file read.
    bars : pandas.DataFrame
        Long frame (:data:`xlsrc.data.yahoo.BAR_COLUMNS`), sorted by ticker and date.
    columns : dict of str to str
        Which column of the file fed which field.
    notes : list of str
        Decisions worth telling the user (adjusted with Adj Close, date format used).
    """

    path: str
    bars: pd.DataFrame
    columns: dict[str, str]
    notes: list[str] = field(default_factory=list)


class _Errors:
    """Collect row problems; raise the first with a count of the others."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.items: list[tuple[int, str]] = []

    def add(self, line: int, problem: str) -> None:
        self.items.append((line, problem))

    def raise_if_any(self) -> None:
        if not self.items:
            return
        self.items.sort()
        line, problem = self.items[0]
        if len(self.items) > 1:
            problem += (
                f" (and {len(self.items) - 1} more bad line{'s' if len(self.items) > 2 else ''})"
            )
        raise CsvFormatError(path=self.path, line=line, problem=problem)


def _number(text: str, allow_suffix: bool = False) -> float:
    """Parse ``1,234.5``, ``$12.3``, ``45.6M`` (volume); blank -> NaN; raise ValueError."""
    t = text.strip().replace(",", "").replace("$", "")
    if t in ("", "-", "null", "None", "NaN", "nan", "N/A", "#N/A"):
        return float("nan")
    mult = 1.0
    if allow_suffix and t and t[-1].upper() in _SUFFIX:
        mult = _SUFFIX[t[-1].upper()]
        t = t[:-1]
    return float(t) * mult


def _parse_dates(values: list[str], date_format: str | None) -> tuple[pd.DatetimeIndex | None, str]:
    formats = (date_format,) if date_format else DATE_FORMATS
    best: tuple[int, str, pd.DatetimeIndex] | None = None
    series = pd.Series([v.strip() for v in values], dtype=object)
    for fmt in formats:
        parsed = pd.to_datetime(series, format=fmt, errors="coerce")
        ok = int(parsed.notna().sum())
        if ok == len(values):
            return pd.DatetimeIndex(parsed), fmt
        if best is None or ok > best[0]:
            best = (ok, fmt, pd.DatetimeIndex(parsed))
    if not date_format:
        parsed = pd.to_datetime(series, format="mixed", errors="coerce")
        ok = int(parsed.notna().sum())
        if ok == len(values):
            return pd.DatetimeIndex(parsed), "mixed"
        if best is None or ok > best[0]:
            best = (ok, "mixed", pd.DatetimeIndex(parsed))
    assert best is not None
    return best[2], best[1]


def _whole_file(name: str, problem: str) -> CsvFormatError:
    """Return the error for a problem of the whole file (names the file, not a line)."""
    return CsvFormatError(f"{name}: {problem}", path=name, line=None, problem=problem)


def read_csv_bars(
    path: str | Path,
    ticker: str | None = None,
    mapping: Mapping[str, str] | list[str] | None = None,
    date_format: str | None = None,
    text: str | None = None,
) -> CsvBars:
    """Read and validate a CSV export of daily bars.

    Parameters
    ----------
    path : str or pathlib.Path
        The file (its name gives the ticker when there is neither ``ticker`` nor a ticker
        column).
    ticker : str, optional
        The ticker of every row. With a ticker column in the file, only that ticker's
        rows are read.
    mapping : mapping or list of str, optional
        ``{"column in file": "field"}`` or ``["column=field", ...]`` (fields:
        :data:`FIELDS`), overriding the aliases.
    date_format : str, optional
        A ``strptime`` format for the date column; by default :data:`DATE_FORMATS` are
        tried in order.
    text : str, optional
        The file's content, if already read (``path`` is then only a name).

    Returns
    -------
    CsvBars
        The validated bars.

    Raises
    ------
    CsvFormatError
        For a missing column or any bad row, naming the file and line; for a file that
        cannot be read, "Cannot read <path>: <reason>" (no line number).
    """
    name = str(path)
    if text is None:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise CsvFormatError(
                f"Cannot read {name}: {reason}", path=name, line=None, problem=reason
            ) from exc
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = raw.decode("cp1252", errors="replace")
    text = text.lstrip("\ufeff")
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header: list[str] | None = None
    header_line = 0
    rows: list[tuple[int, list[str]]] = []
    for row in reader:
        if not any(c.strip() for c in row):
            continue
        if header is None:
            header, header_line = row, reader.line_num
        else:
            rows.append((reader.line_num, row))
    if header is None:
        raise CsvFormatError(path=name, line=1, problem="the file is empty")

    explicit = parse_mapping(mapping)
    columns: dict[str, int] = {}
    used: dict[str, str] = {}
    for i, col in enumerate(header):
        key = _key(col)
        fld = explicit.get(key) or (ALIASES.get(key) if key not in explicit else None)
        if fld and fld not in columns:
            columns[fld] = i
            used[fld] = col.strip()
    missing_explicit = [c for c in explicit if c not in {_key(h) for h in header}]
    if missing_explicit:
        raise CsvFormatError(
            path=name,
            line=header_line,
            problem=f"mapped column(s) {', '.join(missing_explicit)} not in the header ({', '.join(header)})",
        )
    if "close" not in columns and "adj_close" in columns:
        columns["close"], used["close"] = columns["adj_close"], used["adj_close"]
        del columns["adj_close"], used["adj_close"]
    for needed in ("date", "close"):
        if needed not in columns:
            raise CsvFormatError(
                path=name,
                line=header_line,
                problem=f"no {needed} column (header: {', '.join(header)}); map one with COLUMN={needed}",
            )

    errors = _Errors(name)
    notes: list[str] = []

    # Which ticker each row belongs to.
    fixed: str | None = None
    if ticker is not None:
        try:
            fixed = normalise_ticker(ticker)
        except InvalidParameterError as exc:
            raise _whole_file(name, str(exc)) from exc
    elif "ticker" not in columns:
        stem = Path(name).stem
        try:
            fixed = normalise_ticker(stem)
        except InvalidParameterError as exc:
            raise _whole_file(
                name,
                f"no ticker column and the file name {stem!r} is not a ticker: give the ticker",
            ) from exc
        notes.append(f"ticker {fixed} from the file name")

    width = max(columns.values()) + 1
    lines: list[int] = []
    tickers: list[str] = []
    dates: list[str] = []
    values: dict[str, list[float]] = {
        f: [] for f in ("open", "high", "low", "close", "adj_close", "volume")
    }
    for line, row in rows:
        if len(row) < width:
            errors.add(line, f"{len(row)} fields, expected at least {width}")
            continue
        if "ticker" in columns:
            try:
                row_ticker = normalise_ticker(row[columns["ticker"]])
            except InvalidParameterError:
                errors.add(line, f"ticker {row[columns['ticker']]!r} is not a ticker")
                continue
            if fixed is not None and row_ticker != fixed:
                continue
        else:
            assert fixed is not None
            row_ticker = fixed
        parsed: dict[str, float] = {}
        bad = False
        for fld in values:
            if fld not in columns:
                parsed[fld] = float("nan")
                continue
            cell = row[columns[fld]]
            try:
                parsed[fld] = _number(cell, allow_suffix=fld == "volume")
            except ValueError:
                errors.add(line, f"{used[fld]} {cell.strip()!r} is not a number")
                bad = True
                break
        if bad:
            continue
        lines.append(line)
        tickers.append(row_ticker)
        dates.append(row[columns["date"]])
        for fld in values:
            values[fld].append(parsed[fld])

    if not lines and not errors.items:
        raise CsvFormatError(
            path=name,
            line=header_line,
            problem="no data rows" + (f" for {fixed}" if fixed and "ticker" in columns else ""),
        )
    parsed_dates, fmt = _parse_dates(dates, date_format) if dates else (pd.DatetimeIndex([]), "")
    if fmt not in ("%Y-%m-%d", ""):
        notes.append(f"dates read as {fmt}")
    frame = pd.DataFrame({"line": lines, "ticker": tickers, "date": parsed_dates})
    for fld, vals in values.items():
        frame[fld] = np.asarray(vals, dtype="float64")
    for line, raw_date, ok in zip(lines, dates, frame["date"].notna(), strict=True):
        if not ok:
            errors.add(
                line,
                f"date {raw_date.strip()!r} is not a date" + (f" in format {fmt}" if fmt else ""),
            )
    frame = frame[frame["date"].notna()].copy()
    frame["date"] = pd.DatetimeIndex(frame["date"]).normalize()

    # Adjust like yfinance auto_adjust when both closes are present.
    if "adj_close" in columns:
        ratio = frame["adj_close"] / frame["close"]
        for fld in ("open", "high", "low"):
            frame[fld] = frame[fld] * ratio
        frame["close"] = frame["adj_close"]
        notes.append(f"prices adjusted with {used['adj_close']}")

    # Row checks.
    dup = frame.duplicated(["ticker", "date"], keep=False)
    if dup.any():
        first_line = frame.loc[dup].groupby(["ticker", "date"])["line"].min()
        for _, group in frame.loc[dup].groupby(["ticker", "date"]):
            for line in group["line"].iloc[1:]:
                first = first_line.loc[(group["ticker"].iloc[0], group["date"].iloc[0])]
                errors.add(
                    int(line),
                    f"duplicate day {group['date'].iloc[0]:%Y-%m-%d} (also on line {first})",
                )
    for rec in frame.itertuples(index=False):
        line = int(rec.line)
        if not np.isfinite(rec.close):
            errors.add(line, f"{used['close']} is empty")
            continue
        for fld in ("open", "high", "low", "close"):
            v = getattr(rec, fld)
            if fld in columns and not np.isfinite(v):
                errors.add(line, f"{used[fld]} is empty")
                break
            if np.isfinite(v) and v <= 0:
                errors.add(line, f"{used.get(fld, fld)} is {v:g}: prices must be positive")
                break
        else:
            high = rec.high if np.isfinite(rec.high) else np.inf
            low = rec.low if np.isfinite(rec.low) else 0.0
            slack = PRICE_TOLERANCE * rec.close
            if high < low - slack:
                errors.add(line, f"high {rec.high:g} is below low {rec.low:g}")
            elif not (low - slack <= rec.close <= high + slack):
                errors.add(
                    line, f"close {rec.close:g} is outside low {rec.low:g} .. high {rec.high:g}"
                )
            elif np.isfinite(rec.volume) and rec.volume < 0:
                errors.add(line, f"volume is {rec.volume:g}: must be >= 0")
    errors.raise_if_any()

    bars = frame.sort_values(["ticker", "date"], kind="stable")[[*BAR_COLUMNS, "line"]].reset_index(
        drop=True
    )
    return CsvBars(path=name, bars=bars, columns=dict(used), notes=notes)


#: Provenance prefix of bars imported from CSV (``csv:<file name>``).
SOURCE_PREFIX: Final = "csv:"


@dataclass
class CsvImportSummary:
    """What :func:`import_csv` stored.

    Attributes
    ----------
    path : str
        The file imported.
    rows : int
        Bars written (new days and overwritten ones).
    tickers : dict of str to tuple
        Ticker -> (rows, first date, last date).
    notes : list of str
        Decisions made while reading (see :class:`CsvBars`).
    """

    path: str
    rows: int
    tickers: dict[str, tuple[int, pd.Timestamp, pd.Timestamp]]
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        parts = [
            f"{t} {n:,} bars {a:%Y-%m-%d}..{b:%Y-%m-%d}"
            for t, (n, a, b) in list(self.tickers.items())[:5]
        ]
        more = f" and {len(self.tickers) - 5} more tickers" if len(self.tickers) > 5 else ""
        notes = f" ({'; '.join(self.notes)})" if self.notes else ""
        return f"Imported {self.rows:,} rows from {Path(self.path).name}: {', '.join(parts)}{more}{notes}."


def import_csv(
    store: Store,
    path: str | Path,
    ticker: str | None = None,
    mapping: Mapping[str, str] | list[str] | None = None,
    date_format: str | None = None,
    *,
    replace: bool = False,
    allow_jumps: bool | Iterable[tuple[str, object]] = False,
) -> CsvImportSummary:
    """Read, validate and store a CSV export in one transaction (``xlsrc import-csv``).

    Parameters
    ----------
    store : Store
        The store (``write_bars``).
    path : str or pathlib.Path
        The CSV file.
    ticker, mapping, date_format
        See :func:`read_csv_bars` (the CLI's ``--ticker`` and ``--map col=field``).
    replace : bool
        Replace each ticker's stored history from the file's first session on (the CLI's
        ``--replace``); default: the file's days are added or overwrite the same days.
    allow_jumps : bool or iterable of (ticker, date)
        Accept split-sized steps the gate would refuse (``--allow-jump T:DATE``).

    Returns
    -------
    CsvImportSummary
        What was stored.

    Raises
    ------
    CsvFormatError
        If any row is bad, or the validation gate refuses a bar (a non-session date, a
        split-sized jump...): naming the line; nothing is stored then.
    """
    read = read_csv_bars(path, ticker=ticker, mapping=mapping, date_format=date_format)
    try:
        result = ingest_bars(
            store,
            read.bars,
            SOURCE_PREFIX + Path(read.path).name,
            policy="all",
            replace=replace,
            allow_jumps=allow_jumps,
            description=f"CSV import of {read.path}",
        )
    except BarsRefusedError as exc:
        raise _refusal(read, exc) from None
    return CsvImportSummary(
        path=read.path, rows=result.rows, tickers=result.tickers, notes=read.notes
    )


def _refusal(read: CsvBars, exc: BarsRefusedError) -> CsvFormatError:
    """Name the file's line of the first bar the gate refused, and how many more there are."""
    first = exc.problems[0]
    lines = read.bars["line"].to_numpy() if "line" in read.bars.columns else None
    line = int(lines[first.row]) if lines is not None and 0 <= first.row < len(lines) else 0
    more = len(exc.problems) - 1
    tail = (
        f" (and {more} more problem{'s' if more != 1 else ''}; nothing was stored)"
        if more
        else " (nothing was stored)"
    )
    return CsvFormatError(path=read.path, line=line, problem=f"{first.message}{tail}")
