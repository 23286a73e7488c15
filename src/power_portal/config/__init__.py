"""The configuration overview, redacted by construction."""
