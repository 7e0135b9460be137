"""Sandbox settings: status timing, template review and fault injection (all changeable at
runtime through `POST /sandbox/api/faults` and `POST /sandbox/api/config`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class FaultConfig(BaseModel):
    """Faults the sandbox injects into sends, so every error path can be exercised."""

    model_config = ConfigDict(extra="forbid")

    throughput_per_second: float | None = None  # per phone number; above it -> 130429
    pair_rate_seconds: float | None = None  # same number -> recipient sooner -> 131056
    undeliverable: list[str] = Field(default_factory=list)  # recipients answered 131026
    undeliverable_async: bool = False  # accept, then a failed status (as Meta mostly does)
    recipient_errors: dict[str, int] = Field(default_factory=dict)  # recipient -> any code
    server_error_rate: float = Field(default=0.0, ge=0.0, le=1.0)  # share of sends -> 5xx
    server_error_status: int = Field(default=500, ge=500, le=599)
    server_error_body: bool = False  # False: an empty body (as a failing proxy answers)
    latency_ms: float = Field(default=0.0, ge=0.0)  # added to every Graph call
    timeout_rate: float = Field(default=0.0, ge=0.0, le=1.0)  # share of sends that hang
    timeout_seconds: float = Field(default=30.0, ge=0.0)
    timeout_accepts: bool = True  # a hung send is still accepted (outcome unknown)
    # number changes send no webhook: Meta gave up retrying while the app was away
    lost_account_webhooks: bool = False


NotOnboarded = Literal[
    "ELIGIBLE",
    "INELIGIBLE_ON_BEHALF_OF_WABA",
    "INELIGIBLE_INACTIVE_OR_RESTRICTED",
    "INELIGIBLE_COUNTRY_NOT_SUPPORTED",
    "INELIGIBLE_USING_WHATSAPP_BUSINESS_APP",
    "PENDING_VALID_PAYMENT_METHOD",
    "PENDING_INTERNAL_SETUP",
]


class SandboxNumber(BaseModel):
    """A business phone number the sandbox serves."""

    model_config = ConfigDict(extra="forbid")

    phone_number_id: str
    waba_id: str
    display_phone_number: str
    access_token: str
    verified_name: str = "Ulak Sandbox"
    throughput_level: Literal["STANDARD", "HIGH", "NOT_APPLICABLE"] = "STANDARD"
    quality_rating: Literal["GREEN", "YELLOW", "RED", "UNKNOWN"] = "GREEN"
    messaging_limit_tier: str = "TIER_2K"
    # As Meta sets a business (Marketing Messages API pages): marketing templates may be
    # turned off on the Cloud API (then /messages answers 131063 to them), and only a
    # business onboarded to the Marketing Messages API may call /marketing_messages.
    marketing_on_cloud_api: bool = True
    mm_api_onboarded: bool = False
    # what the WABA's `marketing_messages_onboarding_status` reads while not onboarded
    # (plugin/whatsapp/sandbox/nodes.py); onboarded, it reads ONBOARDED
    mm_api_onboarding_status: NotOnboarded = "ELIGIBLE"
    # the WABA's `currency`: what Meta bills the business in (ISO 4217; sandbox/nodes.py)
    billing_currency: str = Field(default="USD", pattern=r"^[A-Z]{3}$")


class SandboxConfig(BaseModel):
    """Timing of the simulated world; defaults suit dev mode (fast, every message read)."""

    model_config = ConfigDict(extra="forbid")

    review_delay_seconds: float = Field(default=1.0, ge=0.0)
    sent_delay_seconds: float = Field(default=0.05, ge=0.0)
    delivered_delay_seconds: float = Field(default=0.3, ge=0.0)
    read_delay_seconds: float = Field(default=1.0, ge=0.0)
    read_ratio: float = Field(default=1.0, ge=0.0, le=1.0)
    status_webhooks: bool = True
    webhook_batch_size: int = Field(default=50, ge=1, le=1000)
    webhook_flush_seconds: float = Field(default=0.05, gt=0.0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0.0)
    enforce_service_window: bool = True  # free-form outside 24 h -> failed status 131047
    max_messages_per_recipient: int = Field(default=1000, ge=1)
    faults: FaultConfig = Field(default_factory=FaultConfig)
    numbers: list[SandboxNumber] = Field(default_factory=list)
    random_seed: int | None = None
