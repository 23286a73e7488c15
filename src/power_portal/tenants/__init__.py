"""Tenants of a site, the meters they hold over time, their bills and the reconciliation."""
