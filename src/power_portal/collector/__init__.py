"""Collector: polls Acuvim II meters over Modbus and sends their readings to the portal.

- ``registers``: the Acuvim II register map and its decoding (pure).
- ``config``: ``collector.toml``.
- ``spool``: the local SQLite spool readings wait in until the portal has them.
- ``poller``: reading one meter over Modbus TCP or RTU.
- ``service``: the loop (poll, spool, send, report).
- ``simulator``: a simulated Acuvim II on pymodbus's server.
"""
