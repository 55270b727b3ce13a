"""The API documentation works with no internet: Swagger UI from our own server, every
endpoint listed, and 'Try it out' answering from the real engine."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import screenshot

pytestmark = pytest.mark.browser


def test_swagger_ui_renders_offline_and_lists_every_endpoint(page: Page) -> None:
    page.goto(f"{page.base_url}/docs")  # type: ignore[attr-defined]
    for path in ["/api/v1/graphs/evaluate", "/api/v1/graphs/optimize", "/api/v1/ops",
                 "/api/v1/runs", "/api/v1/runs/{run_id}/events"]:  # fmt: skip
        expect(page.locator(".opblock-summary-path", has_text=path).first).to_be_visible()
    expect(page.locator(".info")).to_contain_text("max_tensor_elements")
    screenshot(page, "api-docs")


def test_try_it_out_evaluates_the_example(page: Page) -> None:
    page.goto(f"{page.base_url}/docs")  # type: ignore[attr-defined]
    block = page.locator(
        ".opblock", has=page.locator(".opblock-summary-path[data-path='/api/v1/graphs/evaluate']")
    )
    block.locator(".opblock-summary").click()
    block.get_by_role("button", name="Try it out").click()
    block.get_by_role("button", name="Execute").click()
    response = block.locator(
        ".responses-wrapper .live-responses-table .response-col_description pre"
    ).first
    expect(response).to_contain_text(re.compile(r'"grad": -2\b'), timeout=10_000)
    screenshot(page, "api-docs-try-it-out")
