"""The admin GraphQL API (strawberry): translates, checks permissions, calls domain services.

How to add an operation: docs/admin-api.md.
"""
