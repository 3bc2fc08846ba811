"""Shops as tenants: each shop's profile (shops/<name>/shop.toml) and policy (shops/<name>/policy.toml).

Data only: what a shop is and what its rules allow, read from its folder and
validated once. The composition root builds each shop's runtime from these
(assistant/bootstrap.py); the tools and the reference commerce service both
enforce the same `ShopPolicy`.
"""
