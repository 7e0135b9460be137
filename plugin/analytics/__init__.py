"""Measurement: tracked links, funnels, attribution of orders, cost, daily rollups."""
