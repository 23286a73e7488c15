"""power-portal: a white-labelled power-monitoring portal for Acuvim-metered sites."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("power-portal")
except PackageNotFoundError:  # pragma: no cover - running from a bare checkout
    __version__ = "0.0.0+unknown"
