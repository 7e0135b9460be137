"""Pydantic models of the JSON exchanged with the WhatsApp Cloud API, one module per direction
(outbound messages, Graph API answers, inbound webhooks); table models live elsewhere."""
