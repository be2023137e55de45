"""/api/v1/catalog: products, categories and price books (managers manage, reps read)."""

from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from kehu.catalog import selectors, services
from kehu.core.common.api import CursorPage, expected_version

router = Router(tags=["catalog"])

Level = Literal["", "a", "b", "c", "d"]


class ProductOut(Schema):
    id: int
    version: int
    sku: str
    name: str
    unit: str
    list_price: Decimal
    currency: str
    tax_rate: Decimal
    category_id: int | None
    description: str
    is_active: bool
    custom: dict[str, Any]
    created_at: datetime

    @staticmethod
    def resolve_custom(obj) -> dict[str, Any]:
        return obj.custom_data


class ProductFields(Schema):
    unit: str | None = None
    currency: str | None = None
    tax_rate: Decimal | None = None
    category_id: int | None = None
    description: str | None = None
    is_active: bool | None = None
    custom: dict[str, Any] | None = None


class ProductIn(ProductFields):
    sku: str
    name: str
    list_price: Decimal


class ProductPatch(ProductFields):
    sku: str | None = None
    name: str | None = None
    list_price: Decimal | None = None
    version: int | None = None


class ProductFilter(Schema):
    q: str = ""
    category_id: int | None = None
    active: bool | None = None


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None


class CategoryIn(Schema):
    name: str
    parent_id: int | None = None


class CategoryPatch(Schema):
    name: str | None = None
    parent_id: int | None = None


class PriceBookOut(Schema):
    id: int
    name: str
    customer_level: str
    currency: str
    is_active: bool


class PriceBookIn(Schema):
    name: str
    customer_level: Level = ""
    currency: str | None = None
    is_active: bool = True


class PriceBookPatch(Schema):
    name: str | None = None
    customer_level: Level | None = None
    currency: str | None = None
    is_active: bool | None = None


class PriceOut(Schema):
    product_id: int
    sku: str
    name: str
    price: Decimal

    @staticmethod
    def resolve_sku(obj) -> str:
        return obj.product.sku

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.product.name


class PriceIn(Schema):
    price: Decimal | None = None


def _product_values(request: HttpRequest, payload: Schema):
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    custom = data.pop("custom", None)
    if "category_id" in data:
        category_id = data.pop("category_id")
        data["category"] = (selectors.category_get(actor=request.actor, category_id=category_id)
                            if category_id else None)
    return data, custom


