"""Catalog pages: products (list, create, edit, deactivate), categories and price books."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from kehu.catalog import selectors, services
from kehu.catalog.forms import CategoryForm, PriceBookForm, ProductFilterForm, ProductForm
from kehu.catalog.models import Product
from kehu.core.common import money
from kehu.core.common.errors import DomainError, PermissionDeniedError
from kehu.core.common.htmx import is_htmx
from kehu.core.permissions.actor import Actor
from kehu.web.decorators import member_required
from kehu.web.forms import add_service_errors

OBJECT_TYPE = "catalog.product"
PAGE_SIZE = 50


def can(actor: Actor) -> dict[str, bool]:
    return {action: actor.can(action, OBJECT_TYPE) for action in ("view", "create", "edit",
                                                                   "delete")}


def _require(actor: Actor, action: str) -> None:
    if not actor.can(action, OBJECT_TYPE):
        raise PermissionDenied


def _render(request: HttpRequest, template: str, context: dict[str, Any],
            status: int = 200) -> HttpResponse:
    return render(request, f"catalog/{template}", {"nav_section": "catalog",
                                                   "can": can(request.actor), **context},
                  status=status)


def _save(form, write) -> tuple[Any, int]:
    """Run the service; its refusals go back on the form (422, or the DomainError status)."""
    if not form.is_valid():
        return None, 422
    try:
        return write(), 200
    except PermissionDeniedError:
        raise
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None, 422
    except DomainError as exc:
        add_service_errors(form, exc)
        return None, exc.status


# -- products ----------------------------------------------------------------------------------

@member_required
def product_list_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require(actor, "view")
    categories = selectors.category_choices(actor=actor)
    form = ProductFilterForm(request.GET or None, categories=categories)
    filters: dict[str, Any] = {"active": True}
    if form.is_bound and form.is_valid():
        filters = {"q": form.cleaned_data["q"], "category_id": form.cleaned_data["category"],
                   "active": form.active_value()}
    qs = selectors.product_list(actor=actor, **filters)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "products": page.object_list}
    if is_htmx(request) and request.headers.get("HX-Target") == "product-results":
        return _render(request, "_product_rows.html", context)
    return _render(request, "product_list.html", context)


@member_required
def product_detail_page(request: HttpRequest, product_id: int) -> HttpResponse:
    actor = request.actor
    product = selectors.product_get(actor=actor, product_id=product_id)
    books = list(selectors.pricebook_list(actor=actor))
    prices = {e.price_book_id: e.price for e in product.prices.all()}
    rows = [{"book": b, "price": prices.get(b.pk)} for b in books]
    return _render(request, "product_detail.html", {"product": product, "book_rows": rows})


def _product_form(request: HttpRequest, actor: Actor, product: Product | None) -> ProductForm:
    initial = {"currency": actor.organization.default_currency}
    if product is not None:
        initial = {f: getattr(product, f) for f in ("sku", "name", "unit", "list_price",
                                                    "currency", "tax_rate", "description",
                                                    "is_active", "version")}
        initial["category"] = product.category_id
    return ProductForm(request.POST if request.method == "POST" else None, initial=initial,
                       categories=selectors.category_choices(actor=actor))


@member_required
@require_http_methods(["GET", "POST"])
def product_create_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require(actor, "create")
    form = _product_form(request, actor, None)
    status = 200
    if request.method == "POST":
        product, status = _save(form, lambda: services.product_create(
            actor=actor, values=form.values(actor.organization)))
        if product is not None:
            messages.success(request, _("Product “%(name)s” created.") % {"name": product.name})
            return redirect("catalog:product-detail", product.pk)
    return _render(request, "product_form.html", {"form": form, "product": None},
                   status=status)


@member_required
@require_http_methods(["GET", "POST"])
def product_edit_page(request: HttpRequest, product_id: int) -> HttpResponse:
    actor = request.actor
    product = selectors.product_get(actor=actor, product_id=product_id, action="edit")
    form = _product_form(request, actor, product)
    status = 200
    if request.method == "POST":
        saved, status = _save(form, lambda: services.product_update(
            actor=actor, product=product, values=form.values(actor.organization),
            version=form.cleaned_data.get("version")))
        if saved is not None:
            messages.success(request, _("Product saved."))
            return redirect("catalog:product-detail", saved.pk)
    return _render(request, "product_form.html", {"form": form, "product": product},
                   status=status)


@member_required
@require_POST
def product_delete(request: HttpRequest, product_id: int) -> HttpResponse:
    actor = request.actor
    product = selectors.product_get(actor=actor, product_id=product_id, action="delete")
    if services.product_delete(actor=actor, product=product):
        messages.success(request, _("Product “%(name)s” deleted.") % {"name": product.name})
        return redirect("catalog:product-list")
    messages.info(request, _("“%(name)s” is used by quotes, orders or opportunities, so it was "
                             "deactivated instead of deleted.") % {"name": product.name})
    return redirect("catalog:product-detail", product.pk)


# -- categories --------------------------------------------------------------------------------

@member_required
@require_http_methods(["GET", "POST"])
def category_list_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require(actor, "view")
    tree = selectors.category_tree(actor=actor)
    parents = [(c.pk, c.name) for c in tree if c.parent_id is None]
    form = CategoryForm(request.POST if request.method == "POST" else None, parents=parents)
    status = 200
    if request.method == "POST":
        _require(actor, "create")
        parent_id = form.cleaned_data.get("parent") if form.is_valid() else None
        saved, status = _save(form, lambda: services.category_create(actor=actor, values={
            "name": form.cleaned_data["name"],
            "parent": selectors.category_get(actor=actor, category_id=parent_id)
            if parent_id else None}))
        if saved is not None:
            messages.success(request, _("Category “%(name)s” added.") % {"name": saved.name})
            return redirect("catalog:category-list")
    counts = {c.pk: c.products.count() for c in tree}
    rows = [{"category": c, "count": counts[c.pk]} for c in tree]
    return _render(request, "categories.html", {"form": form, "rows": rows}, status=status)


@member_required
@require_POST
def category_delete(request: HttpRequest, category_id: int) -> HttpResponse:
    actor = request.actor
    category = selectors.category_get(actor=actor, category_id=category_id, action="delete")
    try:
        services.category_delete(actor=actor, category=category)
        messages.success(request, _("Category “%(name)s” deleted.") % {"name": category.name})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("catalog:category-list")


# -- price books -------------------------------------------------------------------------------

@member_required
@require_http_methods(["GET", "POST"])
def pricebook_list_page(request: HttpRequest) -> HttpResponse:
    actor = request.actor
    _require(actor, "view")
    form = PriceBookForm(request.POST if request.method == "POST" else None,
                         initial={"currency": actor.organization.default_currency})
    status = 200
    if request.method == "POST":
        _require(actor, "create")
        saved, status = _save(form, lambda: services.pricebook_create(
            actor=actor, values=form.cleaned_data))
        if saved is not None:
            messages.success(request, _("Price book “%(name)s” added.") % {"name": saved.name})
            return redirect("catalog:pricebook-detail", saved.pk)
    books = selectors.pricebook_list(actor=actor)
    return _render(request, "pricebooks.html", {"form": form, "books": books}, status=status)


@member_required
@require_http_methods(["GET", "POST"])
def pricebook_detail_page(request: HttpRequest, pricebook_id: int) -> HttpResponse:
    """The book's settings and one price per active product (empty = the list price)."""
    actor = request.actor
    book = selectors.pricebook_get(actor=actor, pricebook_id=pricebook_id)
    form = PriceBookForm(request.POST if request.POST.get("part") == "book" else None,
                         initial={"name": book.name, "customer_level": book.customer_level,
                                  "currency": book.currency, "is_active": book.is_active})
    products = list(selectors.product_list(actor=actor, active=True))
    errors: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        _require(actor, "edit")
        if request.POST.get("part") == "book":
            saved, status = _save(form, lambda: services.pricebook_update(
                actor=actor, pricebook=book, values=form.cleaned_data))
            if saved is not None:
                messages.success(request, _("Price book saved."))
                return redirect("catalog:pricebook-detail", book.pk)
        else:
            errors = _save_prices(request, actor, book, products)
            if not errors:
                messages.success(request, _("Prices saved."))
                return redirect("catalog:pricebook-detail", book.pk)
            status = 422
    prices = {e.product_id: e.price for e in selectors.pricebook_entries(actor=actor,
                                                                         pricebook=book)}
    rows = [{"product": p, "price": request.POST.get(f"price-{p.pk}", prices.get(p.pk, ""))
             if errors else prices.get(p.pk, ""), "error": errors.get(p.pk)}
            for p in products]
    return _render(request, "pricebook_detail.html", {"book": book, "form": form,
                                                      "rows": rows}, status=status)


def _save_prices(request: HttpRequest, actor: Actor, book, products) -> dict[int, str]:
    errors: dict[int, str] = {}
    parsed: list[tuple[Product, Any]] = []
    for product in products:
        key = f"price-{product.pk}"
        if key not in request.POST:
            continue
        raw = request.POST[key].strip()
        try:
            price = money.to_decimal(raw) if raw else None
            if price is not None and (price < 0 or not price.is_finite()):
                raise ValueError
        except (ValueError, ArithmeticError):
            errors[product.pk] = _("Enter a price of 0 or more.")
            continue
        parsed.append((product, price))
    if not errors:
        for product, price in parsed:
            services.pricebook_price_set(actor=actor, pricebook=book, product=product,
                                         price=price)
    return errors


@member_required
@require_POST
def pricebook_delete(request: HttpRequest, pricebook_id: int) -> HttpResponse:
    actor = request.actor
    book = selectors.pricebook_get(actor=actor, pricebook_id=pricebook_id, action="delete")
    services.pricebook_delete(actor=actor, pricebook=book)
    messages.success(request, _("Price book “%(name)s” deleted.") % {"name": book.name})
    return redirect("catalog:pricebook-list")
