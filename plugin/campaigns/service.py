"""Campaigns' public face: configure, test-send, estimate, launch, pause/resume/cancel, the
fan-out loop, A/B winners, the tick and progress (listmonk's model).

The rules live in the modules named below, one responsibility each; this module gathers their
public names for the admin API, the worker's actor and the scheduler's task table:
config.py (configuration and refusals), trial_send.py, estimate.py, lifecycle.py,
audience_sql.py, fanout.py (the loop, writing through plugin.delivery.outbox), ab.py,
progress.py (tick and progress).
"""

from __future__ import annotations

from plugin.campaigns.ab import pick_winner, variant_rates
from plugin.campaigns.config import (
    CANCELLED_REASON,
    LOOP_ACTOR,
    MAX_HOLDOUT,
    MAX_VARIANTS,
    PAUSED_REASON,
    CampaignError,
    audience_of,
    configure_campaign,
    get_campaign,
)
from plugin.campaigns.estimate import estimate_campaign
from plugin.campaigns.fanout import run_batch
from plugin.campaigns.lifecycle import (
    cancel_campaign,
    delete_draft,
    launch_campaign,
    pause_campaign,
    resume_campaign,
)
from plugin.campaigns.preview import preview_variants
from plugin.campaigns.progress import Figures, campaign_progress, figures, tick
from plugin.campaigns.trial_send import send_test

__all__ = [
    "CANCELLED_REASON",
    "LOOP_ACTOR",
    "MAX_HOLDOUT",
    "MAX_VARIANTS",
    "PAUSED_REASON",
    "CampaignError",
    "Figures",
    "audience_of",
    "campaign_progress",
    "cancel_campaign",
    "configure_campaign",
    "delete_draft",
    "estimate_campaign",
    "figures",
    "get_campaign",
    "launch_campaign",
    "pause_campaign",
    "pick_winner",
    "preview_variants",
    "resume_campaign",
    "run_batch",
    "send_test",
    "tick",
    "variant_rates",
]
