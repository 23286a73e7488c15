"""The shared kernel every domain builds on: request session and dependencies, errors and
problem details, request checks, common responses, shared field types, time and token helpers.

It never imports a domain (``import-linter`` checks it): domains depend on it, not the other way.
"""
