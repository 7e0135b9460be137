"""Contacts: one per store and phone number, kept from Saleor customers, checkouts, orders."""
