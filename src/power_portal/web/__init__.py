"""Serving the built single-page app."""
