"""System endpoints: health and version."""
