"""Who may run what: one table from operation to the Saleor permissions it requires.

Keys are "<Type>.<graphqlField>" (`Query.storeSettings`, `Mutation.changePlan`, or a nested
sensitive field such as `Store.settings`). Every field that uses `Allowed` must have an entry:
a missing one refuses the call, and tests/admin_api/test_permissions.py fails. The same table
is printed in docs/admin-api.md (a test keeps the two equal).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from strawberry.permission import BasePermission

from plugin.admin_api.errors import PermissionDenied


class SaleorPermission(StrEnum):
    """The Saleor permission codes Ulak checks (a subset of Saleor's PermissionEnum)."""

    MANAGE_APPS = "MANAGE_APPS"
    MANAGE_USERS = "MANAGE_USERS"
    MANAGE_ORDERS = "MANAGE_ORDERS"


@dataclass(frozen=True)
class Requirement:
    """The staff user must hold every permission in `all_of` (none: any staff user)."""

    all_of: frozenset[SaleorPermission] = frozenset()

    def describe(self) -> str:
        return ", ".join(sorted(self.all_of)) or "any staff user"


STAFF = Requirement()
MANAGE_APPS = Requirement(frozenset({SaleorPermission.MANAGE_APPS}))
MANAGE_USERS = Requirement(frozenset({SaleorPermission.MANAGE_USERS}))
MANAGE_ORDERS = Requirement(frozenset({SaleorPermission.MANAGE_ORDERS}))

# The one table. Domains to come: contacts, consent, export, erase, segments, templates and
# campaigns -> MANAGE_USERS; flows -> MANAGE_ORDERS; dashboards -> STAFF.
OPERATION_PERMISSIONS: dict[str, Requirement] = {
    "Query.viewer": STAFF,
    "Query.store": STAFF,
    "Query.planUsage": STAFF,
    "Query.planCatalogue": STAFF,
    "Query.storeSettings": MANAGE_APPS,
    "Query.whatsappAccounts": MANAGE_APPS,
    "Query.inboxEvents": MANAGE_APPS,
    "Mutation.updateStoreSettings": MANAGE_APPS,
    "Mutation.changePlan": MANAGE_APPS,
    "Mutation.connectWhatsApp": MANAGE_APPS,
    "Mutation.disconnectWhatsApp": MANAGE_APPS,
    "Mutation.sendTestMessage": MANAGE_APPS,
    "Mutation.storefrontKey": MANAGE_APPS,
    "Query.contacts": MANAGE_USERS,
    "Query.contact": MANAGE_USERS,
    "Query.conversation": MANAGE_USERS,
    "Query.replyInbox": MANAGE_USERS,
    "Query.contactList": MANAGE_USERS,
    "Query.contactActivity": MANAGE_USERS,
    "Query.iysAlerts": MANAGE_USERS,
    "Query.iysBatches": MANAGE_USERS,
    "Query.iysBatch": MANAGE_USERS,
    "Query.contactSyncStatus": MANAGE_USERS,
    "Query.consentImportStatus": MANAGE_USERS,
    "Mutation.sendSupportReply": MANAGE_USERS,
    "Mutation.recordConsent": MANAGE_USERS,
    "Mutation.importConsentCsv": MANAGE_USERS,
    "Mutation.exportContact": MANAGE_USERS,
    "Mutation.eraseContact": MANAGE_USERS,
    "Mutation.iysExport": MANAGE_USERS,
    "Mutation.confirmIysBatch": MANAGE_USERS,
    "Mutation.discardIysBatch": MANAGE_USERS,
    "Query.templates": MANAGE_USERS,
    "Query.template": MANAGE_USERS,
    "Query.templatePreview": MANAGE_USERS,
    "Query.previewDraft": MANAGE_USERS,
    "Query.variableCatalogue": MANAGE_USERS,
    "Mutation.saveTemplateDraft": MANAGE_USERS,
    "Mutation.submitTemplate": MANAGE_USERS,
    "Mutation.syncTemplates": MANAGE_USERS,
    "Mutation.deleteTemplate": MANAGE_USERS,
    "Mutation.installStarterTemplates": MANAGE_USERS,
    "Query.trackedUrl": MANAGE_USERS,
    "Query.pickupPoint": MANAGE_APPS,
    "Mutation.setPickupPoint": MANAGE_APPS,
    "Mutation.clearPickupPoint": MANAGE_APPS,
    "Query.costSettings": STAFF,
    "Mutation.setExchangeRate": MANAGE_APPS,
    "Query.staffTestNumbers": MANAGE_APPS,
    "Mutation.setStaffTestNumbers": MANAGE_APPS,
    "Query.flows": MANAGE_ORDERS,
    "Query.flow": MANAGE_ORDERS,
    "Query.checkoutJourney": MANAGE_ORDERS,
    "Query.flowAlerts": MANAGE_ORDERS,
    "Query.sendingAlerts": MANAGE_APPS,
    "Query.messagingLimit": MANAGE_APPS,
    "Query.carriers": MANAGE_ORDERS,
    "Query.reasonCodes": STAFF,
    "Mutation.setFlowEnabled": MANAGE_ORDERS,
    "Mutation.updateFlow": MANAGE_ORDERS,
    "Query.segments": MANAGE_USERS,
    "Query.segment": MANAGE_USERS,
    "Query.builtinSegments": MANAGE_USERS,
    "Query.segmentPreview": MANAGE_USERS,
    "Mutation.createSegment": MANAGE_USERS,
    "Mutation.updateSegment": MANAGE_USERS,
    "Mutation.deleteSegment": MANAGE_USERS,
    "Mutation.addContactTags": MANAGE_USERS,
    "Mutation.removeContactTag": MANAGE_USERS,
    "Mutation.importTagsCsv": MANAGE_USERS,
    "Query.campaigns": MANAGE_USERS,
    "Query.campaign": MANAGE_USERS,
    "Query.campaignProgress": MANAGE_USERS,
    "Mutation.saveCampaign": MANAGE_USERS,
    "Mutation.sendCampaignTest": MANAGE_USERS,
    "Mutation.estimateCampaign": MANAGE_USERS,
    "Mutation.launchCampaign": MANAGE_USERS,
    "Mutation.pauseCampaign": MANAGE_USERS,
    "Mutation.resumeCampaign": MANAGE_USERS,
    "Mutation.cancelCampaign": MANAGE_USERS,
    "Mutation.deleteCampaign": MANAGE_USERS,
    "Query.deliveryExplanation": MANAGE_USERS,
    "Query.dashboardMetrics": STAFF,
    "Query.analyticsFunnel": STAFF,
    "Query.analyticsPerformance": STAFF,
    "Query.analyticsCost": STAFF,
    "Query.analyticsCsv": STAFF,
}


def check(key: str, *, user_permissions: frozenset[str], is_staff: bool) -> None:
    """Raise `PermissionDenied` unless a staff user with the table's permissions asks."""
    requirement = OPERATION_PERMISSIONS.get(key)
    if requirement is None:
        raise PermissionDenied(f"{key} has no permission entry", permissions=[])
    needed = sorted(requirement.all_of)
    if not is_staff or not requirement.all_of <= user_permissions:
        raise PermissionDenied(
            "You need the following permissions: "
            + (", ".join(needed) or "staff user")
            + " / Şu yetkiler gerekli: "
            + (", ".join(needed) or "personel kullanıcı"),
            permissions=needed,
        )


class Allowed(BasePermission):
    """Put on every Query/Mutation field (and sensitive nested fields): checks the table."""

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        ctx = info.context
        raw = info._raw_info  # graphql-core's info: the GraphQL names of type and field
        check(
            f"{raw.parent_type.name}.{raw.field_name}",
            user_permissions=ctx.user_permissions,
            is_staff=ctx.is_staff,
        )
        return True
