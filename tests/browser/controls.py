"""Driving macaw-ui's controls from Playwright: its Select is a listbox combobox, not a <select>."""

from __future__ import annotations

from playwright.sync_api import Frame, FrameLocator, Locator


def pick(scope: Frame | FrameLocator | Locator, label: str, option: str) -> None:
    """Open the Select named `label` and choose the option named `option` (exactly)."""
    scope.get_by_role("combobox", name=label, exact=True).click()
    scope.get_by_role("option", name=option, exact=True).click()
