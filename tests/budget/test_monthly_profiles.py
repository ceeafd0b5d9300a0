"""Budget profiles from history, on hand-computed numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from budget import monthly_profiles as profiles
from budget.models import ActualTotal, BudgetLine

pytestmark = pytest.mark.django_db


def _actuals(home, year, amounts, group="loen"):
    ActualTotal.objects.bulk_create(
        [ActualTotal(home=home, month=dt.date(year, m, 1), group=group, amount=D(a)) for m, a in enumerate(amounts, 1)]
    )


# Eleven months of 100 and a May with holiday pay of 200: 1.300 a year.
MAY_HEAVY = ["100", "100", "100", "100", "200", "100", "100", "100", "100", "100", "100", "100"]


def test_profile_is_the_pooled_share_of_each_month():
    year = [D(a) for a in MAY_HEAVY]
    shares = profiles.profile_from([year, year])
    assert shares[4] == D(200) / D(1300) and shares[0] == D(100) / D(1300)
    pct = profiles.as_percentages(shares)
    # 100/1300 = 7,69 %; 200/1300 = 15,38 %; the rounding rest lands on December.
    assert pct[0] == D("7.69") and pct[4] == D("15.38") and sum(pct) == 100 and pct[11] == D("7.72")


def test_pooling_weights_bigger_years_more():
    a = [D(10)] * 12  # 120
    b = [D(0)] * 11 + [D(120)]  # 120, all in December
    shares = profiles.profile_from([a, b])
    assert shares[0] == D(10) / D(240) and shares[11] == D(130) / D(240)


def test_no_profile_from_mixed_signs_or_nothing():
    assert profiles.profile_from([]) is None
    assert profiles.profile_from([[D(0)] * 12]) is None
    assert profiles.profile_from([[D(-50)] + [D(100)] * 11]) is None
    # Income (all negative) is a fine pattern.
    assert profiles.profile_from([[D(-100)] * 12])[0] == D(1) / 12


def test_history_profile_beats_one_twelfth_on_a_seasonal_home(org):
    for year in (2024, 2025):
        _actuals(org.home_a, year, MAY_HEAVY)
        BudgetLine.objects.create(home=org.home_a, year=year, group="loen", original=D("1300"))
    line = BudgetLine.objects.create(home=org.home_a, year=2026, group="loen", original=D("1300"))
    suggestion, used = profiles.suggested_profile(line)
    assert used == [2024, 2025] and suggestion[4] == D("15.38")
    (row,) = profiles.accuracy(org.home_a.pk, "loen", [2024, 2025])
    # 2025 replayed with the profile from 2024 (the same pattern): no error at all.
    assert row.year == 2025 and row.error_history == 0
    # With 1/12 (108,33/month): Jan–Apr the forecast is 1.300 − 4×8,33… short of May; e.g. at the
    # end of January: 100 + 1.300 × 11/12 = 1.291,67 → 8,33 off; from May on 91,67 − 8,33·k off.
    assert row.error_flat > 0 and row.improvement_pct == D("100.0")


def test_profile_page_offers_history_and_shows_accuracy(org, client_for):
    for year in (2024, 2025):
        _actuals(org.home_a, year, MAY_HEAVY)
        BudgetLine.objects.create(home=org.home_a, year=year, group="loen", original=D("1300"))
    line = BudgetLine.objects.create(home=org.home_a, year=2026, group="loen", original=D("1300"))
    url = reverse("budget:profile_edit", args=[org.home_a.pk, line.pk])
    client = client_for(org.consultant)
    html = client.get(url).content.decode()
    assert "Udfyld fra det faktiske forbrug i 2024, 2025" in html and "profile-accuracy" in html
    response = client.get(url + "?fra=historik")
    assert response.context["form"].initial["m5"] == D("15.38")
    line.refresh_from_db()
    assert line.profile == []  # not saved until the consultant saves
    assert client_for(org.manager).get(url).status_code == 403
    assert client_for(org.other_manager).get(url).status_code == 404
