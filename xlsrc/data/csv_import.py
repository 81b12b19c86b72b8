"""Import daily bars from an analyst's CSV export (another terminal, a broker, a spreadsheet).

A file holds ``date, open, high, low, close, volume`` rows for one ticker or, with a
ticker column, for many (a "long" file). How the header, the separator and the encoding
are found: :mod:`xlsrc.data.csv_columns`; numbers and the decimal mark:
:mod:`xlsrc.data.csv_numbers`. The rest of what is read, and how:

Tickers
    ``--ticker`` (the ``ticker`` argument) names the security of a file of one symbol;
    a symbol column or a preamble security that names *another* security is refused
    (vendor notations of the same symbol agree; ``--map COLUMN=ignore`` leaves a wrong
    symbol column unread), a file name never contradicts it; in a long file of several symbols it selects that
    symbol's rows, and the summary names the rows of other symbols it left out
    (:attr:`CsvBars.skipped`). Without it: the ticker column, else a Bloomberg security in the
    preamble, else the file name (``BRK_B.csv`` -> ``BRK-B``, Stooq's ``ichr.us.txt`` ->
    ``ICHR``; a name that does not look like a symbol is refused). Every symbol goes
    through :func:`~xlsrc.data.universes.normalise_ticker` (vendor tags ``ICHR.US``,
    ``ICHR US Equity``, ``NASDAQ:ICHR`` removed) and
    :func:`~xlsrc.data.universes.check_us_listed` (``EZJ.L`` is refused, naming the
    London Stock Exchange).
Files
    A gzip file (``XLE.csv.gz``) is read through; an Excel workbook, a zip archive and
    other binary files are refused naming what they are.
Dates
    :func:`xlsrc.dates.parse_dates`, with the XNYS calendar's sessions: offsets converted
    to New York, never appended; one day/month order per file, settled by a day above 12
    or by the only order that reads the dates as consecutive sessions, else refused
    naming ``--date-format``. Dates that are not sessions are *kept* (with their line):
    refusing them is the bar validation gate's job.
Adjustment
    With both ``Close`` and ``Adj Close`` the store gets adjusted bars, made the way
    yfinance's ``auto_adjust`` makes them: ``ratio = Adj Close / Close`` multiplies open,
    high and low, and close becomes ``Adj Close``. yfinance's ``Dividends`` and
    ``Stock Splits`` columns are kept in :attr:`CsvBars.actions` for the validation gate.

Every row is checked before anything is stored; the first bad row raises
:class:`~xlsrc.errors.CsvFormatError` naming the file and its line number (1 = the file's
first line) and how many other lines are bad. A bad file stores nothing.

Size: about 650 lines, half of them :func:`read_csv_bars`: one pass over the file whose
steps (header, tickers, numbers, dates, adjustment) share its rows, columns, notes and
collected errors; cut into functions they would hand that state to each other without
any step getting clearer. What stands alone moved out: finding the columns
(:mod:`xlsrc.data.csv_columns`) and reading numbers (:mod:`xlsrc.data.csv_numbers`).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from ..dates import parse_date_format, parse_dates
from ..errors import BarsRefusedError, CsvFormatError, InvalidParameterError
from .backends.base import Store
from .calendar import get_calendar
from .csv_columns import (
    DELIMITERS,
    column_key,
    decode_text,
    fields_of,
    find_header,
    parse_mapping,
    preamble_ticker,
    split_line,
)
from .csv_numbers import MARK_NAMES, Cell, Token, decide_decimal_mark, token_value, tokenize
from .ingest import IngestResult, ingest_bars
from .schema import BAR_FIELDS
from .universes import check_us_listed, normalise_ticker
from .yahoo import BAR_COLUMNS

__all__ = [
    "DECIMAL_MARKS",
    "LINE_COLUMN",
    "CsvBars",
    "CsvImportSummary",
    "import_csv",
    "read_csv_bars",
]

#: Decimal marks the ``decimal`` argument takes.
DECIMAL_MARKS: Final = (".", ",")
#: Column of :attr:`CsvBars.bars` holding each row's line in the file.
LINE_COLUMN: Final = "line"

_PRICE_FIELDS: Final = ("open", "high", "low", "close", "adj_close")
_NUMBER_FIELDS: Final = (*_PRICE_FIELDS, "volume", "dividends", "splits")
_FILE_TICKER = re.compile(r"\^?[A-Z0-9]{1,6}(?:-[A-Z0-9]{1,2})?(?:\.[A-Z]{1,3})?")


@dataclass
class CsvBars:
    """Bars read from one CSV file, checked row by row, not yet validated as bars.

    Attributes
    ----------
    path : str
        The file read.
    bars : pandas.DataFrame
        Long frame: :data:`xlsrc.data.yahoo.BAR_COLUMNS` (``ticker``; ``date`` a naive
        midnight session *candidate*; ``open`` ... ``volume`` float64) and ``line``, the
        row's line in the file (1 = the first line). Sorted by ticker and date.
    columns : dict of str to str
        Which column of the file fed which field.
    notes : list of str
        Decisions worth telling the user (date order, decimal mark, ticker, adjustment).
    actions : pandas.DataFrame
        ``ticker, date, line, dividends, splits`` of the rows where a ``Dividends`` or
        ``Stock Splits`` column is non-zero (yfinance ``history().to_csv()``); empty
        otherwise. For the validation gate: a split explains a price cliff.
    skipped : dict of str to int
        Rows of a file of several symbols left out because ``ticker`` selects another
        symbol's rows: symbol as written -> rows.
    """

    path: str
    bars: pd.DataFrame
    columns: dict[str, str]
    notes: list[str] = field(default_factory=list)
    actions: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(
            columns=["ticker", "date", LINE_COLUMN, "dividends", "splits"]
        )
    )
    skipped: dict[str, int] = field(default_factory=dict)

    def tickers_read(self) -> list[str]:
        """Return the tickers of the rows read, sorted."""
        return sorted(set(self.bars["ticker"])) if len(self.bars) else []


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


def _whole_file(name: str, problem: str) -> CsvFormatError:
    """Return the error for a problem of the whole file (names the file, not a line)."""
    return CsvFormatError(f"{name}: {problem}", path=name, line=None, problem=problem)


#: Leading bytes of files that are not text: (magic, what the file is, what to do).
_NOT_CSV: Final[tuple[tuple[bytes, str, str], ...]] = (
    (b"\xd0\xcf\x11\xe0", "an Excel 97-2003 workbook (.xls)", "save it as CSV from Excel"),
    (b"%PDF", "a PDF document", "export the data as CSV"),
    (b"\x89PNG", "a PNG image", "export the data as CSV"),
)


def _csv_bytes(name: str, raw: bytes) -> bytes:
    """Return a file's bytes as CSV text bytes: a gzip file unzipped, anything else refused.

    A gzip file (``XLE.csv.gz``, magic ``1f 8b``) is read through; an Excel workbook
    (``.xlsx``: a zip archive with ``xl/`` parts; ``.xls``: an OLE file, ``d0 cf 11 e0``),
    another zip archive and a few other binary formats are refused, naming what the file
    is, instead of being read as text whose header has no date column.
    """
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise _whole_file(name, f"a gzip file that cannot be unzipped ({exc})") from exc
    if raw[:4] == b"PK\x03\x04":
        try:
            parts = zipfile.ZipFile(io.BytesIO(raw)).namelist()
        except zipfile.BadZipFile:
            parts = []
        if any(p.startswith("xl/") for p in parts):
            what, way = "an Excel workbook (.xlsx)", "save it as CSV from Excel"
        else:
            what, way = "a zip archive", "unzip it and import the CSV inside"
        raise _whole_file(name, f"{what}, not a CSV file: {way}")
    for magic, what, way in _NOT_CSV:
        if raw.startswith(magic):
            raise _whole_file(name, f"{what}, not a CSV file: {way}")
    return raw


def _file_stem(name: str) -> str:
    """Return the file name without its extensions, also of a gzip file (``XLE.csv.gz``)."""
    path = Path(name)
    if path.suffix.lower() == ".gz":
        path = path.with_suffix("")
    return path.stem


def _ticker_error(name: str, line: int | None, problem: str) -> CsvFormatError:
    if line is None:
        return _whole_file(name, problem)
    return CsvFormatError(path=name, line=line, problem=problem)


def _check_given_ticker(name: str, given: str, said: str, column: str | None) -> None:
    """Refuse a ``ticker`` argument that names another security than the file does.

    ``said`` is the one symbol the file's symbol column ``column`` (None: its preamble)
    holds. Vendor notations of the same symbol agree (``ICHR.US``, ``NASDAQ:ICHR``,
    ``ICHR US Equity`` are ICHR); a text that does not look like a ticker (a company
    name such as ``Ichor Holdings``) cannot contradict it.
    """
    try:
        symbol = normalise_ticker(said)
    except InvalidParameterError:
        return
    if symbol == given or not _FILE_TICKER.fullmatch(symbol):
        return
    where = "its preamble" if column is None else f"its {column} column"
    way = "fix it in the file" + (
        "" if column is None else f" or leave the column unread with --map {column}=ignore"
    )
    raise _whole_file(
        name,
        f"--ticker {given} contradicts the file: {where} names {said!r} ({symbol}), so these "
        f"are {symbol}'s prices, not {given}'s. Import without --ticker to store them as "
        f"{symbol}; if the file's symbol is wrong, {way}",
    )


def read_csv_bars(
    path: str | Path,
    ticker: str | None = None,
    mapping: Mapping[str, str] | list[str] | None = None,
    date_format: str | None = None,
    text: str | None = None,
    decimal: str | None = None,
    now: datetime | None = None,
) -> CsvBars:
    """Read a CSV export of daily bars and check every row.

    Parameters
    ----------
    path : str or pathlib.Path
        The file (its name gives the ticker when there is no other).
    ticker : str, optional
        The ticker of every row of a one-symbol file (it wins over the file's name; a
        symbol column or preamble security naming another security is refused); in a
        file of several symbols, the one to read.
    mapping : mapping or list of str, optional
        ``{"column in file": "field"}`` or ``["column=field", ...]`` (fields:
        :data:`~xlsrc.data.csv_columns.FIELDS`), overriding the aliases.
    date_format : str, optional
        The day/month order or format of the date column (``dmy``, ``mdy``,
        ``DD/MM/YYYY``, ``%d.%m.%Y``; :func:`xlsrc.dates.parse_date_format`). By default
        the file settles it (module docstring) or is refused.
    text : str, optional
        The file's content, if already read (``path`` is then only a name).
    decimal : {".", ","}, optional
        The decimal mark. By default the numbers settle it or the file is refused.
    now : datetime, optional
        The current time (default: the clock); dates after the last session closed by
        then cannot be bars, which helps settle a day/month order.

    Returns
    -------
    CsvBars
        The bars with their lines.

    Raises
    ------
    CsvFormatError
        For a missing column, an unsettled separator, date order or decimal mark, a
        non-US symbol, a ``ticker`` the file's own symbol contradicts, or any bad row,
        naming the file and line; for a file that cannot be read, "Cannot read <path>:
        <reason>", and for one that is no text (an Excel workbook, a zip archive), what it
        is (no line number).
    InvalidParameterError
        For a bad ``mapping``, ``date_format`` or ``decimal``.
    """
    name = str(path)
    if decimal is not None and decimal not in DECIMAL_MARKS:
        raise InvalidParameterError(name="decimal mark", value=decimal, allowed=". or ,")
    fmt = parse_date_format(date_format)
    if text is None:
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise CsvFormatError(
                f"Cannot read {name}: {reason}", path=name, line=None, problem=reason
            ) from exc
        raw = _csv_bytes(name, raw)
        text = decode_text(raw)
    text = text.lstrip("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)

    explicit = parse_mapping(mapping)
    forced: str | None = None
    skip = 0
    first = lines[0].strip() if lines else ""
    if first.lower().startswith("sep=") and len(first) == 5:
        forced, skip = first[4], 1
    found = find_header(lines[skip:], explicit, forced)
    if found is None:
        first_line = next((i for i, ln in enumerate(lines) if ln.strip()), None)
        if first_line is None:
            raise CsvFormatError(path=name, line=1, problem="the file is empty")
        header_index, delimiter = first_line, forced or ","
        with_counts = [(lines[first_line].count(d), d) for d in DELIMITERS]
        if not forced and max(with_counts)[0] > 0:
            delimiter = max(with_counts)[1]
    else:
        header_index, delimiter = found[0] + skip, found[1]

    header_line = header_index + 1
    header = split_line(lines[header_index], delimiter)
    columns = fields_of(header, explicit)
    used = {fld: header[i].strip() for fld, i in columns.items()}
    header_keys = [column_key(h) for h in header]
    missing_explicit = [c for c in explicit if c not in header_keys]
    if missing_explicit:
        raise CsvFormatError(
            path=name,
            line=header_line,
            problem=f"mapped column(s) {', '.join(missing_explicit)} not in the header ({', '.join(header)})",
        )
    for i in columns.values():
        if header_keys.count(header_keys[i]) > 1:
            raise CsvFormatError(
                path=name,
                line=header_line,
                problem=f"the header has {header_keys.count(header_keys[i])} {header[i].strip()!r} "
                f"columns (a wide export of several securities?): export one security per "
                f"file, or a long file with a ticker column",
            )
    if "close" not in columns and "adj_close" in columns:
        columns["close"], used["close"] = columns.pop("adj_close"), used.pop("adj_close")
    for needed in ("date", "close"):
        if needed not in columns:
            raise CsvFormatError(
                path=name,
                line=header_line,
                problem=f"no {needed} column (header: {', '.join(header)}); map one with "
                f"--map COLUMN={needed}",
            )

    # Records after the header, with the line each ends on.
    reader = csv.reader(io.StringIO("\n".join(lines[header_index + 1 :])), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    for row in reader:
        if any(c.strip() for c in row):
            rows.append((header_line + reader.line_num, row))
    preamble = [split_line(ln, delimiter) for ln in lines[skip:header_index]]

    errors = _Errors(name)
    notes: list[str] = []

    # Which ticker each row belongs to.
    fixed: str | None = None
    symbol_cells = (
        {row[columns["ticker"]].strip() for _, row in rows if len(row) > columns["ticker"]}
        if "ticker" in columns
        else set()
    )
    symbol_cells.discard("")
    said: str | None
    if ticker is not None:
        try:
            fixed = check_us_listed(ticker)
        except InvalidParameterError as exc:
            raise _whole_file(name, str(exc)) from exc
        if "ticker" in columns and len(symbol_cells) <= 1:
            said = next(iter(symbol_cells), "")
            _check_given_ticker(name, fixed, said, used["ticker"])
            if said and said.upper() != fixed:
                notes.append(f"ticker {fixed} as given (the file says {said})")
            columns.pop("ticker")
        elif "ticker" not in columns:
            said = preamble_ticker(preamble)
            if said is not None:
                _check_given_ticker(name, fixed, said, None)
    elif "ticker" not in columns:
        said = preamble_ticker(preamble)
        source = "the file's preamble"
        if said is None:
            said, source = _file_stem(name), "the file name"
        try:
            fixed = check_us_listed(said)
        except InvalidParameterError as exc:
            if source == "the file name" and "exchange" not in exc.fields:
                raise _whole_file(
                    name,
                    f"no ticker column and the file name {said!r} is not a ticker: give it with --ticker",
                ) from exc
            raise _whole_file(name, f"{exc} (ticker from {source})") from exc
        if source == "the file name" and not _FILE_TICKER.fullmatch(fixed):
            raise _whole_file(
                name,
                f"no ticker column and the file name {said!r} is not a ticker: give it with --ticker",
            )
        notes.append(f"ticker {fixed} from {source}")

    width = max(columns.values()) + 1
    kept: list[tuple[int, str, list[str]]] = []
    skipped: dict[str, int] = {}
    symbols: dict[str, str | InvalidParameterError] = {}
    for line, row in rows:
        if len(row) < width:
            errors.add(line, f"{len(row)} fields, expected at least {width}")
            continue
        if "ticker" in columns:
            cell = row[columns["ticker"]].strip()
            if cell not in symbols:
                try:
                    symbols[cell] = check_us_listed(cell)
                except InvalidParameterError as exc:
                    symbols[cell] = exc
            got = symbols[cell]
            if isinstance(got, InvalidParameterError):
                if fixed is None:
                    problem = (
                        str(got) if "exchange" in got.fields else f"ticker {cell!r} is not a ticker"
                    )
                    errors.add(line, problem)
                else:
                    skipped[cell] = skipped.get(cell, 0) + 1
                continue
            if fixed is not None and got != fixed:
                skipped[cell] = skipped.get(cell, 0) + 1
                continue
            kept.append((line, got, row))
        else:
            assert fixed is not None
            kept.append((line, fixed, row))

    if not kept and not errors.items:
        raise CsvFormatError(
            path=name,
            line=header_line,
            problem="no data rows"
            + (f" for {fixed}" if fixed and "ticker" in columns else "")
            + (
                f" (its symbol column has {', '.join(list(skipped)[:5])}"
                + (f" and {len(skipped) - 5} more" if len(skipped) > 5 else "")
                + ")"
                if skipped
                else ""
            ),
        )

    # Numbers: one decimal mark for the file; each distinct cell text is read once.
    number_fields: list[str] = [f for f in _NUMBER_FIELDS if f in columns]
    texts: dict[str, list[str]] = {
        fld: [row[columns[fld]] for _, _, row in kept] for fld in number_fields
    }
    tables: dict[str, dict[str, Cell]] = {}
    for fld in number_fields:
        table: dict[str, Cell] = {}
        for cell in dict.fromkeys(texts[fld]):
            try:
                table[cell] = tokenize(cell, suffix_allowed=fld == "volume")
            except ValueError as exc:
                table[cell] = exc
        tables[fld] = table
    good = [True] * len(kept)

    def refuse(fld: str, bad: Callable[[str], bool], why: str) -> None:
        """Report, once per row, the first field whose text ``bad`` says is not a number."""
        for i, text in enumerate(texts[fld]):
            if good[i] and bad(text):
                errors.add(kept[i][0], f"{used[fld]} {text.strip()!r} is not a number{why}")
                good[i] = False

    def unreadable(table: dict[str, Cell]) -> Callable[[str], bool]:
        return lambda text: isinstance(table[text], ValueError)

    def unread(read_as: dict[str, float | None]) -> Callable[[str], bool]:
        return lambda text: read_as.get(text, 0.0) is None

    for fld in number_fields:
        if any(isinstance(t, ValueError) for t in tables[fld].values()):
            refuse(fld, unreadable(tables[fld]), "")
    mark, mark_note = decide_decimal_mark(
        tables, texts, [line for line, _, _ in kept], used, decimal, name
    )
    if mark_note:
        notes.append(mark_note)
    numbers: dict[str, dict[str, float | None]] = {}
    for fld in number_fields:
        read_as: dict[str, float | None] = {}
        for text, tok in tables[fld].items():
            if tok is None:
                read_as[text] = float("nan")
            elif isinstance(tok, Token):
                try:
                    read_as[text] = token_value(tok, mark)
                except ValueError:
                    read_as[text] = None
        numbers[fld] = read_as
        if any(v is None for v in read_as.values()):
            refuse(fld, unread(read_as), f" (the file's decimal mark is a {MARK_NAMES[mark]})")

    rows_read = [i for i, ok in enumerate(good) if ok]
    lines_kept = [kept[i][0] for i in rows_read]
    tickers = [kept[i][1] for i in rows_read]
    date_texts = [kept[i][2][columns["date"]] for i in rows_read]
    values: dict[str, list[float]] = {
        fld: (
            [numbers[fld][texts[fld][i]] for i in rows_read]  # type: ignore[misc]
            if fld in numbers
            else [float("nan")] * len(rows_read)
        )
        for fld in _NUMBER_FIELDS
    }

    # Dates: one rule for every input (xlsrc.dates), the sessions of the XNYS calendar.
    calendar = get_calendar()
    stamp = now if now is not None else datetime.now(UTC)
    try:
        read = parse_dates(
            date_texts,
            date_format=fmt,
            is_session=calendar.is_session,
            last_session=calendar.last_closed_session(stamp),
        )
    except InvalidParameterError as exc:
        position = exc.fields.get("position")
        line = lines_kept[position] if isinstance(position, int) else header_line
        raise CsvFormatError(path=name, line=line, problem=str(exc)) from exc
    for position, problem in read.problems.items():
        reason = "" if problem == "not a date" else f" ({problem})"
        errors.add(
            lines_kept[position], f"date {date_texts[position].strip()!r} is not a date{reason}"
        )
    if read.how:
        notes.append(f"dates read {read.how}")
    if fmt is not None and fmt.pattern is not None:
        notes.append(f"dates read as {fmt.pattern}")
    if read.converted:
        notes.append(f"{read.converted} timestamps converted to New York dates")

    frame = pd.DataFrame({LINE_COLUMN: lines_kept, "ticker": tickers, "date": read.dates})
    for field_name, vals in values.items():
        frame[field_name] = np.asarray(vals, dtype="float64")
    frame = frame[frame["date"].notna()].copy()
    if len(frame) > 1 and frame["date"].iloc[0] > frame["date"].iloc[-1]:
        notes.append("rows newest first")

    # Adjust like yfinance auto_adjust when both closes are present.
    if "adj_close" in columns:
        ratio = frame["adj_close"] / frame["close"]
        for fld in ("open", "high", "low"):
            frame[fld] = frame[fld] * ratio
        frame["close"] = frame["adj_close"]
        notes.append(f"prices adjusted with {used['adj_close']}")

    # The rules for bars (sessions, prices, ranges, duplicates, jumps) are the validation
    # gate's (xlsrc.data.validate), applied by import_csv; its problems name these lines.
    errors.raise_if_any()

    ordered = frame.sort_values(["ticker", "date"], kind="stable").reset_index(drop=True)
    bars = ordered[[*BAR_COLUMNS, LINE_COLUMN]].copy()
    bars[LINE_COLUMN] = bars[LINE_COLUMN].astype("int64")
    acted = ordered[(ordered["dividends"].fillna(0) != 0) | (ordered["splits"].fillna(0) != 0)]
    actions = acted[["ticker", "date", LINE_COLUMN, "dividends", "splits"]].reset_index(drop=True)
    return CsvBars(
        path=name, bars=bars, columns=dict(used), notes=notes, actions=actions, skipped=skipped
    )


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
    lines : list of str
        Further sentences, one per line: rows of other symbols left out (``ticker``),
        stored days overwritten or removed with the largest change of a close, a move of
        the market's latest session, bars before its first session
        (:meth:`xlsrc.data.ingest.IngestResult.lines`).
    result : IngestResult or None
        The write itself (what the lines describe), for a program.
    """

    path: str
    rows: int
    tickers: dict[str, tuple[int, pd.Timestamp, pd.Timestamp]]
    notes: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    result: IngestResult | None = None

    def __str__(self) -> str:
        parts = [
            f"{t} {n:,} bar{'' if n == 1 else 's'} "
            + (f"{a:%Y-%m-%d}" if a == b else f"{a:%Y-%m-%d}..{b:%Y-%m-%d}")
            for t, (n, a, b) in list(self.tickers.items())[:5]
        ]
        more = f" and {len(self.tickers) - 5} more tickers" if len(self.tickers) > 5 else ""
        notes = f" ({'; '.join(self.notes)})" if self.notes else ""
        rows = f"{self.rows:,} row{'' if self.rows == 1 else 's'}"
        head = f"Imported {rows} from {Path(self.path).name}: {', '.join(parts)}{more}{notes}."
        return "\n".join([head, *self.lines])


