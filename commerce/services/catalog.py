"""The product catalogue: products, their variant items, and what each can be exchanged for."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from assistant.connectors.models import Product, ProductSummary, Refusal, Variant
from commerce.errors import not_found
from commerce.models import ProductRow, VariantRow
from commerce.services.order_changes import listing_on_sale
from commerce.views import product_view, variant_view


class CatalogService:
    def __init__(self, session: Session, on_sale_word: str | None = None) -> None:
        self.session = session
        self.on_sale_word = on_sale_word  # the shop policy's `product_on_sale`

    def list_products(self) -> list[ProductSummary]:
        rows = self.session.execute(select(ProductRow.id, ProductRow.name).order_by(ProductRow.name))
        return [ProductSummary(product_id=product_id, name=name) for product_id, name in rows]

    def get_product(self, product_id: str) -> Product:
        row = self.session.scalar(
            select(ProductRow)
            .where(ProductRow.id == product_id)
            .options(selectinload(ProductRow.variants), selectinload(ProductRow.exchangeable))
        )
        if row is None:
            raise not_found(Refusal.PRODUCT_NOT_FOUND, "product")
        on_sale = {
            option.id: listing_on_sale(self.on_sale_word, option.status, self.session.get(VariantRow, option.target_id))
            for option in row.exchangeable
        }
        return product_view(row, on_sale)

    def get_item(self, item_id: str) -> Variant:
        row = self.session.get(VariantRow, item_id)
        if row is None:
            raise not_found(Refusal.ITEM_NOT_FOUND, "item")
        return variant_view(row)
