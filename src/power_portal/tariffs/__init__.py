"""Tariffs: the documents (stored by version), their validator and the bill calculator (pure).

A site's bill, daily costs and month cost (the routes under ``/api/sites/{id}/``) are in
``billing``, which applies a site's tariff to its readings.
"""
