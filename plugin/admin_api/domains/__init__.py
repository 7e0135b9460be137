"""One module per domain, each with `Query` and/or `Mutation` types merged in schema.py."""
