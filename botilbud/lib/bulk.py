"""Set-based writes for many rows at once (the demo seeders)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.db import connection, models
from django.utils import timezone


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


def copy_create(model: type[models.Model], objs: Sequence[models.Model]) -> Sequence[models.Model]:
    """What ``QuerySet.bulk_create`` writes, through COPY: the ids are taken from the
    table's sequence first, in order (the ids ``bulk_create``'s INSERT would give),
    and each value is what ``save()`` sends (``pre_save``, ``get_db_prep_save``).

    Worth it for rows with large JSON values: psycopg quotes each INSERT parameter
    in Python (the demo's follow-up snapshots, about 7 KB each, insert in about
    half the time and a third of the wall time). For rows of small plain values
    ``bulk_create`` is as fast. Row triggers fire as for INSERT. Sets each object's
    pk; returns ``objs``. Only for new objects without a pk and plain values (no
    expressions).
    """
    if not objs:
        return objs
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    fields = [f for f in meta.concrete_fields if f is not pk and not getattr(f, "generated", False)]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(quote(str(f.column)) for f in [pk, *fields])
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj, pk_value in zip(objs, ids, strict=True):
                if obj.pk is not None:
                    raise ValueError("copy_create writes new objects only")
                obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]  # Django's own step of bulk_create, untyped in the stubs
                row = [pk_value]
                for field in fields:
                    value = field.pre_save(obj, add=True)
                    if hasattr(value, "resolve_expression"):
                        raise ValueError(f"copy_create cannot write an expression ({field.name})")
                    row.append(field.get_db_prep_save(value, connection))
                copy.write_row(row)
                obj.pk = pk_value
                obj._state.adding = False
                obj._state.db = connection.alias
    return objs


def copy_values(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[int]:
    """New rows through COPY from plain values, without a model instance per row: each
    row gives the values of ``fields`` (column attnames: ``offer_id``, not ``offer``),
    every other column its field's default, computed once (``auto_now_add``: one
    ``now()`` for the whole COPY). The ids are taken from the table's sequence first,
    in order (the ids ``bulk_create`` would give). Returns them in the rows' order.

    For the demo's tens of thousands of rows of small values, where ``bulk_create``
    (and ``copy_create``) spend most of their time building, preparing and quoting a
    model instance per row. The values go in as given, so they must be what
    ``save()`` would send: ints (ids), str, date, Decimal, bool, None. Row triggers
    fire as for INSERT.
    """
    if not rows:
        return []
    meta = model._meta
    pk = meta.pk
    assert pk is not None
    given = list(fields)
    columns = {f.attname: f for f in meta.concrete_fields}
    if unknown := [name for name in given if name not in columns or columns[name] is pk]:
        raise ValueError(f"{model.__name__}: not a column to write: {', '.join(unknown)}")
    rest = [f for f in meta.concrete_fields if f is not pk and f.attname not in given]
    now = timezone.now()
    defaults: list[Any] = []
    for field in rest:
        if getattr(field, "generated", False):
            raise ValueError(f"copy_values cannot write {model.__name__}, a generated column ({field.name})")
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        value = now if auto else field.get_default()  # no default: None, or "" for a text column
        defaults.append(field.get_db_prep_save(value, connection))
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(f.column)) for f in [pk, *(columns[n] for n in given), *rest])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(rows)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({names}) FROM STDIN") as copy:
            write = copy.write_row
            for pk_value, row in zip(ids, rows, strict=True):
                write((pk_value, *row, *defaults))
    return ids


class ChangedTables:
    """Which of ``tables`` this transaction wrote to since the last call (PostgreSQL's
    per-transaction counters, ``pg_stat_xact_user_tables``)."""

    def __init__(self, tables: list[str]) -> None:
        self.tables = tables
        self.seen: dict[str, int] = {}

    def since_last(self) -> list[str]:
        return sorted(self._written())

    def needing_statistics(self) -> list[str]:
        """The tables written since the last call whose statistics no longer describe them:
        never analyzed, or written in at least 50 rows + 10 % of the rows they had when
        last analyzed (autovacuum's default rule for ANALYZE)."""
        written = self._written()
        if not written:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, reltuples FROM pg_class "
                "WHERE relnamespace = current_schema()::regnamespace AND relname = ANY(%s)",
                [list(written)],
            )
            rows = dict(cursor.fetchall())
        return sorted(t for t, n in written.items() if rows.get(t, -1) < 0 or n >= 50 + 0.1 * rows[t])

    def _written(self) -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables "
                "WHERE schemaname = current_schema() AND relname = ANY(%s)",
                [self.tables],
            )
            now = dict(cursor.fetchall())
        written = {t: n - self.seen.get(t, 0) for t, n in now.items() if n != self.seen.get(t, 0)}
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


__all__ = ["ChangedTables", "copy_create", "copy_values", "foreign_keys_checked_at_end", "update_rows"]
