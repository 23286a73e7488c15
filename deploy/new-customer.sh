#!/usr/bin/env bash
# Provision the environment of a new customer stack (or the admin stack, or the
# development stack): an env file with generated secrets, then the next steps.
#
#   deploy/new-customer.sh CODE --domain BASE_DOMAIN [--version TAG]
#                               [--admin | --client ADMIN_URL]
#   deploy/new-customer.sh CODE --dev            # deploy/.env for docker-compose.yml
#
# CODE is the customer's code as the fleet knows it (DEV0001, Acme_Plant_3); its slug,
# the host name and compose project (CUSTOMER_SLUG), is the code in lower case with '_'
# as '-' (power_portal.fleet.schemas.customer_slug derives it the same way).
# Writes deploy/customers/SLUG/.env (mode 600; git-ignored) from deploy/.env.example.
# Idempotent: an existing env file is never changed (its database passwords are
# already in the database); the script only prints the next steps again.
# Nothing is started and no secret is printed. See OPERATIONS.md, "A new customer".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
example="$here/.env.example"
reserved=" dev edge traefik grafana www api "

usage() {
    sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}
die() { echo "new-customer: $*" >&2; exit 2; }

code="" domain="" version="" mode="standalone" admin_url="" dev=false
while (($#)); do
    case "$1" in
        --domain) domain="${2:?--domain needs a value}"; shift 2 ;;
        --version) version="${2:?--version needs a value}"; shift 2 ;;
        --admin) mode="admin"; shift ;;
        --client) mode="client"; admin_url="${2:?--client needs the admin stack URL}"; shift 2 ;;
        --dev) dev=true; shift ;;
        -h|--help) usage 0 ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) [[ -z "$code" ]] || die "one CODE only"; code="$1"; shift ;;
    esac
done

[[ -n "$code" ]] || usage
[[ "$code" =~ ^[A-Za-z0-9][A-Za-z0-9_-]{1,39}$ ]] || die "bad code '$code': use 2-40 letters, digits, '-' and '_'"
# The slug: the code in lower case, '_' as '-' (DEV0001 -> dev0001, Acme_Plant_3 -> acme-plant-3).
slug="$(printf '%s' "$code" | tr 'A-Z_' 'a-z-')"
# A subdomain label and a compose project name at once: lower-case, 2-30 characters.
if ! [[ "$slug" =~ ^[a-z][a-z0-9-]{0,28}[a-z0-9]$ ]] || [[ "$slug" == *--* ]]; then
    die "bad slug '$slug' (from code '$code'): a host name needs 2-30 lower-case letters, digits and single hyphens, starting with a letter"
fi
[[ "$reserved" != *" $slug "* ]] || die "'$slug' is reserved (used by the deploy files themselves)"
if [[ -n "$admin_url" ]] && ! [[ "$admin_url" =~ ^https?://[^[:space:]]+$ ]]; then
    die "--client needs the admin stack's URL, like https://admin.portal.example.com"
fi
command -v openssl >/dev/null || die "openssl is needed to generate the secrets"

if $dev; then
    target="$here/.env"
    domain="${domain:-localhost}"
    compose="docker compose -f deploy/docker-compose.yml"
else
    [[ -n "$domain" ]] || die "--domain BASE_DOMAIN is required (the portal answers at https://$slug.BASE_DOMAIN/)"
    [[ "$domain" =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] || die "bad domain '$domain'"
    target="$here/customers/$slug/.env"
    compose="docker compose -f deploy/docker-compose.prod.yml"
    [[ "$mode" != admin ]] || compose+=" -f deploy/docker-compose.admin.yml"
    compose+=" --env-file deploy/customers/$slug/.env"
fi
if [[ -z "$version" ]]; then
    # the version in pyproject.toml: tag the image you build with it
    version="$(sed -n 's/^version = "\(.*\)"/\1/p' "$here/../pyproject.toml" | head -1)"
fi

secret() { openssl rand -base64 36 | tr -d '/+=\n'; }

if [[ -e "$target" ]]; then
    echo "$target exists: left unchanged (rotate secrets as OPERATIONS.md says, never by re-running this)."
else
    mkdir -p "$(dirname "$target")"
    umask 077
    tmp="$(mktemp "$target.XXXXXX")"
    trap 'rm -f "$tmp"' EXIT
    declare -A values=(
        [CUSTOMER_SLUG]="$slug"
        [BASE_DOMAIN]="$domain"
        [PORTAL_VERSION]="$version"
        [PORTAL_RUN_MODE]="$mode"
        [POSTGRES_PASSWORD]="$(secret)"
        [PORTAL_DB_PASSWORD]="$(secret)"
        [GRAFANA_DB_PASSWORD]="$(secret)"
        [PORTAL_ADMIN_PASSWORD]="$(secret)"
        [GRAFANA_ADMIN_PASSWORD]="$(secret)"
    )
    if [[ "$mode" == client ]]; then
        values[PORTAL_FLEET__ENABLED]=true
        values[PORTAL_FLEET__ADMIN_URL]="$admin_url"
    fi
    $dev && values[PORTAL_VERSION]=dev
    while IFS= read -r line || [[ -n "$line" ]]; do
        key="${line%%=*}"
        key="${key#\#}"
        if [[ "$line" == *=* && -n "$key" && -n "${values[$key]+set}" ]]; then
            printf '%s=%s\n' "$key" "${values[$key]}"
        else
            printf '%s\n' "$line"
        fi
    done <"$example" >"$tmp"
    chmod 600 "$tmp"
    mv "$tmp" "$target"
    trap - EXIT
    echo "wrote $target (mode 600) with generated secrets."
fi

host="$slug.$domain"
echo
echo "Next steps for '$code' (host name $slug, $mode):"
if $dev; then
    cat <<EOF
  1. $compose up --build
  2. open http://$host:\${HTTP_PORT:-8080}/ and log in as admin@localhost with
     PORTAL_ADMIN_PASSWORD from $target; Grafana is at /grafana/.
EOF
    exit 0
fi
step=1
next() { echo "  $step. $*"; step=$((step + 1)); }
next "Build and publish the image: docker build -t \${PORTAL_IMAGE:-power-portal}:$version . (and push it to your registry; set PORTAL_IMAGE in the env file)."
next "DNS: point $host at this host (an A/AAAA record, or a wildcard *.$domain)."
next "Once per host, the edge: docker compose -f deploy/docker-compose.traefik.yml --env-file deploy/traefik.env up -d (ACME_EMAIL in deploy/traefik.env)."
if [[ "$mode" == client ]]; then
    next "On the admin stack: portal fleet add-customer $code --name \"...\" — it prints the customer token once."
    next "Put that token in $target as PORTAL_FLEET__CUSTOMER_TOKEN=... (uncomment the line)."
fi
next "Start the stack: $compose up -d"
next "Check: curl -fsS https://$host/api/health and open https://$host/ — log in as admin@localhost with PORTAL_ADMIN_PASSWORD from the env file, then change it (portal users set-password admin@localhost)."
next "Grafana: https://$host/grafana/ (user GRAFANA_ADMIN_USER, password GRAFANA_ADMIN_PASSWORD)."
if [[ "$mode" == admin ]]; then
    next "Register each customer stack: $compose exec portal portal fleet add-customer CODE --name NAME"
fi
next "Back up the env file (a password manager or vault) and schedule backups (OPERATIONS.md, \"Backup and restore\")."
