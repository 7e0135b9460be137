"""A fake WhatsApp Cloud API (Graph paths, validation, errors, signed webhooks) and a phone page.

Mount it in the app with `create_sandbox_router(...)`, or run it alone with
`plugin.whatsapp.sandbox.app.run_sandbox(...)` (`ulak sandbox`).
"""

from plugin.whatsapp.sandbox.app import create_sandbox_app, run_sandbox
from plugin.whatsapp.sandbox.config import FaultConfig, SandboxConfig, SandboxNumber
from plugin.whatsapp.sandbox.router import create_sandbox, create_sandbox_router
from plugin.whatsapp.sandbox.state import Sandbox

__all__ = [
    "FaultConfig",
    "Sandbox",
    "SandboxConfig",
    "SandboxNumber",
    "create_sandbox",
    "create_sandbox_app",
    "create_sandbox_router",
    "run_sandbox",
]
