from django.urls import path

from budget.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.department, name="department"),
    path("excel/<slug:chart>/", views.department_excel, name="department_excel"),
    path("omraade/<int:pk>/", views.area, name="area"),
    path("omraade/<int:pk>/excel/<slug:chart>/", views.area_excel, name="area_excel"),
    path("botilbud/<int:pk>/", views.home, name="home"),
    path("botilbud/<int:pk>/excel/<slug:chart>/", views.home_excel, name="home_excel"),
    path("botilbud/<int:pk>/<str:group>/", views.home_group, name="home_group"),
    path("botilbud/<int:pk>/<str:group>/excel/<slug:chart>/", views.home_group_excel, name="home_group_excel"),
]
