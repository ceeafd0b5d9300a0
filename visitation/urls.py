from django.urls import path

from visitation import views

app_name = "visitation"

urlpatterns = [
    path("", views.placement_list, name="placement_list"),
    path("eksport.xlsx", views.placement_export, name="placement_export"),
    path("ny/", views.placement_create, name="placement_create"),
    path("ny/priser/", views.price_panel, name="price_panel"),
    path("<int:pk>/", views.placement_detail, name="placement_detail"),
    path("<int:pk>/godkend/", views.placement_approve, name="placement_approve"),
    path("<int:pk>/afvis/", views.placement_reject, name="placement_reject"),
    path("<int:pk>/ny-pakke/", views.placement_change_package, name="placement_change_package"),
    path("<int:pk>/afslut/", views.placement_end, name="placement_end"),
    path("<int:pk>/opfoelgning/", views.followup_create, name="followup_create"),
    path("opfoelgning/", views.worklist, name="worklist"),
    path("godkendelser/", views.approval_queue, name="approval_queue"),
    path("koeb-og-salg/", views.purchases_sales, name="purchases_sales"),
]
