"""Set-based writes for many rows at once (the demo seeders)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models


def update_rows(model: type[models.Model], objs: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write ``fields`` of every object in one ``UPDATE … FROM unnest(…)``, each row its own values.

    What ``QuerySet.bulk_update`` does, without its ``CASE WHEN id = … THEN …``
    expression per row and field: Django builds and compiles one expression per
    value in Python (seconds for a few thousand rows), PostgreSQL then tests the
    cases row by row. Row triggers (the audit trail) fire for every row as with
    ``bulk_update``. Values go through each field's ``get_db_prep_save``, as a
    ``save()`` would send them. Returns the number of rows updated.
    """
    if not objs:
        return 0
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    concrete: list[models.Field[Any, Any]] = []
    for name in fields:
        field = meta.get_field(name)
        if not isinstance(field, models.Field) or not field.concrete:
            raise ValueError(f"{model.__name__}.{name} is not a column")
        concrete.append(field)
    columns = [pk, *concrete]
    arrays = [[pk.get_db_prep_value(obj.pk, connection) for obj in objs]]
    for field in concrete:
        arrays.append([field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objs])
    quote = connection.ops.quote_name
    names = [quote(f"v{i}") for i in range(len(columns))]
    casts = ", ".join(f"%s::{field.db_type(connection)}[]" for field in columns)
    assignments = ", ".join(
        f"{quote(str(field.column))} = v.{name}" for field, name in zip(concrete, names[1:], strict=True)
    )
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
        f"FROM unnest({casts}) AS v({', '.join(names)}) WHERE t.{quote(str(pk.column))} = v.{names[0]}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, arrays)
        return int(cursor.rowcount)


class ChangedTables:
    """Which of ``tables`` this transaction wrote to since the last call (PostgreSQL's
    per-transaction counters, ``pg_stat_xact_user_tables``)."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables
        self.seen: dict[str, int] = {}

    def since_last(self) -> list[str]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
                "WHERE schemaname = current_schema() AND relname = ANY(%s)",
                [self.tables],
            )
            now = dict(cursor.fetchall())
        written = sorted(t for t, n in now.items() if n != self.seen.get(t, 0))
        self.seen = now
        return written


@contextmanager
def foreign_keys_checked_at_end(tables: list[str]) -> Iterator[None]:
    """Check the foreign keys of ``tables`` once, when the block ends, instead of row by row.

    Every foreign key is dropped and added again with the same name and definition
    (``pg_get_constraintdef``): adding it checks every row in one query, where a row
    check costs an index probe per row and key (the ledger's 120,000 months took
    5–7 s of checks at load 7). The same checks, the same schema afterwards; a
    violation fails the seed as before, only at the end. Only for one transaction
    on an empty database: the ``ALTER TABLE``s lock the tables until it commits.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("foreign_keys_checked_at_end needs a transaction (the keys come back on rollback)")
    with connection.cursor() as cursor:
        # A table with queued deferred checks cannot be altered: run them now, and
        # check the rest of the transaction's constraints statement by statement.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND connamespace = current_schema()::regnamespace "
            "AND conrelid::regclass::text = ANY(%s) ORDER BY conrelid::regclass::text, conname",
            [tables],
        )
        keys = cursor.fetchall()
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {connection.ops.quote_name(name)}")
    yield
    with connection.cursor() as cursor:
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {connection.ops.quote_name(name)} {definition}")


__all__ = ["ChangedTables", "foreign_keys_checked_at_end", "update_rows"]
