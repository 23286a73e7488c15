"""Sites, their devices (meters), the devices' ingest tokens, and a site's or device's readings.

The reading routes (energy, series, latest reading, summary: ``/api/sites/…``,
``/api/devices/…``) live here and read from ``measurements``; a site's bill and costs live in
``billing``.
"""
