from django.urls import path

from budget import views, views_import, views_year

app_name = "budget"

urlpatterns = [
    path("botilbud/<int:pk>/", views.home_budget, name="home_budget"),
    path("botilbud/<int:pk>/linje/<int:line_pk>/korrektion/", views.correction_add, name="correction_add"),
    path("botilbud/<int:pk>/aar/<int:year>/omplacering/", views_year.reallocation_add, name="reallocation_add"),
    path("aar/", views_year.year_list, name="year_list"),
    path("aar/<int:year>/", views_year.year_detail, name="year_detail"),
    path("aar/<int:year>/luk/", views_year.year_close, name="year_close"),
    path("aar/<int:year>/genaabn/", views_year.year_reopen, name="year_reopen"),
    path("aar/<int:year>/godkend/", views_year.carry_over_approve_all, name="carry_over_approve_all"),
    path("aar/<int:year>/overfoersel/<int:carry_over_pk>/", views_year.carry_over_approve, name="carry_over_approve"),
    path("botilbud/<int:pk>/aarsafslutning/<int:year>/", views_year.year_statement, name="year_statement"),
    path("korrektioner/", views_year.correction_queue, name="correction_queue"),
    path("korrektioner/<int:correction_pk>/afgoer/", views_year.correction_decide, name="correction_decide"),
    path("botilbud/<int:pk>/linje/<int:line_pk>/profil/", views.profile_edit, name="profile_edit"),
    path("botilbud/<int:pk>/medarbejdertimer/", views.staffing, name="staffing"),
    path("botilbud/<int:pk>/tildeling/", views.allocation, name="allocation"),
    path("forbrug/", views.actuals_import, name="actuals_import"),
    path("forbrug/profiler/", views_import.profile_list, name="import_profiles"),
    path("forbrug/profiler/ny/", views_import.profile_edit, name="import_profile_new"),
    path("forbrug/profiler/<int:pk>/", views_import.profile_edit, name="import_profile"),
    path("forbrug/profiler/forhaandsvisning/", views_import.profile_preview, name="import_profile_preview"),
    path("forbrug/<int:batch_pk>/", views_import.import_detail, name="import_detail"),
    path("botilbud/<int:home_pk>/posteringer/", views_import.postings, name="postings"),
    path("forbrug/<int:batch_pk>/godkend/", views.actuals_import_confirm, name="actuals_import_confirm"),
    path("forbrug/<int:batch_pk>/annuller/", views.actuals_import_discard, name="actuals_import_discard"),
    path("budgetter/import/", views.budget_import, name="budget_import"),
    path("myndighed/", views.authority, name="authority"),
    path("oversigt/", views.dashboard, name="dashboard"),
]
