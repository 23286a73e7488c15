"""The deployment files: compose wiring, the Dockerfile, the env documentation and
deploy/new-customer.sh. Parsed as data (PyYAML); `docker compose config` too where a
docker client with compose exists."""

from __future__ import annotations

import ipaddress
import os
import re
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from power_portal.fleet.schemas import customer_slug

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"
DEV = DEPLOY / "docker-compose.yml"
PROD = DEPLOY / "docker-compose.prod.yml"
ADMIN = DEPLOY / "docker-compose.admin.yml"
EDGE = DEPLOY / "docker-compose.traefik.yml"
ENV_EXAMPLE = DEPLOY / ".env.example"
NEW_CUSTOMER = DEPLOY / "new-customer.sh"
ALL_FILES = (DEV, PROD, ADMIN, EDGE)
STACKS = (DEV, PROD)  # a whole customer stack each

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?error}, ${VAR?error}; not $${escaped}
VARIABLE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)")
SECRET_NAMES = re.compile(r"PASSWORD$|TOKEN$|SECRET$", re.IGNORECASE)


def load(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    assert isinstance(document, dict)
    return document


def services(path: Path) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = load(path)["services"]
    return found


def labels(service: dict[str, Any]) -> dict[str, str]:
    found: dict[str, str] = {}
    for label in service.get("labels", []):
        key, _, value = label.partition("=")
        found[key] = value
    return found


def documented_variables() -> set[str]:
    """Every NAME= in .env.example, also the commented-out optional ones (#NAME=)."""
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", ENV_EXAMPLE.read_text(), re.MULTILINE))


# ---------------------------------------------------------------- the stacks


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.name)
def test_stack_has_every_service(path: Path) -> None:
    assert {"db", "portal", "grafana", "grafana-provision", "grafana-grants"} <= set(services(path))


def test_dev_stack_brings_its_own_traefik_and_prod_uses_the_shared_one() -> None:
    assert "traefik" in services(DEV)
    assert "traefik" not in services(PROD)
    assert set(services(EDGE)) == {"traefik"}


@pytest.mark.parametrize("path", [*STACKS, EDGE], ids=lambda p: p.name)
def test_project_names_are_lower_case(path: Path) -> None:
    name = load(path)["name"]
    literal = re.sub(r"\$\{[^}]*\}", "", name)
    assert literal == literal.lower()
    assert re.fullmatch(r"[a-z0-9][a-z0-9_-]*(\$\{CUSTOMER_SLUG[^}]*\})?", name), name


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.name)
def test_the_database_is_only_on_the_internal_network(path: Path) -> None:
    document = load(path)
    networks = document["networks"]
    assert networks["internal"]["internal"] is True
    stack = services(path)
    assert stack["db"]["networks"] == ["internal"]
    assert "ports" not in stack["db"]
    # the portal and Grafana: reached by Traefik on the stack's own edge network (dev: the
    # stack's Traefik on its public one), the db internally
    outside = "edge" if path == PROD else "public"
    for name in ("portal", "grafana"):
        assert set(stack[name]["networks"]) == {"internal", outside}
        assert "ports" not in stack[name]
    assert stack["grafana-grants"]["networks"] == ["internal"]
    assert stack["grafana-provision"]["network_mode"] == "none"


def test_prod_joins_its_own_edge_network_shared_with_no_other_stack() -> None:
    """Each stack's portal and Grafana are on networks of that stack alone: its internal
    one, and its own network with Traefik (named after the slug), never one every stack
    joins, so no other stack's container can reach them."""
    networks = load(PROD)["networks"]
    assert set(networks) == {"internal", "edge"}
    assert networks["edge"] == {"name": "portal-edge-${CUSTOMER_SLUG}", "external": True}
    for name, service in services(PROD).items():
        for network in service.get("networks", []):
            spec = networks[network]
            # a network Compose scopes to the project, or one named after this stack
            assert "name" not in spec or "${CUSTOMER_SLUG}" in spec["name"], (name, network)
    for name in ("portal", "grafana"):
        assert labels(services(PROD)[name])["traefik.docker.network"] == (
            "portal-edge-${CUSTOMER_SLUG}"
        )
    # the edge declares no network of its own for the stacks: their networks come from
    # the override new-customer.sh writes, one per stack
    edge = load(EDGE)
    assert "networks" not in edge
    assert services(EDGE)["traefik"]["networks"] == {"default": {}}
    assert not any("providers.docker.network" in c for c in services(EDGE)["traefik"]["command"])


