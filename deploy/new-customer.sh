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
# Writes deploy/customers/SLUG/.env (mode 600; git-ignored) from deploy/.env.example,
# with the stack's own network with Traefik: a free /24 of EDGE_POOL (default 10.250),
# EDGE_SUBNET, and Traefik's fixed address on it, TRAEFIK_EDGE_IP (the only proxy the
# portal trusts); then rewrites deploy/customers/edge-networks.yml, the edge's override
# listing every stack's network. Idempotent: an existing env file keeps its values (its
# database passwords are already in the database); one written before the edge networks
# only gets its two edge lines added. Nothing is started and no secret is printed.
# See OPERATIONS.md, "A new customer" and "Trusted proxies".
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
example="$here/.env.example"
reserved=" dev edge traefik grafana www api "

usage() {
    sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
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

# ---- each stack's own network with Traefik: POOL.N.0/24, Traefik at POOL.N.2, the
# containers' addresses from POOL.N.128/25 (so none can take Traefik's)
pool="${EDGE_POOL:-10.250}"
[[ "$pool" =~ ^[0-9]{1,3}\.[0-9]{1,3}$ ]] || die "bad EDGE_POOL '$pool': two octets, like 10.250"
edge_value() { sed -n "s/^$1=//p" "$2" | tail -1; }
free_edge_octet() {
    local used=" " file n
    for file in "$here"/customers/*/.env; do
        [[ -e "$file" ]] || continue
        n="$(edge_value EDGE_SUBNET "$file")"
        n="${n#"$pool".}"
        used+="${n%%.*} "
    done
    for n in $(seq 1 254); do
        [[ "$used" == *" $n "* ]] || { echo "$n"; return; }
    done
    die "no free /24 left in $pool.0.0/16 (EDGE_POOL)"
}
edge_networks() {
    # deploy/customers/edge-networks.yml from every stack's env file
    local file slug_of subnet ip out="$here/customers/edge-networks.yml"
    {
        echo "# Written by deploy/new-customer.sh from deploy/customers/*/.env: do not edit."
        echo "# Each stack's own network with Traefik, Traefik at a fixed address on it."
        echo "services:"
        echo "  traefik:"
        echo "    networks:"
        echo "      default: {}"
        for file in "$here"/customers/*/.env; do
            [[ -e "$file" ]] || continue
            slug_of="$(edge_value CUSTOMER_SLUG "$file")"
            ip="$(edge_value TRAEFIK_EDGE_IP "$file")"
            [[ -n "$slug_of" && -n "$ip" ]] || continue
            echo "      edge-$slug_of:"
            echo "        ipv4_address: $ip"
        done
        echo "networks:"
        for file in "$here"/customers/*/.env; do
            [[ -e "$file" ]] || continue
            slug_of="$(edge_value CUSTOMER_SLUG "$file")"
            subnet="$(edge_value EDGE_SUBNET "$file")"
            [[ -n "$slug_of" && -n "$subnet" ]] || continue
            echo "  edge-$slug_of:"
            echo "    name: portal-edge-$slug_of"
            echo "    ipam:"
            echo "      config:"
            echo "        - subnet: $subnet"
            echo "          ip_range: ${subnet%.0/24}.128/25"
        done
    } >"$out.tmp"
    mv "$out.tmp" "$out"
}

if [[ -e "$target" ]]; then
    echo "$target exists: left unchanged (rotate secrets as OPERATIONS.md says, never by re-running this)."
    if ! $dev && [[ -z "$(edge_value EDGE_SUBNET "$target")" ]]; then
        n="$(free_edge_octet)"
        printf '%s\n' "# this stack's own network with Traefik (added by new-customer.sh)" \
            "EDGE_SUBNET=$pool.$n.0/24" "TRAEFIK_EDGE_IP=$pool.$n.2" >>"$target"
        echo "added its own network with Traefik to $target: EDGE_SUBNET=$pool.$n.0/24."
    fi
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
    if ! $dev; then
        n="$(free_edge_octet)"
        values[EDGE_SUBNET]="$pool.$n.0/24"
        values[TRAEFIK_EDGE_IP]="$pool.$n.2"
    fi
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

$dev || edge_networks

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
next "The edge, now and after every new stack (Traefik joins this stack's own network): docker compose -f deploy/docker-compose.traefik.yml -f deploy/customers/edge-networks.yml --env-file deploy/traefik.env up -d (ACME_EMAIL in deploy/traefik.env)."
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
