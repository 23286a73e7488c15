"""Database: where it is, the embedded server, the engine and migrations."""
