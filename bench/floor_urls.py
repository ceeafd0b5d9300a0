"""The app's URLs plus a bare Django view, the floor every page is compared with."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path

from botilbud.urls import handler400, handler403, handler404, handler500  # noqa: F401  (the app's error pages)
from botilbud.urls import urlpatterns as app_urlpatterns


@login_required
def floor(request):  # noqa: ANN001, ANN201 - the smallest authenticated Django view
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("__floor__/", floor, name="bench_floor"), *app_urlpatterns]
