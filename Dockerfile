# syntax=docker/dockerfile:1
# Power Portal image: the web app built by Node, the portal installed from uv.lock,
# run as an unprivileged user. No secret is baked in: every setting comes from the
# environment at run time (see deploy/.env.example).
#
#   docker build -t power-portal:$(git describe --tags --always) .
#   docker run --env-file portal.env -p 8000:8000 power-portal:…
#
# Run modes, the database and Grafana are wired in deploy/docker-compose*.yml.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm
ARG NODE_IMAGE=node:22-bookworm-slim
ARG UV_VERSION=0.13.9

# ---------------------------------------------------------------- front end
FROM ${NODE_IMAGE} AS frontend
WORKDIR /build/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
# vite writes into ../src/power_portal/static (frontend/vite.config.ts)
RUN mkdir -p /build/src/power_portal && npm run build

# ---------------------------------------------------------------- Python environment
FROM ${PYTHON_IMAGE} AS build
ARG UV_VERSION
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
WORKDIR /app
# dependencies first (cached while only the source changes), exactly as locked
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY src/ src/
COPY --from=frontend /build/src/power_portal/static/ src/power_portal/static/
# the project itself, as a real install (not editable): the image needs no source tree
RUN uv sync --frozen --no-dev --no-editable

# ---------------------------------------------------------------- runtime
FROM ${PYTHON_IMAGE} AS runtime
LABEL org.opencontainers.image.title="power-portal" \
      org.opencontainers.image.description="White-labelled power-monitoring portal" \
      org.opencontainers.image.licenses="Apache-2.0"
# DejaVu fonts: the PDFs' text in any script (ReportLab embeds a subset in each document).
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin portal \
    && mkdir -p /data /provisioning \
    && chown portal:portal /data /provisioning
COPY --from=build --chown=root:root /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORTAL_ENV=production \
    PORTAL_DATA_DIR=/data \
    PORTAL_PORT=8000
WORKDIR /app
# /data: uploads and persisted keys (a volume); /provisioning: Grafana files written
# by `portal grafana provision /provisioning` (the compose file's one-shot service).
VOLUME ["/data"]
USER portal:portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4); sys.exit(0 if r.status == 200 else 1)"]
CMD ["portal", "serve", "--host", "0.0.0.0", "--port", "8000"]
