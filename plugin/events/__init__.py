"""Journeys: the orchestrators that turn one Saleor event, one inbound WhatsApp event or one
scheduler tick into calls on the layers below (DESIGN.md, "Layers the build checks")."""
