"""Authentication and authorisation: login, sessions, lockout, CSRF, roles."""
