"""Market data: the local SQLite store, the bundled snapshot and the providers that fill it."""
