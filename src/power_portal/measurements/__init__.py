"""Measurements: ingest, rollups, energy and series queries."""
