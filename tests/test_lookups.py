"""``field__any=[…]`` (botilbud/lib/lookups.py): the rows of ``field__in=[…]``, sent as one array."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from botilbud.models import Area, Home


def _sql(fn):
    with CaptureQueriesContext(connection) as captured:
        result = fn()
    return result, [q["sql"] for q in captured.captured_queries]


def test_any_gives_the_rows_of_in(org):
    ids = [org.home_a.pk, org.home_c.pk, 999_999]
    assert set(Home.objects.filter(pk__any=ids)) == set(Home.objects.filter(pk__in=ids)) == {org.home_a, org.home_c}
    assert Home.objects.filter(pk__any={org.home_b.pk}).get() == org.home_b  # any iterable
    # A foreign key, by id or by row (as __in takes them).
    north = set(Home.objects.filter(area_id__in=[org.area_north.pk]))
    assert set(Home.objects.filter(area_id__any=[org.area_north.pk])) == north
    assert set(Home.objects.filter(area__any=[org.area_north])) == north
    assert set(Area.objects.filter(homes__any=[org.home_c])) == {org.area_south}
    # Text, with the characters an array literal quotes.
    org.home_b.name = 'Hus, "B" {1}\\'
    org.home_b.save()
    assert set(Home.objects.filter(name__any=[org.home_b.name, org.home_a.name])) == {org.home_a, org.home_b}
    # None matches nothing, as in __in.
    assert set(Home.objects.filter(pk__any=[None, org.home_a.pk])) == {org.home_a}


def test_any_sends_one_array_parameter_whatever_the_length(org):
    _, few = _sql(lambda: list(Home.objects.filter(pk__any=[org.home_a.pk])))
    _, many = _sql(lambda: list(Home.objects.filter(pk__any=[org.home_a.pk, *range(10_000, 10_150)])))
    assert "= ANY(" in few[0] and "IN (" not in many[0]
    with connection.cursor() as cursor:
        sql, params = Home.objects.filter(pk__any=list(range(150))).query.sql_with_params()
        assert len(params) == 1 and list(params[0]) == list(range(150))
        cursor.execute(sql, params)


def test_an_empty_list_matches_no_row_without_a_query(org):
    none, sent = _sql(lambda: list(Home.objects.filter(pk__any=[])))
    assert none == [] and sent == []
    every, _ = _sql(lambda: Home.objects.exclude(pk__any=[]).count())
    assert every == Home.objects.count()


def test_a_subquery_is_refused_use_in():
    with pytest.raises(TypeError, match="__in"):
        Home.objects.filter(pk__any=Home.objects.values("pk"))
