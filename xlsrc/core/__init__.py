"""Analytics core: pure, vectorised functions over wide price matrices (no I/O)."""
