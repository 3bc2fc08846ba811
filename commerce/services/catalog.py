"""The product catalogue: products and their variant items."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from assistant.connectors.models import Product, ProductSummary, Refusal, Variant
from commerce.errors import not_found
from commerce.models import ProductRow, VariantRow
from commerce.views import product_view, variant_view


class CatalogService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def list_products(self) -> list[ProductSummary]:
        rows = self.session.execute(select(ProductRow.id, ProductRow.name).order_by(ProductRow.name))
        return [ProductSummary(product_id=product_id, name=name) for product_id, name in rows]

    def get_product(self, product_id: str) -> Product:
        row = self.session.scalar(
            select(ProductRow).where(ProductRow.id == product_id).options(selectinload(ProductRow.variants))
        )
        if row is None:
            raise not_found(Refusal.PRODUCT_NOT_FOUND, "product")
        return product_view(row)

    def get_item(self, item_id: str) -> Variant:
        row = self.session.get(VariantRow, item_id)
        if row is None:
            raise not_found(Refusal.ITEM_NOT_FOUND, "item")
        return variant_view(row)
