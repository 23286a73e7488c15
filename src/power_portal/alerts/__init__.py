"""Alerts: rules that watch the meters, their states, and the notifications (docs/api/alerts.md)."""
