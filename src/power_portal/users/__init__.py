"""User administration: the first admin, managing accounts and roles (the tables: auth)."""