def test_prod_trusts_forwarded_headers_from_its_traefik_only() -> None:
    env = services(PROD)["portal"]["environment"]
    allowed = env["PORTAL_FORWARDED_ALLOW_IPS"]
    assert "*" not in allowed
    assert allowed.startswith("${TRAEFIK_EDGE_IP:?")
    command = services(EDGE)["traefik"]["command"]
    for entrypoint in ("web", "websecure"):
        assert f"--entrypoints.{entrypoint}.forwardedheaders.insecure=false" in command
        assert not any(
            c.startswith(f"--entrypoints.{entrypoint}.forwardedheaders.trustedips") for c in command
        )


def test_prod_rate_limits_sign_in_and_ingest_at_the_edge() -> None:
    portal = labels(services(PROD)["portal"])
    router = "traefik.http.routers.${CUSTOMER_SLUG}"
    middleware = "traefik.http.middlewares.${CUSTOMER_SLUG}"
    host = "Host(`${CUSTOMER_SLUG}.${BASE_DOMAIN}`)"
    assert portal[f"{router}-login.rule"] == f"{host} && Path(`/api/auth/login`)"
    assert portal[f"{router}-ingest.rule"] == (
        f"{host} && (Path(`/api/ingest/measurements`) || Path(`/api/fleet/ingest`))"
    )
    catch_all = int(portal[f"{router}-portal.priority"])
    for name in ("login", "ingest"):
        assert int(portal[f"{router}-{name}.priority"]) > catch_all
        assert portal[f"{router}-{name}.service"] == "${CUSTOMER_SLUG}-portal"
        assert portal[f"{router}-{name}.entrypoints"] == "websecure"
        assert portal[f"{router}-{name}.tls"] == "true"
    attached = {
        name: portal[f"{router}-{name}.middlewares"].split(",") for name in ("login", "ingest")
    }
    assert attached == {
        "login": ["${CUSTOMER_SLUG}-login-ratelimit"],
        "ingest": ["${CUSTOMER_SLUG}-ingest-ratelimit", "${CUSTOMER_SLUG}-ingest-inflight"],
    }
    # each attached middleware is defined, with a positive default
    for names in attached.values():
        for name in names:
            kind = "inflightreq.amount" if name.endswith("inflight") else "ratelimit.average"
            value = portal[f"traefik.http.middlewares.{name}.{kind}"]
            default = re.fullmatch(r"\$\{[A-Z_]+:-(\d+)\}", value)
            assert default, value
            assert int(default[1]) > 0
    assert portal[f"{middleware}-login-ratelimit.ratelimit.period"] == "1m"
    assert "middlewares" not in " ".join(k for k in portal if k.startswith(f"{router}-portal."))


