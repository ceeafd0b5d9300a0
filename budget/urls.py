from django.urls import path

from budget.views import actuals, home, import_profiles, lines, overview, staffing, year

app_name = "budget"

urlpatterns = [
    path("botilbud/<int:pk>/", home.home_budget, name="home_budget"),
    path("botilbud/<int:pk>/linje/<int:line_pk>/korrektion/", lines.correction_add, name="correction_add"),
    path("botilbud/<int:pk>/aar/<int:year>/omplacering/", year.reallocation_add, name="reallocation_add"),
    path("aar/", year.year_list, name="year_list"),
    path("aar/<int:year>/", year.year_detail, name="year_detail"),
    path("aar/<int:year>/luk/", year.year_close, name="year_close"),
    path("aar/<int:year>/genaabn/", year.year_reopen, name="year_reopen"),
    path("aar/<int:year>/godkend/", year.carry_over_approve_all, name="carry_over_approve_all"),
    path("aar/<int:year>/overfoersel/<int:carry_over_pk>/", year.carry_over_approve, name="carry_over_approve"),
    path("botilbud/<int:pk>/aarsafslutning/<int:year>/", year.year_statement, name="year_statement"),
    path("korrektioner/", year.correction_queue, name="correction_queue"),
    path("korrektioner/<int:correction_pk>/afgoer/", year.correction_decide, name="correction_decide"),
    path("botilbud/<int:pk>/linje/<int:line_pk>/profil/", lines.profile_edit, name="profile_edit"),
    path("botilbud/<int:pk>/medarbejdertimer/", staffing.staffing, name="staffing"),
    path("botilbud/<int:pk>/tildeling/", overview.allocation, name="allocation"),
    path("forbrug/", actuals.actuals_import, name="actuals_import"),
    path("forbrug/profiler/", import_profiles.profile_list, name="import_profiles"),
    path("forbrug/profiler/ny/", import_profiles.profile_edit, name="import_profile_new"),
    path("forbrug/profiler/<int:pk>/", import_profiles.profile_edit, name="import_profile"),
    path("forbrug/profiler/forhaandsvisning/", import_profiles.profile_preview, name="import_profile_preview"),
    path("forbrug/<int:batch_pk>/", import_profiles.import_detail, name="import_detail"),
    path("forbrug/kontrol/<uuid:job_pk>/", actuals.actuals_import_result, name="actuals_import_result"),
    path("forbrug/indlaest/<uuid:job_pk>/", actuals.actuals_import_confirmed, name="actuals_import_confirmed"),
    path("botilbud/<int:home_pk>/posteringer/", import_profiles.postings, name="postings"),
    path("forbrug/<int:batch_pk>/godkend/", actuals.actuals_import_confirm, name="actuals_import_confirm"),
    path("forbrug/<int:batch_pk>/annuller/", actuals.actuals_import_discard, name="actuals_import_discard"),
    path("budgetter/import/", actuals.budget_import, name="budget_import"),
    path("myndighed/", overview.authority, name="authority"),
    path("oversigt/", overview.dashboard, name="dashboard"),
]
