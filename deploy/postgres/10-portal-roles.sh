#!/bin/sh
# Runs once, when the database volume is first initialised (the image's
# /docker-entrypoint-initdb.d), as the superuser, after TimescaleDB's own
# init script (000_*) has created the extension in $POSTGRES_DB.
#
# Least privilege:
# - portal          owns the database: migrations create its schemas and tables,
#                   the TimescaleDB bootstrap turns them into hypertables. Not a
#                   superuser, cannot create roles or databases.
# - grafana_reader  logs in, reads nothing yet: the grafana-grants one-shot
#                   service grants exactly what the dashboards read, after every
#                   start (`portal grafana grants grafana_reader`).
# Nobody else may connect (CONNECT revoked from PUBLIC).
set -eu

: "${POSTGRES_DB:?}" "${PORTAL_DB_PASSWORD:?set PORTAL_DB_PASSWORD}" "${GRAFANA_DB_PASSWORD:?set GRAFANA_DB_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     --set=db="$POSTGRES_DB" \
     --set=portal_password="$PORTAL_DB_PASSWORD" \
     --set=grafana_password="$GRAFANA_DB_PASSWORD" <<'SQL'
CREATE ROLE portal LOGIN PASSWORD :'portal_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
CREATE ROLE grafana_reader LOGIN PASSWORD :'grafana_password'
    NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
    CONNECTION LIMIT 20;
-- Grafana only ever reads; refuse writes even if a grant slips through.
ALTER ROLE grafana_reader SET default_transaction_read_only = on;
ALTER ROLE grafana_reader SET statement_timeout = '60s';

ALTER DATABASE :"db" OWNER TO portal;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO portal;
GRANT CONNECT ON DATABASE :"db" TO grafana_reader;
-- public holds only alembic_version: the owner's alone.
ALTER SCHEMA public OWNER TO portal;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
-- Where the server has TimescaleDB (this image does), make sure the extension
-- exists: creating it needs the superuser, using it does not.
SELECT 'CREATE EXTENSION IF NOT EXISTS timescaledb'
WHERE EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb') \gexec
SQL
echo "portal roles created: portal (owner of $POSTGRES_DB), grafana_reader (read-only)"
