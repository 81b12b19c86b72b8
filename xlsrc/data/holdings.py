"""Read index membership from an iShares holdings export (a file path or a URL).

iShares publishes each fund's holdings as a CSV: a block of header lines (fund name,
``Fund Holdings as of,"Jun 19, 2026"``, ...), a blank line, then the table
``Ticker,Name,[Type,]Sector,Asset Class,Market Value,Weight (%),...`` and a footer of
disclaimers. Some copies come without the header block (the table starts on line 1,
often after a UTF-8 byte-order mark). Both are read here; the table is found by its
``Ticker`` header wherever it starts.

Only equity rows are members (``Asset Class`` = ``Equity``): cash, futures, money-market
funds and FX rows are dropped. Tickers go through
:func:`xlsrc.data.universes.normalise_ticker` (``BRK.B`` -> ``BRK-B``); rows whose ticker
cannot be a ticker (``-``, blank), and holdings iShares lists on no exchange
(``NO MARKET (E.G. UNLISTED)``: a company taken private, HOLX in IVV of 2026-06-19), are
counted as skipped.

A URL is fetched through an injectable ``opener`` (``url -> bytes``) so tests and
offline machines never touch the network.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import pandas as pd

from ..errors import DataSourceError, InvalidParameterError, UnknownUniverseError
from ..sectors import ishares_sector
from .backends.base import Store
from .universes import check_us_listed, normalise_ticker
from .validate import check_universe_name

__all__ = [
    "INDEX_FUNDS",
    "INDEX_SIZES",
    "Holdings",
    "Opener",
    "UniverseSummary",
    "define_universe",
    "delete_universe",
    "import_universe",
    "parse_holdings",
    "read_holdings",
    "reset_universe",
    "tickers_from_values",
    "tracked_index",
    "urlopen_bytes",
]

#: ``url -> bytes`` (the body of the response).
Opener = Callable[[str], bytes]

_EQUITY: Final = "equity"
#: iShares drops the class separator of dual-class shares (``BRKB`` for ``BRK.B``); these
#: are the ones seen in its S&P and Russell files, mapped to Yahoo's spelling.
ISHARES_SPELLINGS: Final[dict[str, str]] = {
    "BRKB": "BRK-B",
    "BFA": "BF-A",
    "BFB": "BF-B",
    "GEFB": "GEF-B",
    "MOGA": "MOG-A",
    "MOGB": "MOG-B",
    "HEIA": "HEI-A",
    "LENB": "LEN-B",
    "UHALB": "UHAL-B",
    "CWENA": "CWEN-A",
    "CRDA": "CRD-A",
    "CRDB": "CRD-B",
}
_AS_OF: Final = re.compile(r"holdings as of", re.I)
_URL: Final = re.compile(r"^https?://", re.I)


@dataclass(frozen=True)
class Holdings:
    """An iShares holdings file, equity rows only.

    Attributes
    ----------
    source : str
        The path or URL read.
    fund : str or None
        The fund's name from the header block (None for the headerless variant).
    as_of : pandas.Timestamp or None
        The ``Fund Holdings as of`` date, if the file says.
    members : pandas.DataFrame
        One row per equity holding, in file order, unique by ticker:
        ``ticker, name, sector, weight`` (sector: GICS via ``xlsrc.sectors.ISHARES_TO_GICS``,
        "" for cash, "Other" or none; weight in percent, NaN if absent).
    skipped : int
        Equity rows dropped because their ticker is not a ticker (``-``, blank).
    """

    source: str
    fund: str | None
    as_of: pd.Timestamp | None
    members: pd.DataFrame
    skipped: int = 0

    @property
    def tickers(self) -> list[str]:
        """The member tickers, normalised, in file order."""
        return list(self.members["ticker"])


def urlopen_bytes(url: str, timeout: float = 30.0) -> bytes:
    """Fetch ``url`` with a browser-like User-Agent (iShares refuses the default one)."""
    request = urllib.request.Request(url, headers={"User-Agent": "Mozilla/5.0 (xlsrc)"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read()


def _unlisted(exchange: str) -> bool:
    """Tell whether an iShares exchange cell is "NO MARKET (E.G. UNLISTED)" (traded nowhere)."""
    return exchange.strip().upper().startswith("NO MARKET")


def _find(header: list[str], *names: str) -> int | None:
    lowered = [h.strip().lower() for h in header]
    for name in names:
        if name in lowered:
            return lowered.index(name)
    return None


def _number(text: str) -> float:
    try:
        return float(text.replace(",", "").strip())
    except ValueError:
        return float("nan")


def parse_holdings(text: str, source: str = "<text>") -> Holdings:
    """Parse the text of an iShares holdings CSV.

    Parameters
    ----------
    text : str
        The whole file (a leading byte-order mark is ignored).
    source : str
        Where the text came from, for messages and provenance.

    Returns
    -------
    Holdings
        The equity members.

    Raises
    ------
    DataSourceError
        If no ``Ticker,...`` table is found or it has no equity rows.
    """
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    except csv.Error as exc:
        raise DataSourceError(
            f"{source} is not an iShares holdings file (a CSV with a Ticker column): {exc}"
        ) from exc
    fund: str | None = None
    as_of: pd.Timestamp | None = None
    start = None
    for i, row in enumerate(rows[:40]):
        cells = [c.strip().lstrip("\ufeff") for c in row]
        if cells and cells[0].lower() == "ticker":
            start = i
            break
        if i == 0 and len([c for c in cells if c]) == 1:
            fund = cells[0]
        if cells and _AS_OF.search(cells[0]) and len(cells) > 1:
            parsed = pd.to_datetime(cells[1], errors="coerce", format="mixed")
            as_of = None if pd.isna(parsed) else pd.Timestamp(parsed).normalize()
    if start is None:
        raise DataSourceError(
            f"{source}: not an iShares holdings file (no 'Ticker,Name,...' header in its first 40 lines)"
        )
    header = [c.strip().lstrip("\ufeff") for c in rows[start]]
    i_ticker = 0
    i_name = _find(header, "name")
    i_sector = _find(header, "sector")
    i_class = _find(header, "asset class")
    i_weight = _find(header, "weight (%)", "market weight", "weight")
    i_exchange = _find(header, "exchange")
    if i_class is None:
        raise DataSourceError(
            f"{source}: holdings table has no 'Asset Class' column (columns: {', '.join(header)})"
        )
    records: dict[str, tuple[str, str, str, float]] = {}
    skipped = 0
    for row in rows[start + 1 :]:
        if len(row) < len(header) - 2 or len(row) <= i_class:
            continue  # blank line or footer disclaimer
        if row[i_class].strip().lower() != _EQUITY:
            continue
        if i_exchange is not None and len(row) > i_exchange and _unlisted(row[i_exchange]):
            skipped += 1  # "NO MARKET (E.G. UNLISTED)": held, but not traded (taken private)
            continue
        try:
            raw = row[i_ticker].strip().upper()
            ticker = normalise_ticker(ISHARES_SPELLINGS.get(raw, raw))
        except InvalidParameterError:
            skipped += 1
            continue
        if ticker in records:
            continue
        records[ticker] = (
            ticker,
            row[i_name].strip() if i_name is not None else "",
            (ishares_sector(row[i_sector]) or "") if i_sector is not None else "",
            _number(row[i_weight]) if i_weight is not None else float("nan"),
        )
    if not records:
        raise DataSourceError(f"{source}: no equity rows in the holdings table")
    members = pd.DataFrame(list(records.values()), columns=["ticker", "name", "sector", "weight"])
    return Holdings(source=source, fund=fund, as_of=as_of, members=members, skipped=skipped)


def read_holdings(source: str | Path, opener: Opener | None = None) -> Holdings:
    """Read an iShares holdings CSV from a path or an ``http(s)://`` URL.

    Parameters
    ----------
    source : str or pathlib.Path
        A file path or a URL.
    opener : callable, optional
        ``url -> bytes`` used for URLs (default :func:`urlopen_bytes`); inject a fake in
        tests.

    Returns
    -------
    Holdings
        The equity members.

    Raises
    ------
    DataSourceError
        If the file cannot be read or fetched, or is not a holdings file.
    """
    text_source = str(source)
    if _URL.match(text_source):
        try:
            data = (opener or urlopen_bytes)(text_source)
        except Exception as exc:  # any transport failure becomes one clear message
            raise DataSourceError(f"Could not download holdings from {text_source}: {exc}") from exc
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as exc:
            raise DataSourceError(
                f"Could not read holdings file {text_source}: {exc.strerror or exc}"
            ) from exc
    if data[:2] == b"\x1f\x8b":  # a gzip file (holdings.csv.gz)
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise DataSourceError(f"Could not unzip holdings file {text_source}: {exc}") from exc
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    return parse_holdings(text, source=text_source)


@dataclass(frozen=True)
class UniverseSummary:
    """What a universe import or definition stored.

    Attributes
    ----------
    name : str
        The universe (lower case, as stored).
    members : int
        Its number of members now.
    source : str
        Where the list came from (recorded in the store).
    added, removed : tuple of str
        Members gained and lost against the previous list.
    new_securities : int
        Members the store did not know, added to ``securities`` with name and sector.
    skipped : int
        Rows not read as tickers.
    without_bars : tuple of str
        Members the store holds no bars for (a typo, or a ticker not refreshed yet): they
        are kept in the list but count in no table or rating until bars arrive.
    """

    name: str
    members: int
    source: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    new_securities: int = 0
    skipped: int = 0
    without_bars: tuple[str, ...] = ()

    def __str__(self) -> str:
        text = f"Universe {self.name}: {self.members:,} members from {self.source}"
        text += f" (+{len(self.added)} / -{len(self.removed)} against the previous list"
        if self.new_securities:
            text += f"; {self.new_securities} new securities"
        if self.skipped:
            text += f"; {self.skipped} rows skipped"
        text += ")."
        if self.without_bars:
            n = len(self.without_bars)
            names = ", ".join(self.without_bars[:SHOWN_WITHOUT_BARS])
            more = f" and {n - SHOWN_WITHOUT_BARS} more" if n > SHOWN_WITHOUT_BARS else ""
            text += (
                f"\nWarning: the store holds no bars for {n:,} of them: {names}{more} "
                "(a typo, or not refreshed yet); they stay in the list but count in no table "
                f"or rating until 'xlsrc refresh --universe {self.name}' or an import brings "
                "their bars."
            )
        return text


#: Members without bars a universe summary names before "and N more".
SHOWN_WITHOUT_BARS = 10


#: The indexes of the bundled universes: name -> (index, plausible member counts). An
#: S&P 500 has 500-505 members (share classes: GOOGL and GOOG...), the S&P 400 and 600 have
#: 400 and 600 (their iShares files list 400 and 605 tickers on 2026-06-19), the Russell
#: 2000 about 1,900-2,050 between reconstitutions (iShares IWM: 1,957 tickers 2025 Q4,
#: 1,921 on 2026-05-05). The ranges allow a few members more or less for a file taken
#: between an index change and the fund's trade, and nothing like another index.
INDEX_SIZES: Final[dict[str, tuple[str, range]]] = {
    "sp500": ("the S&P 500", range(490, 516)),
    "sp400": ("the S&P MidCap 400", range(390, 411)),
    "sp600": ("the S&P SmallCap 600", range(585, 616)),
    "r2000": ("the Russell 2000", range(1800, 2101)),
}

#: Index funds whose holdings files a user may bring: ticker -> (index, universe or None).
#: iShares, SPDR and Vanguard funds of the four indexes, and the broad or style funds a
#: file is mistaken for (a Russell 3000 or a Russell 2000 Growth fund is not the Russell
#: 2000).
INDEX_FUNDS: Final[dict[str, tuple[str, str | None]]] = {
    **dict.fromkeys(("IVV", "SPY", "VOO", "SPLG"), ("the S&P 500", "sp500")),
    **dict.fromkeys(("IJH", "MDY", "IVOO", "SPMD"), ("the S&P MidCap 400", "sp400")),
    **dict.fromkeys(("IJR", "SLY", "VIOO", "SPSM"), ("the S&P SmallCap 600", "sp600")),
    **dict.fromkeys(("IWM", "VTWO"), ("the Russell 2000", "r2000")),
    "IWN": ("the Russell 2000 Value", None),
    "IWO": ("the Russell 2000 Growth", None),
    "IWV": ("the Russell 3000", None),
    "IWB": ("the Russell 1000", None),
    "ITOT": ("the S&P Total Market", None),
}

#: Fund names (the first line of an iShares file) -> the index they track, most specific
#: first: "iShares Russell 2000 Growth ETF" is not the Russell 2000.
_FUND_NAMES: Final[tuple[tuple[re.Pattern[str], str, str | None], ...]] = (
    (re.compile(r"russell 2000 (value|growth)", re.I), "a Russell 2000 style index", None),
    (re.compile(r"russell 2000", re.I), "the Russell 2000", "r2000"),
    (
        re.compile(r"russell (1000|3000|top 200|mid-?cap|micro-?cap)", re.I),
        "another Russell index",
        None,
    ),
    (re.compile(r"s&p (small-?cap|600)|smallcap 600", re.I), "the S&P SmallCap 600", "sp600"),
    (re.compile(r"s&p (mid-?cap|400)|midcap 400", re.I), "the S&P MidCap 400", "sp400"),
    (re.compile(r"s&p 500(?! (value|growth))", re.I), "the S&P 500", "sp500"),
)


def tracked_index(holdings: Holdings) -> tuple[str, str, str | None] | None:
    """Return which index a holdings file's fund tracks, if its name or file name says.

    Parameters
    ----------
    holdings : Holdings
        A file read by :func:`read_holdings`.

    Returns
    -------
    tuple or None
        ``(fund, index, universe)``: the fund as the file names it (``IWM``, or the
        preamble's fund name), the index it tracks (``the Russell 2000``) and the bundled
        universe of that index (``r2000``; None for an index xlsrc does not bundle).
        None when neither the preamble nor the file name names a known fund.
    """
    if holdings.fund:
        for pattern, index, universe in _FUND_NAMES:
            if pattern.search(holdings.fund):
                return holdings.fund, index, universe
    stem = Path(urllib.parse.urlparse(holdings.source).path).name
    first = re.split(r"[^A-Za-z0-9]+", stem, maxsplit=1)[0].upper()
    if first in INDEX_FUNDS:
        return (first, *INDEX_FUNDS[first])
    return None


def _check_index_members(key: str, holdings: Holdings | None, count: int) -> None:
    """Refuse a list for a bundled index universe that cannot be that index.

    A holdings file whose fund tracks another index is refused naming both; without a
    fund to tell (a file without its preamble, a typed list), a member count far from the
    index's size (:data:`INDEX_SIZES`) is.
    """
    if key not in INDEX_SIZES:
        return
    wanted, sizes = INDEX_SIZES[key]
    told = tracked_index(holdings) if holdings is not None else None
    if told is not None:
        fund, index, universe = told
        if universe != key:
            tracks = f"{index} ({universe})" if universe else index
            way = f"import it as {universe}, or" if universe else "import it"
            raise InvalidParameterError(
                f"{fund} tracks {tracks}, not {wanted} ({key}): {way} under a name of your own",
                name="universe",
                value=key,
            )
        return
    if count not in sizes:
        raise InvalidParameterError(
            f"{count:,} members cannot be {wanted} ({key}), which has {sizes.start:,} to "
            f"{sizes.stop - 1:,}: import the holdings file of a fund tracking it (its fund "
            "named in the file's first line or file name), or save the list under a name of "
            "your own",
            name="universe",
            value=key,
        )


def _check_name(store: Store, name: object) -> str:
    """Return the universe name normalised; refuse one a ticker the store holds has."""
    key = check_universe_name(name)
    try:
        symbol = normalise_ticker(key)
    except InvalidParameterError:
        return key
    if symbol in set(store.last_days().dropna().index):
        raise InvalidParameterError(
            f"{key} is a ticker the store holds ({symbol}): a universe of that name would be "
            "mistaken for it in a formula; choose another name",
            name="universe name",
            value=name,
        )
    return key


def _check_members(key: str, members: list[str]) -> None:
    """Refuse a list of fewer than two members (a ranking or breadth of one is no measure)."""
    if len(members) < 2:
        raise InvalidParameterError(
            f"universe {key} needs at least two members (got {len(members)}: "
            f"{', '.join(members) or 'none'}): a rating or breadth of one stock against "
            "itself is 99 or 100% whatever it does",
            name="universe tickers",
            value=members,
        )


def _without_bars(store: Store, members: Iterable[str]) -> tuple[str, ...]:
    """Return the members the store holds no bars for, sorted."""
    held = set(store.last_days().dropna().index)
    return tuple(sorted(t for t in members if t not in held))


def _previous(store: Store, name: str) -> tuple[str, ...]:
    return tuple(store.universes().get(name, ()))


def _guard_builtin(store: Store, key: str, replace: bool) -> None:
    """Refuse to overwrite a bundled universe unless ``replace`` is given."""
    builtin = store.builtin_universes()
    if key in builtin and not replace:
        raise InvalidParameterError(
            f"{key} is a bundled universe ({len(builtin[key]):,} members): pass --replace to "
            f"overwrite it, or choose another name ('xlsrc universe reset {key}' restores the "
            "bundled list)"
        )


def import_universe(
    store: Store,
    name: str,
    source: str | Path,
    opener: Opener | None = None,
    *,
    replace: bool = False,
) -> UniverseSummary:
    """Replace a universe's membership with the equity rows of an iShares holdings file.

    Behind ``xlsrc universe import NAME FILE``. Members the store has no security record
    for are added to ``securities`` (name, GICS sector, type ``stock``); existing records
    are left as they are.

    Parameters
    ----------
    store : Store
        The store (``set_universe``, ``universes``, ``securities``, ``upsert_securities``).
    name : str
        The universe name (stored lower case), e.g. ``sp600``.
    source : str or pathlib.Path
        A holdings CSV path or an ``http(s)://`` URL.
    opener : callable, optional
        ``url -> bytes`` for URLs (tests inject one).
    replace : bool
        Allow overwriting a bundled universe (``sp500``, ``sp600``...).

    Returns
    -------
    UniverseSummary
        What changed.

    Raises
    ------
    DataSourceError
        If the file cannot be read or is not a holdings file (nothing is changed).
    InvalidParameterError
        For a reserved or malformed universe name, or a bundled one without ``replace``.
    """
    key = _check_name(store, name)
    _guard_builtin(store, key, replace)
    holdings = read_holdings(source, opener=opener)
    _check_members(key, holdings.tickers)
    _check_index_members(key, holdings, len(holdings.tickers))
    before = _previous(store, key)
    known = set(store.securities().index)
    fresh = holdings.members[~holdings.members["ticker"].isin(known)]
    if len(fresh):
        sec = fresh[["ticker", "name", "sector"]].copy()
        sec["name"] = sec["name"].where(sec["name"] != "", None)
        sec["sector"] = sec["sector"].where(sec["sector"] != "", None)
        sec["type"] = "stock"
        store.upsert_securities(sec)
    label = f"iShares holdings {Path(str(source)).name}"
    if holdings.fund or holdings.as_of is not None:
        details = ", ".join(
            x
            for x in (
                holdings.fund,
                f"as of {holdings.as_of:%Y-%m-%d}" if holdings.as_of is not None else None,
            )
            if x
        )
        label += f" ({details})"
    label += "; not point-in-time"
    count = store.set_universe(key, holdings.tickers, source=label).rows
    now = set(holdings.tickers)
    return UniverseSummary(
        name=key,
        members=int(count),
        source=label,
        added=tuple(sorted(now - set(before))),
        removed=tuple(sorted(set(before) - now)),
        new_securities=len(fresh),
        skipped=holdings.skipped,
        without_bars=_without_bars(store, now),
    )


def tickers_from_values(values: object) -> tuple[list[str], int]:
    """Flatten tickers from a list, a comma/blank-separated string or a 2D range.

    ``"IWM, SPY QQQ"``, ``["IWM", "SPY"]`` and an Excel range's values
    ``[["IWM", None], ["SPY", ""]]`` all work; empty cells are ignored.

    Returns
    -------
    tickers : list of str
        Normalised, first occurrence kept.
    skipped : int
        Non-empty cells that are not tickers (numbers, ``#N/A``...).
    """
    cells: list[object] = []

    def walk(v: object) -> None:
        if isinstance(v, str):
            cells.extend(p for p in re.split(r"[,;\s]+", v) if p)
        elif isinstance(v, list | tuple):
            for item in v:
                walk(item)
        elif v is not None:
            cells.append(v)

    walk(values)
    seen: dict[str, None] = {}
    skipped = 0
    for cell in cells:
        try:
            seen.setdefault(normalise_ticker(cell), None)
        except InvalidParameterError:
            skipped += 1
    return list(seen), skipped


def define_universe(
    store: Store, name: str, tickers: object, source: str = "user list", *, replace: bool = False
) -> UniverseSummary:
    """Create or replace a user-defined universe from a list or a workbook range.

    Behind ``xlsrc universe set NAME T1,T2`` and the workbook's range-based definition
    (pass the range's values, a 2D list, as ``tickers``). Tickers need not have bars yet
    (a universe may list tickers before their first refresh): they are stored, and the
    summary warns about them (:attr:`UniverseSummary.without_bars`), so a typo such as
    ``XYZQ`` is seen at once.

    Parameters
    ----------
    store : Store
        The store.
    name : str
        The universe name (stored lower case).
    tickers : object
        See :func:`tickers_from_values`.
    source : str
        Recorded as where the list came from.
    replace : bool
        Allow overwriting a bundled universe.

    Returns
    -------
    UniverseSummary

    Raises
    ------
    InvalidParameterError
        For a reserved or malformed name, a bundled one without ``replace``, or no
        ticker at all.
    """
    key = _check_name(store, name)
    _guard_builtin(store, key, replace)
    names, skipped = tickers_from_values(tickers)
    if not names:
        raise InvalidParameterError(
            name="universe tickers", value=tickers, allowed="at least one ticker"
        )
    for t in names:  # a London or Toronto listing is refused here as everywhere else
        check_us_listed(t)
    _check_members(key, names)
    _check_index_members(key, None, len(names))
    before = _previous(store, key)
    count = store.set_universe(key, names, source=source).rows
    return UniverseSummary(
        name=key,
        members=int(count),
        source=source,
        added=tuple(sorted(set(names) - set(before))),
        removed=tuple(sorted(set(before) - set(names))),
        skipped=skipped,
        without_bars=_without_bars(store, names),
    )


def reset_universe(store: Store, name: str) -> UniverseSummary:
    """Restore a bundled universe's shipped list (``xlsrc universe reset NAME``).

    Raises
    ------
    UnknownUniverseError
        If ``name`` is not a bundled universe.
    """
    key = check_universe_name(name)
    builtin = store.builtin_universes()
    if key not in builtin:
        raise UnknownUniverseError(name=name, known=", ".join(sorted(builtin)) or "none")
    before = _previous(store, key)
    source = store.universe_sources().get(key, "bundled snapshot")
    if before != builtin[key]:
        if key in store.universes() and before:
            try:
                store.delete_universe(key)
            except UnknownUniverseError:
                pass
        if _previous(store, key) != builtin[key]:  # a store that holds everything itself
            store.set_universe(key, builtin[key], source="bundled snapshot; not point-in-time")
        source = store.universe_sources().get(key, "bundled snapshot")
    now = set(builtin[key])
    return UniverseSummary(
        name=key,
        members=len(builtin[key]),
        source=source,
        added=tuple(sorted(now - set(before))),
        removed=tuple(sorted(set(before) - now)),
    )


def delete_universe(store: Store, name: str) -> str:
    """Delete a universe the user defined (``xlsrc universe delete NAME``).

    Raises
    ------
    InvalidParameterError
        For a bundled universe (use :func:`reset_universe`).
    UnknownUniverseError
        If the store holds no such universe.
    """
    key = check_universe_name(name)
    if key in store.builtin_universes():
        raise InvalidParameterError(
            f"{key} is a bundled universe: 'xlsrc universe reset {key}' restores its list"
        )
    store.delete_universe(key)
    return f"Universe {key} deleted."
