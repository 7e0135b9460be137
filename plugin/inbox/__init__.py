"""The inbox: every webhook delivery we accepted, recorded before it is acted on."""
