"""Billing: a site's bill (JSON and CSV), its daily costs and this month's cost.

The routes keep the site's URLs (``/api/sites/{site_id}/bill`` …) and the front-end feature
is ``billing``. The tariff documents and the calculator they run are in ``tariffs``; the
site comes from ``sites``.
"""
