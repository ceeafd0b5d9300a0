"""Pages of the budget app, one module per feature: a home's budget and forecast
(``home``, ``profiles``), the actuals import (``actuals``, ``import_profiles``),
the staff-hours tool (``staffing``), the year end (``year``) and the overviews.

Every view starts from ``get_home_for_user`` (404 for outsiders, including the
authority) or, for the import, from the role check.
"""
