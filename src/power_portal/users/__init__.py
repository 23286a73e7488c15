"""Users: accounts, roles, the first admin, and user management."""
