"""System endpoints: health (`/api/health`) and Prometheus metrics (`/metrics`)."""
