"""Where a CSV export's columns are: encoding, header line, separator and column names.

:func:`find_header` finds the header and the separator, :func:`fields_of` maps its
columns to :data:`FIELDS` through :data:`ALIASES` (or an explicit mapping,
:func:`parse_mapping`), :func:`decode_text` decodes the file and :func:`preamble_ticker`
reads a Bloomberg security above the header. Used by
:func:`xlsrc.data.csv_import.read_csv_bars`.

Layout
    The *header* is the first of the file's first 20 lines whose cells name a date column
    and a close column (:data:`ALIASES`, matched without case, accents or punctuation:
    ``Date``, ``Datum``, ``<DTYYYYMMDD>``, ``Close``, ``Price``, ``PX_LAST``, ``Schluss``,
    ``Adj Close``, ``Vol.``, ``Symbol``...); an explicit mapping ``{"column in file":
    "field"}`` overrides the aliases. Lines above the header are a preamble (a Bloomberg
    export's ``ICHR US Equity`` line names the security). A header naming the same column
    twice (a wide export of several securities) is refused.
Separator
    The column separator is the one of ``,`` ``;`` tab ``|`` that splits the header into
    those names (an Excel ``sep=;`` first line is obeyed). This is certain where a
    statistical sniffer guesses: the header must name a date and a close column anyway.
    Both ``csv.Sniffer`` and ``clevercsv`` 0.8.5 were evaluated on this module's fixtures
    (yfinance, Yahoo, Stooq, Investing.com, European ``;``/decimal-comma, Bloomberg,
    MetaStock): both found the separator of every file, neither says anything about the
    decimal mark or the day/month order, which are what corrupt numbers; clevercsv adds
    three dependencies (chardet, regex, packaging) and takes 0.1-0.4 s on a 1,250-line
    file where the header rule takes microseconds. So the standard ``csv`` module reads
    the quoting and this module decides the separator from the header; no sniffing
    library is a dependency.
Encoding
    UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), else cp1252;
    CRLF, LF or CR line ends.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Final

from ..errors import InvalidParameterError

__all__ = [
    "ALIASES",
    "DELIMITERS",
    "FIELDS",
    "IGNORE",
    "column_key",
    "decode_text",
    "fields_of",
    "find_header",
    "parse_mapping",
    "preamble_ticker",
    "split_line",
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
    "dividends",
    "splits",
)

#: Mapping target that leaves a column unread (``--map Symbol=ignore``): a symbol column
#: that contradicts ``--ticker``, a column an alias would otherwise pick.
IGNORE: Final = "ignore"

#: Column name (lower case, accents and punctuation removed) -> field. When several
#: columns map to one field, the alias listed first wins (``Date`` over ``Time``,
#: ``Close`` over ``Price``).
ALIASES: Final[dict[str, str]] = {
    "ticker": "ticker",
    "symbol": "ticker",
    "code": "ticker",
    "security": "ticker",
    "date": "date",
    "dtyyyymmdd": "date",
    "trade date": "date",
    "day": "date",
    "datum": "date",
    "datetime": "date",
    "fecha": "date",
    "data": "date",
    "timestamp": "date",
    "time": "date",
    "open": "open",
    "open price": "open",
    "px open": "open",
    "opening price": "open",
    "eroffnung": "open",
    "erster": "open",
    "ouverture": "open",
    "ouv": "open",
    "eroffn": "open",
    "apertura": "open",
    "abertura": "open",
    "high": "high",
    "high price": "high",
    "px high": "high",
    "hoch": "high",
    "plus haut": "high",
    "maximo": "high",
    "massimo": "high",
    "maxima": "high",
    "low": "low",
    "low price": "low",
    "px low": "low",
    "tief": "low",
    "plus bas": "low",
    "minimo": "low",
    "minima": "low",
    "close": "close",
    "close price": "close",
    "closing price": "close",
    "last": "close",
    "last price": "close",
    "px last": "close",
    "close last": "close",
    "zuletzt": "close",
    "dernier": "close",
    "ultimo": "close",
    "chiusura": "close",
    "cierre": "close",
    "fechamento": "close",
    "schluss": "close",
    "schlusskurs": "close",
    "cloture": "close",
    "price": "close",
    "adj close": "adj_close",
    "adj close price": "adj_close",
    "adjusted close": "adj_close",
    "adjclose": "adj_close",
    "volume": "volume",
    "vol": "volume",
    "px volume": "volume",
    "shares traded": "volume",
    "volumen": "volume",
    "dividends": "dividends",
    "dividend": "dividends",
    "stock splits": "splits",
    "splits": "splits",
    "split": "splits",
}
_RANK: Final = {key: i for i, key in enumerate(ALIASES)}

DELIMITERS: Final = (",", ";", "\t", "|")
_HEADER_SEARCH: Final = 20
_BLOOMBERG_CELL = re.compile(r"\S+\s+[A-Za-z]{2}\s+Equity", re.I)


def column_key(name: str) -> str:
    """Normalise a column name: no BOM, accents, case or punctuation (``Vol.`` -> ``vol``)."""
    text = unicodedata.normalize("NFKD", name.strip().lstrip("\ufeff"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def parse_mapping(items: Mapping[str, str] | list[str] | tuple[str, ...] | None) -> dict[str, str]:
    """Turn ``{"Col": "field"}`` or CLI-style ``["Col=field", ...]`` into a clean mapping.

    Raises
    ------
    InvalidParameterError
        For an item without ``=`` or a field not in :data:`FIELDS` (or :data:`IGNORE`).
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
        target = column_key(fld).replace(" ", "_")
        if target not in (*FIELDS, IGNORE):
            raise InvalidParameterError(
                name="field", value=fld, allowed=", ".join((*FIELDS, IGNORE))
            )
        out[column_key(col)] = target
    return out