def test_prod_routes_by_subdomain_with_grafana_under_the_same_origin() -> None:
    stack = services(PROD)
    portal, grafana = labels(stack["portal"]), labels(stack["grafana"])
    host = "Host(`${CUSTOMER_SLUG}.${BASE_DOMAIN:?set BASE_DOMAIN}`)"
    assert portal["traefik.enable"] == grafana["traefik.enable"] == "true"
    assert portal["traefik.http.routers.${CUSTOMER_SLUG}-portal.rule"] == host
    assert grafana["traefik.http.routers.${CUSTOMER_SLUG}-grafana.rule"] == (
        "Host(`${CUSTOMER_SLUG}.${BASE_DOMAIN}`) && PathPrefix(`/grafana`)"
    )
    for router, service in (("portal", portal), ("grafana", grafana)):
        prefix = f"traefik.http.routers.${{CUSTOMER_SLUG}}-{router}"
        assert service[f"{prefix}.entrypoints"] == "websecure"
        assert service[f"{prefix}.tls"] == "true"
        assert service[f"{prefix}.tls.certresolver"] == "${TRAEFIK_CERT_RESOLVER:-letsencrypt}"
        assert service["traefik.docker.network"] == "portal-edge-${CUSTOMER_SLUG}"
    # /grafana wins over the bare host
    assert int(grafana["traefik.http.routers.${CUSTOMER_SLUG}-grafana.priority"]) > int(
        portal["traefik.http.routers.${CUSTOMER_SLUG}-portal.priority"]
    )
    assert portal["traefik.http.services.${CUSTOMER_SLUG}-portal.loadbalancer.server.port"] == (
        "8000"
    )
    assert portal[
        "traefik.http.services.${CUSTOMER_SLUG}-portal.loadbalancer.healthcheck.path"
    ] == ("/api/health")
    assert grafana["traefik.http.services.${CUSTOMER_SLUG}-grafana.loadbalancer.server.port"] == (
        "3000"
    )


def test_edge_redirects_to_https_and_issues_certificates() -> None:
    traefik = services(EDGE)["traefik"]
    command = traefik["command"]
    assert traefik["image"].startswith("${TRAEFIK_IMAGE:-traefik:v3.")
    assert "--providers.docker.exposedbydefault=false" in command
    assert "--entrypoints.web.http.redirections.entrypoint.to=websecure" in command
    assert "--entrypoints.websecure.address=:443" in command
    assert any(c.startswith("--certificatesresolvers.letsencrypt.acme.email=") for c in command)
    assert "--api.dashboard=false" in command
    assert "/var/run/docker.sock:/var/run/docker.sock:ro" in traefik["volumes"]
    assert traefik["healthcheck"]["test"] == ["CMD", "traefik", "healthcheck", "--ping"]


def test_dev_routes_on_loopback_only() -> None:
    stack = services(DEV)
    assert stack["traefik"]["ports"] == ["127.0.0.1:${HTTP_PORT:-8080}:80"]
    portal = labels(stack["portal"])
    assert portal["traefik.http.routers.dev-portal.rule"] == (
        "Host(`${CUSTOMER_SLUG:-demo}.${BASE_DOMAIN:-localhost}`)"
    )
    grafana = labels(stack["grafana"])
    assert "PathPrefix(`/grafana`)" in grafana["traefik.http.routers.dev-grafana.rule"]


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.name)
def test_run_mode_and_fleet_come_from_env_defaulting_safely_off(path: Path) -> None:
    portal = services(path)["portal"]["environment"]
    assert portal["PORTAL_RUN_MODE"] == "${PORTAL_RUN_MODE:-standalone}"
    assert portal["PORTAL_FLEET__ENABLED"] == "${PORTAL_FLEET__ENABLED:-false}"
    assert portal["PORTAL_TIMESCALE"] == "${PORTAL_TIMESCALE:-auto}"
    # optional settings without a default: passed through only when set (null = unset)
    assert portal["PORTAL_FLEET__ADMIN_URL"] is None
    assert portal["PORTAL_FLEET__CUSTOMER_TOKEN"] is None
    assert portal["PORTAL_MQTT__URL"] is None
    assert "PORTAL_DATABASE_URL" not in portal
    assert portal["PORTAL_DB__HOST"] == "db"
    assert portal["PORTAL_DB__USER"] == "portal"  # the owner role, not the superuser
    provision = services(path)["grafana-provision"]["environment"]
    assert provision["PORTAL_RUN_MODE"] == "${PORTAL_RUN_MODE:-standalone}"


