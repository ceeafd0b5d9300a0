from django.urls import path

from budget import views, views_year

app_name = "budget"

urlpatterns = [
    path("botilbud/<int:pk>/", views.home_budget, name="home_budget"),
    path("botilbud/<int:pk>/linje/<int:line_pk>/korrektion/", views.correction_add, name="correction_add"),
    path("botilbud/<int:pk>/aar/<int:year>/omplacering/", views_year.reallocation_add, name="reallocation_add"),
    path("korrektioner/", views_year.correction_queue, name="correction_queue"),
    path("korrektioner/<int:correction_pk>/afgoer/", views_year.correction_decide, name="correction_decide"),
    path("botilbud/<int:pk>/linje/<int:line_pk>/profil/", views.profile_edit, name="profile_edit"),
    path("botilbud/<int:pk>/medarbejdertimer/", views.staffing, name="staffing"),
    path("botilbud/<int:pk>/tildeling/", views.allocation, name="allocation"),
    path("forbrug/", views.actuals_import, name="actuals_import"),
    path("forbrug/<int:batch_pk>/godkend/", views.actuals_import_confirm, name="actuals_import_confirm"),
    path("forbrug/<int:batch_pk>/annuller/", views.actuals_import_discard, name="actuals_import_discard"),
    path("budgetter/import/", views.budget_import, name="budget_import"),
    path("myndighed/", views.authority, name="authority"),
    path("oversigt/", views.dashboard, name="dashboard"),
]
