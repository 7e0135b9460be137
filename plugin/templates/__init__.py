"""WhatsApp message templates: local records, validation, rendering, sync with Meta."""
