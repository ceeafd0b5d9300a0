"""``field__any=[…]``: ``field = ANY(%s)`` with the list as one array parameter.

The same rows as ``field__in=[…]``, for long lists of values (a department's
150 homes): ``IN (%s, %s, …)`` sends one parameter per value, which costs
Django and psycopg about 1.3 ms of Python per query at 150 values, and
psycopg does not prepare a query with more than 50 parameters. One array is
one parameter, and the SQL text is the same whatever the list's length.

Only for a list (or tuple, set, any iterable) of values; a subquery stays
``__in``. An empty list matches no row, as ``__in`` (Django's
``EmptyResultSet``: the query is not sent; in ``exclude`` it matches all).
Registered on every field when ``botilbud`` is loaded (``botilbud/apps.py``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignObject, ForeignObjectRel, Lookup, Model
from django.db.models.sql.compiler import SQLCompiler


class AnyLookup(Lookup):
    lookup_name = "any"
    # The list is prepared value by value (below), not as one value of the field.
    prepare_rhs = False

    def get_prep_lookup(self) -> list[Any]:
        if hasattr(self.rhs, "resolve_expression") or isinstance(self.rhs, str | bytes):
            raise TypeError("__any takes a list of values; use __in for a subquery.")
        values: Iterable[Any] = self.rhs
        field = self._field()
        # A related field takes rows too (``home__any=homes``), as ``__in`` does: their keys.
        keys = (v.pk if isinstance(v, Model) else v for v in values)
        return [field.get_prep_value(v) for v in keys if v is not None]

    def get_db_prep_lookup(self, value: Any, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        # Any: the stubs type parameters as a tuple of scalars; this one is a list holding one list.
        field = self._field()
        return "%s", [[field.get_db_prep_value(v, connection, prepared=True) for v in value]]

    def _field(self) -> Any:
        """The field whose values the list holds: a reverse relation's (``area.homes``) is the
        remote key it joins on."""
        field = self.lhs.output_field
        return field.target_field if isinstance(field, ForeignObjectRel) else field

    def as_sql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper) -> tuple[str, Any]:
        if not self.rhs:
            raise EmptyResultSet
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        rhs_sql, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs_sql} = ANY({rhs_sql})", [*lhs_params, *rhs_params]


def register() -> None:
    Field.register_lookup(AnyLookup)
    # A foreign key's lookups are its own (``ForeignObject.get_class_lookups`` stops there).
    ForeignObject.register_lookup(AnyLookup)
