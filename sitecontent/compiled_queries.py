"""ORM querysets compiled to SQL once per process, then run with each call's own values.

On the busiest public pages Django's query compiler costs more than the database: the claims
of one platform took 1.4 ms to compile and 0.2 ms to run on SQLite, a profile's change list
2.4 ms and 0.06 ms (/platforms/tiktok/, uncached 16 ms in all; `tests/bench/benchmark.py`,
2026-12-03). So such a query is written once, as an ordinary function of its values that
returns a queryset; it is compiled with placeholder values, and each call puts its own values
where the placeholders were.

    CLAIMS = CompiledQuery(lambda platform: Cell.objects.filter(row__platform=platform)…)
    rows = CLAIMS.rows(platform=3)

Values are ints, strings, aware datetimes or lists of those (a list's length is part of the
compiled shape), or flags (True/False: each compiled on its own). Rows come as the database
driver gives them: `as_date`/`as_datetime` turn SQLite's text into Python values.
"""

from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone
from django.utils.dateparse import parse_datetime

PLACEHOLDER_INT = -(2**40)
PLACEHOLDER_TIME = datetime(1901, 2, 3, 4, 5, 6, tzinfo=UTC)


class CompiledQuery:
    def __init__(self, build):
        self.build = build
        self.compiled = {}  # (database, shape) -> (sql, [how to get each parameter])

    def rows(self, **values):
        connection = connections[DEFAULT_DB_ALIAS]
        shape = tuple((name, _shape(value)) for name, value in sorted(values.items()))
        key = (connection.vendor, shape)
        if key not in self.compiled:
            self.compiled[key] = self._compile(connection, values)
        sql, slots = self.compiled[key]
        if sql is None:
            return []  # a query that can match nothing, such as `id__in=[]`
        params = [slot(values, connection) for slot in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _compile(self, connection, values):
        placeholders, wanted = {}, {}  # name -> placeholder value; its parameter -> slot
        counter = iter(range(1, 10**9))
        for name, value in values.items():
            if isinstance(value, bool):
                placeholders[name] = value  # part of the shape, compiled as it is
                continue
            items = value if isinstance(value, list | tuple) else [value]
            stand_ins = [_placeholder(item, next(counter)) for item in items]
            for index, stand_in in enumerate(stand_ins):
                at = index if isinstance(value, list | tuple) else None
                wanted[_as_parameter(stand_in, connection)] = _slot(name, at)
            placeholders[name] = stand_ins if isinstance(value, list | tuple) else stand_ins[0]
        try:
            sql, params = self.build(**placeholders).query.sql_with_params()
        except EmptyResultSet:
            return None, None
        slots = [wanted.get(param, _constant(param)) for param in params]
        missing = set(map(id, wanted.values())) - set(map(id, slots))
        if missing:
            raise ValueError("A value of this query does not reach its SQL as a parameter.")
        return sql, slots


def _shape(value):
    """What of a value changes the SQL: a list's length; a flag's value."""
    if isinstance(value, list | tuple):
        return len(value)
    return value if isinstance(value, bool) else None


def _placeholder(value, number):
    if value is None:
        raise TypeError("CompiledQuery values are ints, strings, datetimes or flags, not None.")
    if isinstance(value, int):
        return PLACEHOLDER_INT - number
    if isinstance(value, str):
        return f"\x00placeholder-{number}"
    if isinstance(value, datetime):
        return PLACEHOLDER_TIME + timedelta(microseconds=number)
    raise TypeError(f"CompiledQuery cannot stand in for a {type(value).__name__}.")


def _as_parameter(value, connection):
    """How the compiler writes a value into its parameters (datetimes are adapted)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    return value


def _slot(name, index):
    def value_of(values, connection):
        value = values[name] if index is None else values[name][index]
        return _as_parameter(value, connection)

    return value_of


def _constant(param):
    return lambda values, connection: param


def as_date(value):
    """A date column's value: SQLite gives text when the ORM's converters are not involved."""
    return date.fromisoformat(value) if isinstance(value, str) else value


def as_datetime(value):
    """A datetime column's value, aware (SQLite gives naive UTC, or text)."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value