def decode_text(raw: bytes) -> str:
    """Decode a file: UTF-16 by its BOM, else UTF-8 (BOM or not), else cp1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def fields_of(header: Sequence[str], explicit: Mapping[str, str]) -> dict[str, int]:
    """Map fields to header columns: explicit mapping first, then the best-ranked alias."""
    best: dict[str, tuple[int, int]] = {}
    for i, col in enumerate(header):
        key = column_key(col)
        if key in explicit:
            if explicit[key] == IGNORE:
                continue
            fld, rank = explicit[key], -1
        elif key in ALIASES:
            fld, rank = ALIASES[key], _RANK[key]
        else:
            continue
        if fld not in best or rank < best[fld][0]:
            best[fld] = (rank, i)
    return {fld: i for fld, (_, i) in best.items()}


def split_line(line: str, delimiter: str) -> list[str]:
    """Split one line into cells at ``delimiter``, with the ``csv`` module's quoting."""
    return next(csv.reader([line], delimiter=delimiter), [])


def find_header(
    lines: list[str], explicit: Mapping[str, str], forced: str | None
) -> tuple[int, str] | None:
    """Return (index of the header line, delimiter), or None if no line names date+close."""
    for index, line in enumerate(lines[:_HEADER_SEARCH]):
        if not line.strip():
            continue
        found: list[tuple[int, str]] = []
        for delimiter in (forced,) if forced else DELIMITERS:
            fields = fields_of(split_line(line, delimiter), explicit)
            if "date" in fields and ("close" in fields or "adj_close" in fields):
                found.append((len(fields), delimiter))
        if found:
            return index, max(found, key=lambda f: f[0])[1]
    return None


def preamble_ticker(rows: list[list[str]]) -> str | None:
    """Return the security named above the header (``ICHR US Equity``), if exactly one."""
    found: set[str] = set()
    for cells in rows:
        cleaned = [c.strip() for c in cells if c.strip()]
        for i, cell in enumerate(cleaned):
            if _BLOOMBERG_CELL.fullmatch(cell):
                found.add(cell)
            elif column_key(cell) in ("ticker", "symbol", "security") and i + 1 < len(cleaned):
                found.add(cleaned[i + 1])
    return found.pop() if len(found) == 1 else None
