"""Fleet: customer stacks push to the admin stack (push client, ingest, customers)."""
