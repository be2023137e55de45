"""Views that forget the organization filter on purpose, for the row-level security tests."""

from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import path
from ninja import NinjaAPI

from kehu.core.common.api import TokenAuth
from kehu.customers.models import Customer


def all_names() -> list[str]:
    return sorted(Customer.objects.values_list("name", flat=True))  # no organization filter


def names_page(request) -> HttpResponse:
    return JsonResponse({"names": all_names()})


def _lines():
    yield from (f"{name}\n" for name in all_names())


def names_streamed(request) -> HttpResponse:
    # the rows are read while the response is sent, after every middleware has returned
    return StreamingHttpResponse(_lines())


def failing_page(request) -> HttpResponse:
    all_names()
    raise RuntimeError("boom")


api = NinjaAPI(auth=TokenAuth(), urls_namespace="rls-tests")


@api.get("/names")
def names_endpoint(request):
    return {"names": all_names()}


urlpatterns = [
    path("names/", names_page),
    path("names/streamed/", names_streamed),
    path("fail/", failing_page),
    path("api/", api.urls),
]
