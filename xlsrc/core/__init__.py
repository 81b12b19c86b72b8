"""Analytics core: pure, vectorised functions over wide price matrices (no I/O).

Modules: :mod:`.history` (as-of row, history checks), :mod:`.returns`, :mod:`.rs`
(RS score, rating, RS line), :mod:`.technicals` (SMA distance, RSI, volatility,
relative volume, % from high), :mod:`.rotation` (pairs, start-of-year rule, RRG,
sector scores), :mod:`.breadth`.
"""

from . import breadth, history, returns, rotation, rs, technicals

__all__ = ["breadth", "history", "returns", "rotation", "rs", "technicals"]