def _parent(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    if "parent_id" in data:
        parent_id = data.pop("parent_id")
        data["parent"] = (selectors.category_get(actor=request.actor, category_id=parent_id)
                          if parent_id else None)
    return data


@router.get("/products", response=list[ProductOut])
@paginate(CursorPage)
def list_products(request: HttpRequest, filters: Query[ProductFilter]):
    """Products by name; `q` matches name or SKU; `active=true` hides deactivated ones."""
    return selectors.product_list(actor=request.actor, **filters.dict())


@router.post("/products", response={201: ProductOut})
def create_product(request: HttpRequest, payload: ProductIn):
    values, custom = _product_values(request, payload)
    return Status(201, services.product_create(actor=request.actor, values=values,
                                               custom=custom))


@router.get("/products/{product_id}", response=ProductOut)
def get_product(request: HttpRequest, response: HttpResponse, product_id: int):
    product = selectors.product_get(actor=request.actor, product_id=product_id)
    response["ETag"] = f'"{product.version}"'
    return product


@router.patch("/products/{product_id}", response=ProductOut)
def update_product(request: HttpRequest, product_id: int, payload: ProductPatch):
    product = selectors.product_get(actor=request.actor, product_id=product_id, action="edit")
    version = expected_version(request, payload.version)
    values, custom = _product_values(request, payload)
    return services.product_update(actor=request.actor, product=product, values=values,
                                   custom=custom, version=version)


@router.delete("/products/{product_id}", response={200: ProductOut, 204: None})
def delete_product(request: HttpRequest, product_id: int):
    """Deletes an unused product (204); a product in use is deactivated instead (200 with the
    product, `is_active: false`)."""
    product = selectors.product_get(actor=request.actor, product_id=product_id,
                                    action="delete")
    if services.product_delete(actor=request.actor, product=product):
        return Status(204, None)
    return Status(200, selectors.product_get(actor=request.actor, product_id=product_id))


@router.get("/products/{product_id}/price", response=dict[str, Any])
def product_price(request: HttpRequest, product_id: int, customer_id: int | None = None):
    """The unit price a customer gets (its level's price book, else the list price)."""
    from kehu.customers import selectors as customer_selectors

    product = selectors.product_get(actor=request.actor, product_id=product_id)
    customer = (customer_selectors.customer_get(actor=request.actor, customer_id=customer_id)
                if customer_id else None)
    price, book = selectors.price_quote(actor=request.actor, product=product, customer=customer)
    return {"price": str(price), "currency": book.currency if book else product.currency,
            "price_book_id": book.pk if book else None}


@router.get("/categories", response=list[CategoryOut])
def list_categories(request: HttpRequest):
    return selectors.category_tree(actor=request.actor)


@router.post("/categories", response={201: CategoryOut})
def create_category(request: HttpRequest, payload: CategoryIn):
    data = _parent(request, payload.dict())
    return Status(201, services.category_create(actor=request.actor, values=data))


@router.patch("/categories/{category_id}", response=CategoryOut)
def update_category(request: HttpRequest, category_id: int, payload: CategoryPatch):
    category = selectors.category_get(actor=request.actor, category_id=category_id,
                                      action="edit")
    data = _parent(request, payload.dict(exclude_unset=True))
    return services.category_update(actor=request.actor, category=category, values=data)


@router.delete("/categories/{category_id}", response={204: None})
def delete_category(request: HttpRequest, category_id: int):
    category = selectors.category_get(actor=request.actor, category_id=category_id,
                                      action="delete")
    services.category_delete(actor=request.actor, category=category)
    return Status(204, None)


@router.get("/price-books", response=list[PriceBookOut])
def list_pricebooks(request: HttpRequest):
    return selectors.pricebook_list(actor=request.actor)


@router.post("/price-books", response={201: PriceBookOut})
def create_pricebook(request: HttpRequest, payload: PriceBookIn):
    values = payload.dict(exclude_none=True)
    return Status(201, services.pricebook_create(actor=request.actor, values=values))


@router.get("/price-books/{pricebook_id}", response=PriceBookOut)
def get_pricebook(request: HttpRequest, pricebook_id: int):
    return selectors.pricebook_get(actor=request.actor, pricebook_id=pricebook_id)


@router.patch("/price-books/{pricebook_id}", response=PriceBookOut)
def update_pricebook(request: HttpRequest, pricebook_id: int, payload: PriceBookPatch):
    book = selectors.pricebook_get(actor=request.actor, pricebook_id=pricebook_id,
                                   action="edit")
    return services.pricebook_update(actor=request.actor, pricebook=book,
                                     values=payload.dict(exclude_unset=True))


@router.delete("/price-books/{pricebook_id}", response={204: None})
def delete_pricebook(request: HttpRequest, pricebook_id: int):
    book = selectors.pricebook_get(actor=request.actor, pricebook_id=pricebook_id,
                                   action="delete")
    services.pricebook_delete(actor=request.actor, pricebook=book)
    return Status(204, None)


@router.get("/price-books/{pricebook_id}/prices", response=list[PriceOut])
def list_prices(request: HttpRequest, pricebook_id: int):
    book = selectors.pricebook_get(actor=request.actor, pricebook_id=pricebook_id)
    return selectors.pricebook_entries(actor=request.actor, pricebook=book)


@router.put("/price-books/{pricebook_id}/prices/{product_id}", response={200: PriceOut,
                                                                        204: None})
def set_price(request: HttpRequest, pricebook_id: int, product_id: int, payload: PriceIn):
    """Set the book's price of a product; `{"price": null}` removes it (204)."""
    book = selectors.pricebook_get(actor=request.actor, pricebook_id=pricebook_id,
                                   action="edit")
    product = selectors.product_get(actor=request.actor, product_id=product_id)
    entry = services.pricebook_price_set(actor=request.actor, pricebook=book, product=product,
                                         price=payload.price)
    return Status(204, None) if entry is None else entry