def test_prod_portal_is_production() -> None:
    portal = services(PROD)["portal"]
    assert portal["environment"]["PORTAL_ENV"] == "production"
    assert portal["image"].startswith("${PORTAL_IMAGE:-power-portal}:${PORTAL_VERSION:?")
    assert "build" not in portal
    assert portal["cap_drop"] == ["ALL"]
    assert "no-new-privileges:true" in portal["security_opt"]
    assert services(DEV)["portal"]["environment"]["PORTAL_ENV"] == "development"


def test_admin_override_pins_admin_mode() -> None:
    admin = services(ADMIN)
    assert admin["portal"]["environment"]["PORTAL_RUN_MODE"] == "admin"
    assert admin["portal"]["environment"]["PORTAL_FLEET__ENABLED"] == "false"
    assert admin["grafana-provision"]["environment"]["PORTAL_RUN_MODE"] == "admin"
    assert set(admin) <= set(services(PROD))  # only overrides, no new service
    assert "name" not in load(ADMIN)  # the project name comes from CUSTOMER_SLUG


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.name)
def test_grafana_is_embeddable_on_a_sub_path(path: Path) -> None:
    env = services(path)["grafana"]["environment"]
    assert env["GF_SERVER_SERVE_FROM_SUB_PATH"] == "true"
    assert env["GF_SERVER_ROOT_URL"].endswith("/grafana/")
    assert env["GF_SECURITY_ALLOW_EMBEDDING"] == "true"
    assert env["GF_SECURITY_COOKIE_SAMESITE"] == "lax"  # same origin: Lax suffices
    assert env["GF_USERS_ALLOW_SIGN_UP"] == "false"
    # the provisioned datasource (uid portal-postgres) reads these; read-only role
    assert env["GF_PORTAL_DB_HOST"] == "db"
    assert env["GF_PORTAL_DB_USER"] == "grafana_reader"
    assert {"GF_PORTAL_DB_PORT", "GF_PORTAL_DB_NAME", "GF_PORTAL_DB_PASSWORD"} <= set(env)


def test_prod_grafana_has_no_anonymous_access_and_secure_cookies() -> None:
    env = services(PROD)["grafana"]["environment"]
    assert env["GF_AUTH_ANONYMOUS_ENABLED"] == "false"
    assert env["GF_SECURITY_COOKIE_SECURE"] == "true"
    assert env["GF_SERVER_ROOT_URL"] == "https://${CUSTOMER_SLUG}.${BASE_DOMAIN}/grafana/"


def test_grafana_image_is_pinned_11_or_later() -> None:
    for path in STACKS:
        image = services(path)["grafana"]["image"]
        match = re.fullmatch(r"\$\{GRAFANA_IMAGE:-grafana/grafana:(\d+)\.(\d+)\.(\d+)\}", image)
        assert match is not None, image
        assert int(match[1]) >= 11


def test_database_image_is_a_pinned_timescaledb() -> None:
    for path in STACKS:
        stack = services(path)
        for name in ("db", "grafana-grants"):
            image = stack[name]["image"]
            assert re.fullmatch(
                r"\$\{TIMESCALEDB_IMAGE:-timescale/timescaledb:\d+\.\d+\.\d+-pg\d+\}", image
            ), image


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.name)
def test_provisioning_flows_through_one_shared_volume(path: Path) -> None:
    stack = services(path)
    assert "grafana-provisioning:/provisioning" in stack["grafana-provision"]["volumes"]
    command = " ".join(stack["grafana-provision"]["command"])
    assert "portal grafana provision /provisioning" in command
    assert "--grafana-dir /etc/grafana/provisioning" in command
    assert "portal grafana grants grafana_reader" in command
    assert stack["grafana-provision"]["restart"] == "no"
    assert "grafana-provisioning:/etc/grafana/provisioning:ro" in stack["grafana"]["volumes"]
    grafana_needs = stack["grafana"]["depends_on"]
    assert grafana_needs["grafana-provision"]["condition"] == "service_completed_successfully"
    assert grafana_needs["grafana-grants"]["condition"] == "service_completed_successfully"
    grants = stack["grafana-grants"]
    assert grants["depends_on"]["portal"]["condition"] == "service_healthy"  # after migrations
    assert grants["environment"]["PGUSER"] == "portal"


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.name)
def test_volumes_keep_the_data(path: Path) -> None:
    document = load(path)
    assert {"db-data", "portal-data", "grafana-data", "grafana-provisioning"} <= set(
        document["volumes"]
    )
    stack = services(path)
    assert "db-data:/var/lib/postgresql/data" in stack["db"]["volumes"]
    assert stack["db"]["environment"]["PGDATA"].startswith("/var/lib/postgresql/data/")
    assert "portal-data:/data" in stack["portal"]["volumes"]
    assert stack["portal"]["environment"]["PORTAL_DATA_DIR"] == "/data"
    assert "grafana-data:/var/lib/grafana" in stack["grafana"]["volumes"]
    init = "./postgres/10-portal-roles.sh:/docker-entrypoint-initdb.d/10-portal-roles.sh:ro"
    assert init in stack["db"]["volumes"]
    assert (DEPLOY / "postgres" / "10-portal-roles.sh").stat().st_mode & stat.S_IXUSR


