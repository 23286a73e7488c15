"""White-label branding: names, colours, logo and favicon."""
