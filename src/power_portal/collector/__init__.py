"""Collector: polls Acuvim II meters over Modbus and sends their readings to the portal.

- ``config``: ``collector.toml``.
- ``registers``: the Acuvim II register map and its decoding (pure).
- ``modbus``: reading one meter over Modbus TCP or RTU (a link per endpoint).
- ``decisions``: what to do after each send, poll and Modbus failure (pure).
- ``spool``: the local SQLite spool readings wait in until the portal has them.
- the stages, each per meter or shared: ``poller`` (poll a meter), ``spool_writer``
  (group commit into the spool), ``sender`` (post batches, act on the answer),
  ``status`` (per-meter counters and the status lines).
- ``service``: ``Collector``, which wires the stages together and runs them.
- ``simulator``: a simulated Acuvim II on pymodbus's server.
- ``cli``: ``portal collect`` and ``portal simulate-meter``.
"""
