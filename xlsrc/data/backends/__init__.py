"""Store backends: the bundled snapshot, SQLite, memory, PostgreSQL, and the layering.

A writable store is layered over the read-only snapshot; :func:`xlsrc.data.open_store`
picks the backend from the location.
"""
