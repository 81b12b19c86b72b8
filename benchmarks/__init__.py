"""Performance benchmarks of xlsrc: ``python -m benchmarks`` runs them all."""
