"""Row writes of the hot paths with their SQL built once per process (the writing side of
``xinfang.prepared``).

Why: ``Model.objects.create()`` spends ~0.3 ms of Python per row (signals, each field's pre-save,
the insert compiler) and ``QuerySet.update()`` as much compiling its query, while the statement
itself runs in ~0.05 ms. A transition writes its status, a case event and an audit entry, and on
SQLite it does so while holding the database's one writer, so the Python inside the transaction
decides how many transitions a second the database takes.

    EVENT = Insert(CaseEvent, "petition", "action", "actor", "data", "at")
    pk = EVENT.run(petition=petition.pk, action="close", actor=user.pk, data={}, at=timezone.now())

    moved = update_row(Petition, pk=7, where={"version": 3}, values={"status": "closed"},
                       increment=("version",))  # 1 if the row matched, else 0


A transition's compare-and-swap, its event and its audit entry are three statements in one
transaction (the caller's ``transaction.atomic``): the event and the entry are written only when
``update_row`` returned 1.

What differs from the ORM, on purpose: no ``pre_save``/``post_save`` signals (none are connected to
these models), no ``auto_now``/``auto_now_add`` (give the value), no field validation beyond what
``get_db_prep_save`` does (the callers are services that validated already). Values go through
each field's ``get_db_prep_save``, so JSON, dates and times are stored exactly as the ORM stores
them; a related field takes the related object or its primary key.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model

__all__ = ["Insert", "update_row"]


def _field(model: type[Model], name: str) -> Field[Any, Any]:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or not field.concrete or field.many_to_many:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


def _column(field: Field[Any, Any]) -> str:
    # Never None here: a concrete field always has a column (Django sets ``concrete`` from
    # ``column is not None``), but the stubs type ``Field.column`` as optional.
    if field.column is None:
        raise ValueError(f"{field} is not a column")
    return field.column


def _prep(field: Field[Any, Any], value: Any, connection: BaseDatabaseWrapper) -> Any:
    if isinstance(value, Model):
        value = value.pk
    return field.get_db_prep_save(value, connection=connection)


class Insert:
    """An ``INSERT`` of one row of ``model`` with these fields (names or attnames), built once per
    database; ``run(**values)`` returns the new primary key."""

    def __init__(self, model: type[Model], *fields: str) -> None:
        self._model = model
        self._names = fields
        self._fields = tuple(_field(model, name) for name in fields)
        self._sql: dict[str, tuple[str, bool]] = {}

    def _compile(self, connection: BaseDatabaseWrapper) -> tuple[str, bool]:
        qn = connection.ops.quote_name
        meta = self._model._meta
        columns = ", ".join(qn(_column(field)) for field in self._fields)
        marks = ", ".join(["%s"] * len(self._fields))
        sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 - quoted names
        returning = bool(connection.features.can_return_columns_from_insert)
        if returning:
            sql += f" RETURNING {qn(_column(meta.pk))}"
        self._sql[connection.alias] = (sql, returning)
        return sql, returning

    def _params(self, values: dict[str, Any], connection: BaseDatabaseWrapper) -> list[Any]:
        return [
            _prep(field, values[name], connection)
            for name, field in zip(self._names, self._fields, strict=True)
        ]

    def _check(self, values: dict[str, Any]) -> None:
        if values.keys() != set(self._names):
            raise TypeError(f"give exactly {', '.join(self._names)}")

    def run(self, **values: Any) -> int:
        self._check(values)
        connection = connections[router.db_for_write(self._model)]
        sql, returning = self._sql.get(connection.alias) or self._compile(connection)
        params = self._params(values, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if returning:
                return int(cursor.fetchone()[0])
            return int(cursor.lastrowid)


_UPDATES: dict[tuple[Any, ...], str] = {}


def _update(
    model: type[Model],
    pk: Any,
    values: dict[str, Any],
    where: dict[str, Any],
    increment: tuple[str, ...],
    connection: BaseDatabaseWrapper,
) -> tuple[str, list[Any]]:
    """The SQL (built once per database and shape) and parameters of one row's UPDATE."""
    names, conditions = tuple(values), tuple(where)
    key = (connection.alias, model, names, conditions, increment)
    sql = _UPDATES.get(key)
    if sql is None:
        qn = connection.ops.quote_name
        table = qn(model._meta.db_table)
        pk_column = qn(_column(model._meta.pk))
        sets = [f"{qn(_column(_field(model, n)))} = %s" for n in names]
        sets += [f"{qn(c)} = {qn(c)} + 1" for c in (_column(_field(model, n)) for n in increment)]
        tests = [f"{pk_column} = %s"] + [f"{qn(_column(_field(model, n)))} = %s" for n in conditions]
        sql = f"UPDATE {table} SET {', '.join(sets)} WHERE {' AND '.join(tests)}"  # noqa: S608 - quoted names
        _UPDATES[key] = sql
    params = [_prep(_field(model, n), values[n], connection) for n in names]
    params.append(_prep(model._meta.pk, pk, connection))
    params += [_prep(_field(model, n), where[n], connection) for n in conditions]
    return sql, params


def update_row(
    model: type[Model],
    *,
    pk: Any,
    values: dict[str, Any],
    where: dict[str, Any] | None = None,
    increment: Iterable[str] = (),
) -> int:
    """``UPDATE`` one row by primary key, setting ``values`` and adding 1 to each ``increment``
    column, if the columns in ``where`` still hold those values (a compare-and-swap). Returns the
    number of rows changed (0 or 1)."""
    connection = connections[router.db_for_write(model)]
    sql, params = _update(model, pk, values, where or {}, tuple(increment), connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)
