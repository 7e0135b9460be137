"""The WhatsApp channel: Cloud API client, payload models, error taxonomy, Meta's webhook
signature and the sandbox Graph API."""
