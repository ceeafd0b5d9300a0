from django.urls import path
from django.views.generic import RedirectView

from visitation import views

app_name = "visitation"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="visitation:placement_list", permanent=False)),
    path("bevillinger/", views.placement_list, name="placement_list"),
    path("bevillinger/eksport.xlsx", views.placement_export, name="placement_export"),
    path("bevillinger/ny/", views.placement_create, name="placement_create"),
    path("bevillinger/ny/priser/", views.price_panel, name="price_panel"),
    path("bevillinger/<int:pk>/", views.placement_detail, name="placement_detail"),
    path("bevillinger/<int:pk>/ret/", views.placement_edit, name="placement_edit"),
    path("bevillinger/<int:pk>/godkend/", views.placement_approve, name="placement_approve"),
    path("bevillinger/<int:pk>/afvis/", views.placement_reject, name="placement_reject"),
    path("bevillinger/<int:pk>/ny-pakke/", views.placement_change_package, name="placement_change_package"),
    path(
        "bevillinger/<int:pk>/ny-pakke/konsekvens/",
        views.placement_package_consequence,
        name="placement_package_consequence",
    ),
    path("bevillinger/<int:pk>/afslut/", views.placement_end, name="placement_end"),
    path("bevillinger/<int:pk>/opfoelgning/", views.followup_create, name="followup_create"),
    path("opfoelgning/", views.worklist, name="worklist"),
    path("godkendelser/", views.approval_queue, name="approval_queue"),
    path("botilbud/<int:pk>/", views.home_placements, name="home_placements"),
    path("koeb-og-salg/", views.purchases_sales, name="purchases_sales"),
]