@pytest.mark.parametrize("path", STACKS, ids=lambda p: p.name)
def test_healthchecks(path: Path) -> None:
    stack = services(path)
    assert "/api/health" in " ".join(stack["portal"]["healthcheck"]["test"])
    assert "pg_isready" in " ".join(stack["db"]["healthcheck"]["test"])
    assert "/grafana/api/health" in " ".join(stack["grafana"]["healthcheck"]["test"])
    assert stack["portal"]["depends_on"]["db"]["condition"] == "service_healthy"


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: p.name)
def test_no_secret_is_written_into_a_compose_file(path: Path) -> None:
    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k))
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif isinstance(node, str) and SECRET_NAMES.search(key):
            # a secret is always an interpolation (or a reference to one), never a literal
            assert node.startswith("${"), f"{path.name}: {key} = {node!r}"

    walk(load(path))
    text = path.read_text()
    assert not re.search(r"(?i)password\s*[:=]\s*['\"]?[A-Za-z0-9]{6,}['\"]?\s*$", text, re.M)


@pytest.mark.parametrize("path", [PROD, DEV], ids=lambda p: p.name)
def test_secrets_are_required_not_defaulted(path: Path) -> None:
    text = path.read_text()
    for name in (
        "POSTGRES_PASSWORD",
        "PORTAL_DB_PASSWORD",
        "GRAFANA_DB_PASSWORD",
        "PORTAL_ADMIN_PASSWORD",
        "GRAFANA_ADMIN_PASSWORD",
    ):
        uses = re.findall(r"\$\{" + name + r"([^}]*)\}", text)
        assert uses, name
        assert all(use.startswith(":?") or use == "" for use in uses), (name, uses)
        assert any(use.startswith(":?") for use in uses), name


def test_every_variable_is_documented_in_env_example() -> None:
    documented = documented_variables()
    used: set[str] = set()
    for path in ALL_FILES:
        text = path.read_text()
        used |= set(VARIABLE.findall(text))
        for service in services(path).values():
            env = service.get("environment", {})
            used |= {name for name, value in env.items() if value is None}
    missing = sorted(used - documented)
    assert not missing, f"not in deploy/.env.example: {missing}"


def test_env_example_documents_every_portal_setting() -> None:
    """Every PORTAL_* setting (nested ones with __) is named in .env.example."""
    text = ENV_EXAMPLE.read_text()
    # the PORTAL_DB__* parts are set by the compose files and listed as such
    missing = [
        n for n in portal_setting_env_names() if n not in text and not n.startswith("PORTAL_DB__")
    ]
    assert not missing, f"document these in deploy/.env.example: {missing}"


def portal_setting_env_names() -> list[str]:
    """PORTAL_* environment names of every setting (nested models as NAME__FIELD)."""
    from power_portal.settings import Settings

    names: list[str] = []
    for name, field in Settings.model_fields.items():
        if name == "database":  # the config file's [database] table, not an env var
            continue
        nested = getattr(field.annotation, "model_fields", None)
        if nested:
            names += [f"PORTAL_{name.upper()}__{sub.upper()}" for sub in nested]
        else:
            names.append(f"PORTAL_{name.upper()}")
    return names


