"""Sites, their devices (meters), and the devices' ingest tokens."""
