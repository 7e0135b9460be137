"""The Saleor protocol: manifest, install, signatures, dashboard tokens, GraphQL to Saleor."""