def _skipped_lines(read: CsvBars, ticker: str | None) -> list[str]:
    """Say which rows of other symbols a ``ticker`` selection left out."""
    if not read.skipped or ticker is None:
        return []
    chosen = next(iter(read.tickers_read()), ticker)
    parts = [f"{n:,} row{'s' if n != 1 else ''} of {s}" for s, n in read.skipped.items()]
    shown = ", ".join(parts[:5]) + (f" and {len(parts) - 5} more symbols" if len(parts) > 5 else "")
    return [f"Skipped {shown}: --ticker {chosen} selects {chosen}'s rows."]


def import_csv(
    store: Store,
    path: str | Path,
    ticker: str | None = None,
    mapping: Mapping[str, str] | list[str] | None = None,
    date_format: str | None = None,
    decimal: str | None = None,
    *,
    replace: bool = False,
    overwrite: bool = False,
    allow_jumps: bool | Iterable[tuple[str, object]] = False,
    move_latest: bool = False,
    now: datetime | None = None,
) -> CsvImportSummary:
    """Read, check and store a CSV export in one transaction (``xlsrc import-csv``).

    The file's days are upserted field by field: a stored day the file also has takes
    the file's values for the columns the file has, and keeps the stored values of the
    others (a file of closes keeps the stored volume); an empty cell in a column the file
    has means unknown. The summary names the stored days overwritten and the largest
    change of a close (:mod:`xlsrc.data.ingest`).

    Parameters
    ----------
    store : Store
        The store (``write_bars``).
    path : str or pathlib.Path
        The CSV file.
    ticker, mapping, date_format, decimal
        See :func:`read_csv_bars` (the CLI's ``--ticker``, ``--map col=field``,
        ``--date-format`` and ``--decimal``).
    replace : bool
        Make the file each ticker's history from the file's first session on (the CLI's
        ``--replace``): stored days from then on that the file lacks are removed, and the
        file's closes are not compared with the stored ones (rule ``basis``). Default: the
        file's days are added or overwrite the same days, and closes that differ from the
        stored ones are refused when at least half of the overlapping days differ
        (another adjustment basis) or the overlap is shorter than
        :data:`~xlsrc.data.validate.BASIS_MIN_DAYS` days (too few to tell).
    overwrite : bool
        Take the file's closes that differ from the stored ones as corrections of those
        days (the CLI's ``--overwrite``): the rule ``basis`` is not applied, and the
        stored days the file lacks are kept (unlike ``replace``).
    allow_jumps : bool or iterable of (ticker, date)
        Accept split-sized steps the gate would refuse (``--allow-jump T:DATE``).
    move_latest : bool
        Accept a file in which the benchmark (SPY) is the only ticker with days after the
        market's latest session (``--move-latest``): storing it moves every ticker's
        latest session to a day the others have no bar for.
    now : datetime, optional
        The current time (default the clock): dates after the last closed session are
        refused.

    Returns
    -------
    CsvImportSummary
        What was stored.

    Raises
    ------
    CsvFormatError
        If the file or any row is bad, or the validation gate refuses a bar (a day that is
        not a session, a split-sized jump, another adjustment basis, the benchmark alone
        past the latest session...), naming the line; nothing is stored then.
    """
    read = read_csv_bars(
        path, ticker=ticker, mapping=mapping, date_format=date_format, decimal=decimal, now=now
    )
    new_from_name = _new_tickers_from_the_file_name(store, read, ticker)
    splits: dict[str, dict[pd.Timestamp, float]] = {}
    for rec in read.actions.itertuples(index=False):
        if rec.splits and np.isfinite(rec.splits):
            splits.setdefault(str(rec.ticker), {})[pd.Timestamp(rec.date)] = float(rec.splits)
    # only the fields the file has: the others keep the stored values of its days
    present = [c for c in read.bars.columns if c not in BAR_FIELDS or c in read.columns]
    try:
        result = ingest_bars(
            store,
            read.bars[present],
            SOURCE_PREFIX + Path(read.path).name,
            policy="all",
            replace=replace,
            allow_other_basis=overwrite,
            allow_jumps=allow_jumps,
            move_latest=move_latest,
            splits=splits,
            description=f"CSV import of {read.path}",
            now=now,
        )
    except BarsRefusedError as exc:
        raise _refusal(read, exc) from None
    return CsvImportSummary(
        path=read.path,
        rows=result.rows,
        tickers=result.tickers,
        notes=read.notes,
        lines=[*_skipped_lines(read, ticker), *result.lines(), *new_from_name],
        result=result,
    )


def _new_tickers_from_the_file_name(store: Store, read: CsvBars, ticker: str | None) -> list[str]:
    """Say so when a new security's only name is the file's name (``export.csv`` -> EXPORT).

    A file without a ticker column takes its ticker from its name: right for ``ICHR.csv``,
    but ``export.csv``, ``2026.csv`` or ``XLE3.csv`` would add a security nobody named.
    Such an import is not refused (a new ticker's first file is often named after it),
    but its summary says, in its own line, that a new security was made from the file
    name and how to name it instead.

    Returns
    -------
    list of str
        One line per ticker taken from the file name that the store did not hold.
    """
    if ticker is not None:
        return []
    named = [
        m.group(1)
        for note in read.notes
        if (m := re.fullmatch(r"ticker (\S+) from the file name", note)) is not None
    ]
    if not named:
        return []
    known = store.securities().index
    return [
        f"New security {t}: the store held no {t}, and its name comes from the file name "
        f"{Path(read.path).name!r} (no ticker column, no --ticker). If that is not its "
        "ticker, import the file again with --ticker and the right one."
        for t in named
        if t not in known
    ]


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
