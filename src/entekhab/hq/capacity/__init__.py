"""Capacity planning in the HQ app: saved scenarios, plan runs over the election's branches, pages and PDF."""
