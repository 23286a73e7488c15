"""The fleet schema stays ready to be distributed by ``customer_id`` (Citus).

Read from the catalogue of a database migrated to head, not from the models: what a
migration really built. On Citus a distributed table's primary key and unique constraints
must contain the distribution column, and a foreign key between two distributed tables
must carry it (co-located joins). OPERATIONS.md "Fleet on Citus" is the runbook; the
exemptions below are the tables it names, with the reason.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy.engine import URL

from tests.support.database import sql

DISTRIBUTION_COLUMN = "customer_id"

# Reference tables (small, copied to every node): looked up without a customer id.
REFERENCE_TABLES = {
    # the token lookup of every push (by digest), the code and slug lookups of the admin's
    # pages and the CLI, and the uniqueness of code, slug and token digests across the
    # whole fleet: none of them knows the customer id beforehand
    "fleet.customers": "looked up by token digest, code and slug across the fleet",
}
# Tables not ready yet, with exactly what is in the way: the test fails when their keys
# change, so that the exemption is removed once they are fixed.
NOT_READY = {
    # A push with an unknown token is audited with no customer (customer_id NULL), and Citus
    # refuses a NULL distribution column: before the move those refusals need a table of
    # their own and the key becomes (customer_id, id). See OPERATIONS.md.
    "fleet.ingest_events": ("id",),
}


def fleet_tables(db_url: URL) -> list[str]:
    return [
        f"fleet.{name}"
        for (name,) in sql(
            db_url,
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'fleet' AND c.relkind IN ('r', 'p') ORDER BY 1",
        )
    ]


def unique_keys(db_url: URL) -> dict[str, list[tuple[str, list[str], str]]]:
    """Per fleet table, its primary key and unique indexes (constraints or not): name, the
    columns (an expression as its text), and the index definition."""
    keys: dict[str, list[tuple[str, list[str], str]]] = defaultdict(list)
    for table, index, columns, definition in sql(
        db_url,
        """
        SELECT 'fleet.' || t.relname, i.relname,
               array(SELECT coalesce(a.attname, pg_get_indexdef(x.indexrelid, k.n::int, true))
                     FROM generate_subscripts(x.indkey::int2[], 1) AS k(n)
                     LEFT JOIN pg_attribute a
                       ON a.attrelid = x.indrelid AND a.attnum = x.indkey[k.n]
                          AND x.indkey[k.n] <> 0
                     WHERE k.n < x.indnkeyatts),
               pg_get_indexdef(x.indexrelid)
        FROM pg_index x
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE n.nspname = 'fleet' AND (x.indisunique OR x.indisprimary)
        ORDER BY 1, 2
        """,
    ):
        assert isinstance(columns, list)
        keys[str(table)].append((str(index), [str(c) for c in columns], str(definition)))
    return keys


def foreign_keys(db_url: URL) -> list[tuple[str, str, str, list[str], list[str]]]:
    """Foreign keys from or to a fleet table: name, from, to, their columns (paired)."""
    found = sql(
        db_url,
        """
        SELECT c.conname, fn.nspname || '.' || f.relname, tn.nspname || '.' || t.relname,
               array(SELECT a.attname FROM unnest(c.conkey) WITH ORDINALITY k(n, o)
                     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n
                     ORDER BY k.o),
               array(SELECT a.attname FROM unnest(c.confkey) WITH ORDINALITY k(n, o)
                     JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n
                     ORDER BY k.o)
        FROM pg_constraint c
        JOIN pg_class f ON f.oid = c.conrelid JOIN pg_namespace fn ON fn.oid = f.relnamespace
        JOIN pg_class t ON t.oid = c.confrelid JOIN pg_namespace tn ON tn.oid = t.relnamespace
        WHERE c.contype = 'f' AND 'fleet' IN (fn.nspname, tn.nspname)
        ORDER BY 1
        """,
    )
    return [
        (str(name), str(source), str(target), list(columns), list(referred))  # type: ignore[call-overload]
        for name, source, target, columns, referred in found
    ]


def distribution_problems(db_url: URL) -> list[str]:
    """What would stop the fleet tables being distributed by ``customer_id``, as lines."""
    tables = fleet_tables(db_url)
    keys = unique_keys(db_url)
    problems: list[str] = []
    for table in tables:
        if table in REFERENCE_TABLES:
            continue
        if not any(index.startswith("pk_") for index, _, _ in keys[table]):
            problems.append(f"{table}: no primary key")
        for index, columns, definition in keys[table]:
            if table in NOT_READY and tuple(columns) == NOT_READY[table]:
                continue
            if DISTRIBUTION_COLUMN not in columns:
                problems.append(f"{table}: {index} lacks {DISTRIBUTION_COLUMN} ({definition})")
    for name, source, target, columns, referred in foreign_keys(db_url):
        if not (source in tables and target in tables):
            problems.append(f"{name}: a foreign key between {source} and {target} across schemas")
        elif target in REFERENCE_TABLES:
            continue  # a distributed table may refer to a reference table
        elif dict(zip(columns, referred, strict=True)).get(DISTRIBUTION_COLUMN) != (
            DISTRIBUTION_COLUMN
        ):
            problems.append(f"{name}: {source} -> {target} does not carry {DISTRIBUTION_COLUMN}")
    return problems


def test_the_fleet_tables_are_distributable_by_customer(db_url: URL) -> None:
    tables = fleet_tables(db_url)
    assert {"fleet.customers", "fleet.power_measurements", "fleet.ingest_events"} <= set(tables)
    problems = distribution_problems(db_url)
    assert problems == [], "\n".join(problems)


def test_the_exemptions_are_still_true(db_url: URL) -> None:
    """An exemption goes once it is no longer needed: the reference tables are still
    referred to by ``customer_id``, and the tables not ready still have the key that is in
    the way."""
    keys = unique_keys(db_url)
    for table, key in NOT_READY.items():
        primary = [columns for index, columns, _ in keys[table] if index.startswith("pk_")]
        assert primary == [list(key)], f"{table} changed: update NOT_READY and OPERATIONS.md"
    referring = {
        (source, tuple(columns))
        for _, source, target, columns, _ in foreign_keys(db_url)
        if target in REFERENCE_TABLES
    }
    assert referring, "nothing refers to the reference tables any more"
    assert all(columns == (DISTRIBUTION_COLUMN,) for _, columns in referring), referring


def test_the_check_sees_a_key_without_the_customer(db_url: URL) -> None:
    """The check is not blind: a unique index, a primary key and a foreign key without the
    customer are reported."""
    sql(db_url, "CREATE UNIQUE INDEX uq_devices_serial ON fleet.devices (serial)")
    sql(db_url, "CREATE TABLE fleet.notes (id bigint CONSTRAINT pk_notes PRIMARY KEY)")
    sql(
        db_url,
        "CREATE TABLE fleet.device_notes (customer_id bigint NOT NULL, device_id bigint "
        "NOT NULL, note_id bigint NOT NULL, "
        "CONSTRAINT pk_device_notes PRIMARY KEY (customer_id, device_id, note_id), "
        "CONSTRAINT fk_device_notes_device FOREIGN KEY (customer_id, device_id) "
        "REFERENCES fleet.devices (customer_id, id), "
        "CONSTRAINT fk_device_notes_note FOREIGN KEY (note_id) REFERENCES fleet.notes (id))",
    )
    problems = distribution_problems(db_url)
    assert problems == [
        "fleet.devices: uq_devices_serial lacks customer_id "
        "(CREATE UNIQUE INDEX uq_devices_serial ON fleet.devices USING btree (serial))",
        "fleet.notes: pk_notes lacks customer_id "
        "(CREATE UNIQUE INDEX pk_notes ON fleet.notes USING btree (id))",
        "fk_device_notes_note: fleet.device_notes -> fleet.notes does not carry customer_id",
    ]
