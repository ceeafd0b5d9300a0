from django.urls import path
from django.views.generic import RedirectView

from visitation.views import changes, create, decisions, detail, export, lists, overview, worklist

app_name = "visitation"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="visitation:placement_list", permanent=False)),
    path("bevillinger/", lists.placement_list, name="placement_list"),
    path("bevillinger/eksport/", export.placement_export, name="placement_export"),
    path("bevillinger/ny/", create.placement_create, name="placement_create"),
    path("bevillinger/ny/priser/", create.price_panel, name="price_panel"),
    path("bevillinger/<int:pk>/", detail.placement_detail, name="placement_detail"),
    path("bevillinger/<int:pk>/ret/", changes.placement_edit, name="placement_edit"),
    path("bevillinger/<int:pk>/godkend/", decisions.placement_approve, name="placement_approve"),
    path("bevillinger/<int:pk>/afvis/", decisions.placement_reject, name="placement_reject"),
    path("bevillinger/<int:pk>/ny-pakke/", changes.placement_change_package, name="placement_change_package"),
    path(
        "bevillinger/<int:pk>/ny-pakke/konsekvens/",
        changes.placement_package_consequence,
        name="placement_package_consequence",
    ),
    path("bevillinger/<int:pk>/afslut/", changes.placement_end, name="placement_end"),
    path("bevillinger/<int:pk>/opfoelgning/", changes.followup_create, name="followup_create"),
    path("opfoelgning/", worklist.worklist, name="worklist"),
    path("godkendelser/", decisions.approval_queue, name="approval_queue"),
    path("botilbud/<int:pk>/", overview.home_placements, name="home_placements"),
    path("koeb-og-salg/", overview.purchases_sales, name="purchases_sales"),
]
