"""Ingest: the ``/api/ingest`` routes and the ``portal import-csv`` command.

Device-token auth, body limits, JSON or CSV parsed and stored by ``measurements``.
"""