# Settings a production container leaves unset on purpose.
UNSET_IN_CONTAINERS = {
    "PORTAL_DATABASE_URL",  # would win over the PORTAL_DB__* parts the stack sets
    "PORTAL_STATIC_DIR",  # the web app is built into the image
    "PORTAL_EMBEDDED_DATABASE_NAME",  # the embedded server only
    "PORTAL_EMBEDDED_TIMESCALE",  # the embedded server only
    "PORTAL_HOST",  # portal serve --host 0.0.0.0
    "PORTAL_PORT",  # portal serve --port 8000
}


def test_prod_portal_receives_every_setting() -> None:
    """A new setting must be wired into the production stack (set, or passed through)."""
    env = services(PROD)["portal"]["environment"]
    missing = [
        n for n in portal_setting_env_names() if n not in env and n not in UNSET_IN_CONTAINERS
    ]
    assert not missing, f"add to deploy/docker-compose.prod.yml (portal.environment): {missing}"


def test_env_example_holds_no_secret_values() -> None:
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^#?([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match and SECRET_NAMES.search(match[1]):
            assert match[2] == "", line


# ---------------------------------------------------------------- the image


def test_dockerfile_builds_in_stages_and_runs_unprivileged() -> None:
    text = (REPO / "Dockerfile").read_text()
    stages = re.findall(r"^FROM \S+ AS (\w+)", text, re.MULTILINE)
    assert stages == ["frontend", "build", "runtime"]
    assert "npm ci" in text
    assert "npm run build" in text
    assert "uv sync --frozen --no-dev" in text
    users = re.findall(r"^USER (\S+)", text, re.MULTILINE)
    assert users
    assert users[-1].split(":")[0] not in {"root", "0"}
    assert re.search(r"^HEALTHCHECK .*\n?.*/api/health", text, re.MULTILINE)
    assert re.search(r'^CMD \["portal", "serve", "--host", "0.0.0.0"', text, re.MULTILINE)
    assert "python:3.11" in text
    # nothing secret baked in
    assert not re.search(r"^(ENV|ARG) .*(PASSWORD|TOKEN|SECRET)", text, re.MULTILINE)


def test_dockerignore_keeps_secrets_and_state_out() -> None:
    ignored = (REPO / ".dockerignore").read_text().split()
    for entry in (".git", ".venv", "var", "deploy", "**/.env", "frontend/node_modules"):
        assert entry in ignored


def test_env_files_are_git_ignored() -> None:
    ignored = (REPO / ".gitignore").read_text().split()
    assert "/deploy/customers/" in ignored
    assert "/deploy/.env" in ignored


# ---------------------------------------------------------------- new-customer.sh


