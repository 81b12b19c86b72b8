"""The dashboard: one layout definition and the values for each of its blocks."""
