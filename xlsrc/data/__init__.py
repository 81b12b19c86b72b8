"""The data layer: stores, the exchange calendar, the validation gate and providers.

Entry points: :func:`open_store` (a store from a path, ``memory:`` or a PostgreSQL URL),
:func:`ingest_bars` (the one write path for bars: validate, then write),
:func:`load_matrices` (a store's closes as matrices on the exchange calendar).
"""

from .ingest import IngestResult, ingest_bars
from .matrices import Matrices, load_field, load_matrices
from .store import ENV_VAR, default_location, open_store

__all__ = [
    "ENV_VAR",
    "IngestResult",
    "Matrices",
    "default_location",
    "ingest_bars",
    "load_field",
    "load_matrices",
    "open_store",
]