@pytest.fixture
def deploy_copy(tmp_path: Path) -> Path:
    """A copy of deploy/ (the script writes beside itself)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    shutil.copytree(DEPLOY, tmp_path / "deploy", ignore=shutil.ignore_patterns("customers", ".env"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path / "deploy"


def run_script(deploy: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(deploy / "new-customer.sh"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "LC_ALL": "C"},
    )


def env_values(path: Path) -> dict[str, str]:
    return dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", path.read_text(), re.MULTILINE))


@pytest.mark.parametrize(
    "code",
    ["1acme", "acme-", "a", "ac--me", "ac__me", "Acme_", "acme foods", "x" * 31, "edge", "DEV"],
)
def test_new_customer_refuses_codes_that_are_no_host_name(deploy_copy: Path, code: str) -> None:
    result = run_script(deploy_copy, code, "--domain", "portal.example.com")
    assert result.returncode == 2, result.stdout
    assert not (deploy_copy / "customers").exists()


@pytest.mark.parametrize("code", ["DEV0001", "dev-0002", "Acme_Plant_3", "acme"])
def test_new_customer_derives_the_slug_from_the_fleet_code(deploy_copy: Path, code: str) -> None:
    """The host name and compose project come from the code as the fleet derives its slug."""
    result = run_script(
        deploy_copy, code, "--domain", "portal.example.com", "--client", "https://a.b"
    )
    assert result.returncode == 0, result.stderr
    slug = customer_slug(code)
    assert slug == code.lower().replace("_", "-")
    values = env_values(deploy_copy / "customers" / slug / ".env")
    assert values["CUSTOMER_SLUG"] == slug
    assert f"{slug}.portal.example.com" in result.stdout
    assert f"portal fleet add-customer {code} " in result.stdout  # the code, as written


def test_new_customer_writes_a_private_env_file_once(deploy_copy: Path) -> None:
    result = run_script(deploy_copy, "acme", "--domain", "portal.example.com")
    assert result.returncode == 0, result.stderr
    env_file = deploy_copy / "customers" / "acme" / ".env"
    assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
    values = env_values(env_file)
    assert values["CUSTOMER_SLUG"] == "acme"
    assert values["BASE_DOMAIN"] == "portal.example.com"
    assert values["PORTAL_RUN_MODE"] == "standalone"
    assert values["PORTAL_FLEET__ENABLED"] == "false"
    assert values["PORTAL_VERSION"]
    secrets = [
        values[name]
        for name in (
            "POSTGRES_PASSWORD",
            "PORTAL_DB_PASSWORD",
            "GRAFANA_DB_PASSWORD",
            "PORTAL_ADMIN_PASSWORD",
            "GRAFANA_ADMIN_PASSWORD",
        )
    ]
    assert all(re.fullmatch(r"[A-Za-z0-9]{32,}", secret) for secret in secrets)
    assert len(set(secrets)) == len(secrets)
    assert not any(secret in result.stdout for secret in secrets)  # never printed
    assert "docker compose -f deploy/docker-compose.prod.yml" in result.stdout
    # every variable the stack needs is there
    assert set(documented_variables()) >= set(values)
    # again: nothing changes
    before = env_file.read_text()
    again = run_script(deploy_copy, "acme", "--domain", "portal.example.com")
    assert again.returncode == 0
    assert "left unchanged" in again.stdout
    assert env_file.read_text() == before


def test_new_customer_client_and_admin_modes(deploy_copy: Path) -> None:
    client = run_script(
        deploy_copy, "beta", "--domain", "p.example.com", "--client", "https://admin.p.example.com"
    )
    assert client.returncode == 0, client.stderr
    values = env_values(deploy_copy / "customers" / "beta" / ".env")
    assert values["PORTAL_RUN_MODE"] == "client"
    assert values["PORTAL_FLEET__ENABLED"] == "true"
    assert values["PORTAL_FLEET__ADMIN_URL"] == "https://admin.p.example.com"
    assert "PORTAL_FLEET__CUSTOMER_TOKEN" not in values  # pasted by hand from the admin stack
    assert "portal fleet add-customer beta" in client.stdout
    admin = run_script(deploy_copy, "admin", "--domain", "p.example.com", "--admin")
    assert admin.returncode == 0, admin.stderr
    assert env_values(deploy_copy / "customers" / "admin" / ".env")["PORTAL_RUN_MODE"] == "admin"
    assert "-f deploy/docker-compose.admin.yml" in admin.stdout


def test_new_customer_dev_env(deploy_copy: Path) -> None:
    result = run_script(deploy_copy, "demo", "--dev")
    assert result.returncode == 0, result.stderr
    values = env_values(deploy_copy / ".env")
    assert values["BASE_DOMAIN"] == "localhost"
    assert values["PORTAL_VERSION"] == "dev"


def edge_override(deploy: Path) -> dict[str, Any]:
    return load(deploy / "customers" / "edge-networks.yml")


def test_new_customer_gives_each_stack_its_own_network_with_traefik(deploy_copy: Path) -> None:
    for code, extra in (("acme", []), ("Beta_2", ["--client", "https://a.p.example.com"])):
        result = run_script(deploy_copy, code, "--domain", "p.example.com", *extra)
        assert result.returncode == 0, result.stderr
        assert "-f deploy/customers/edge-networks.yml" in result.stdout
    assert run_script(deploy_copy, "admin", "--domain", "p.example.com", "--admin").returncode == 0
    override = edge_override(deploy_copy)
    joined = override["services"]["traefik"]["networks"]
    subnets = set()
    for slug in ("acme", "beta-2", "admin"):
        values = env_values(deploy_copy / "customers" / slug / ".env")
        subnet = ipaddress.ip_network(values["EDGE_SUBNET"])
        traefik = ipaddress.ip_address(values["TRAEFIK_EDGE_IP"])
        subnets.add(subnet)
        network = override["networks"][f"edge-{slug}"]
        assert network["name"] == f"portal-edge-{slug}"
        [ipam] = network["ipam"]["config"]
        assert ipaddress.ip_network(ipam["subnet"]) == subnet
        # Traefik's fixed address is in the subnet, outside the range containers get
        assert traefik in subnet
        assert traefik not in ipaddress.ip_network(ipam["ip_range"])
        assert ipaddress.ip_network(ipam["ip_range"]).subnet_of(subnet)  # type: ignore[arg-type]
        assert joined[f"edge-{slug}"] == {"ipv4_address": str(traefik)}
    assert len(subnets) == 3
    assert not any(a.overlaps(b) for a in subnets for b in subnets if a != b)
    assert set(joined) == {"default", "edge-acme", "edge-beta-2", "edge-admin"}


def test_new_customer_adds_the_edge_network_to_an_older_env_file(deploy_copy: Path) -> None:
    assert run_script(deploy_copy, "acme", "--domain", "p.example.com").returncode == 0
    env_file = deploy_copy / "customers" / "acme" / ".env"
    older = re.sub(r"^(EDGE_SUBNET|TRAEFIK_EDGE_IP)=.*\n", "", env_file.read_text(), flags=re.M)
    env_file.write_text(older)
    again = run_script(deploy_copy, "acme", "--domain", "p.example.com")
    assert again.returncode == 0, again.stderr
    values = env_values(env_file)
    assert values["TRAEFIK_EDGE_IP"] == values["EDGE_SUBNET"].replace(".0/24", ".2")
    assert env_file.read_text().startswith(older)  # nothing else changed
    assert "edge-acme" in edge_override(deploy_copy)["networks"]


# ---------------------------------------------------------------- docker compose config


def _compose_available() -> bool:
    if shutil.which("docker") is None:
        return False
    probe = subprocess.run(
        ["docker", "compose", "version"], capture_output=True, text=True, timeout=30
    )
    return probe.returncode == 0


@pytest.mark.skipif(
    not _compose_available(),
    reason="no docker client with the compose plugin here (`docker compose version` fails); "
    "the files are checked as YAML above",
)
@pytest.mark.parametrize(
    "files",
    [[DEV], [PROD], [PROD, ADMIN], [EDGE, Path("customers/edge-networks.yml")]],
    ids=["dev", "prod", "prod+admin", "edge"],
)
def test_docker_compose_config_accepts_the_files(deploy_copy: Path, files: list[Path]) -> None:
    result = run_script(deploy_copy, "acme", "--domain", "portal.example.com")
    assert result.returncode == 0, result.stderr
    env_file = deploy_copy / "customers" / "acme" / ".env"
    with env_file.open("a") as handle:
        handle.write("ACME_EMAIL=ops@example.com\n")
    args = ["docker", "compose", "--env-file", str(env_file)]
    for path in files:
        args += ["-f", str(deploy_copy / (path.name if path.is_absolute() else path))]
    config = subprocess.run(
        [*args, "config", "--quiet"], capture_output=True, text=True, timeout=60
    )
    assert config.returncode == 0, config.stderr
