"""Fleet: customer stacks push to the admin stack (client: ``push``; admin: ``service``)."""
