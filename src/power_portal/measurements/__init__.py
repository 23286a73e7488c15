"""Measurements: the time-series store, with no routes.

Tables, fields, parsing, storing batches (``ingest``), rollups and the rollup log, the reading
repository, the bucket maths. A site's or device's energy, series, latest reading and summary
are served by ``sites``; ``/api/ingest`` by ``ingest``; a site's bill by ``billing``.
"""
