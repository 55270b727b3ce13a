"""Shared fixtures: a real uvicorn server on a free port, and a real Chromium via Playwright."""

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """Start `python -m app` on a free port for the whole session and yield its base URL."""
    port = _free_port()
    env = {**os.environ, "GRADPLAY_PORT": str(port), "GRADPLAY_HOST": "127.0.0.1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/api/v1/ops", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            err = proc.stderr.read().decode() if proc.stderr else ""
            proc.kill()
            raise RuntimeError(f"server did not start:\n{err}")
        time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


# The smallest run there is: creating it (unstarted) is how a client gets a token.
TINY_RUN = {
    "dataset": {"name": "thermometer"},
    "model": {"kind": "linear"},
    "optimizer": {"name": "sgd", "lr": 0.01},
    "start": False,
}


def client_with_token(server_url: str) -> httpx.Client:
    """A client of the running server that carries its own run token (from a tiny unstarted
    run it creates and stops), so it owns every run it creates and may steer them."""
    client = httpx.Client(base_url=server_url, timeout=60)
    created = client.post("/api/v1/runs", json=TINY_RUN)
    assert created.status_code == 201, created.text[:500]
    body = created.json()
    client.headers["Authorization"] = f"Bearer {body['token']}"
    client.post(f"/api/v1/runs/{body['id']}/stop").raise_for_status()
    return client


@pytest.fixture(scope="session")
def api(server_url: str) -> Iterator[httpx.Client]:
    """An HTTP client bound to the running server, with one run token for the session."""
    client = client_with_token(server_url)
    try:
        yield client
    finally:
        client.close()


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _poll_for_function(
    self: Any, expression: str, *, arg: Any = None, timeout: float | None = None, **_: Any
) -> Any:
    """`Page.wait_for_function` polled from here: Playwright's own `eval`s the expression in
    the page, which the pages' Content-Security-Policy (no 'unsafe-eval') refuses; `evaluate`
    goes through the DevTools protocol, which the CSP does not govern."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    deadline = time.monotonic() + (30_000 if timeout is None else timeout) / 1000
    while True:
        try:
            result = self.evaluate(expression, arg)
        except PlaywrightError as error:
            # A page navigating (a popup leaving about:blank) is waited through, as Playwright's
            # own wait does.
            if "context was destroyed" not in str(error) and "navigat" not in str(error):
                raise
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise PlaywrightTimeout(f"wait_for_function timed out: {expression}")
        time.sleep(0.05)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium driven by Playwright (never a downloaded browser), pages under the
    server's real CSP (never `bypass_csp`)."""
    from playwright.sync_api import Page, sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    original = Page.wait_for_function
    Page.wait_for_function = _poll_for_function  # type: ignore[assignment]
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
            yield b
            b.close()
    finally:
        Page.wait_for_function = original  # type: ignore[method-assign]


@pytest.fixture
def page(browser: object, server_url: str) -> Iterator[object]:
    """A fresh page that fails the test on any console error or any request off this machine."""
    context = browser.new_context(viewport={"width": 1600, "height": 1000})  # type: ignore[attr-defined]
    pg = context.new_page()
    errors: list[str] = []
    foreign: list[str] = []
    # A test that provokes 4xx answers on purpose adds their status here (e.g. 422): Chromium
    # logs each as "Failed to load resource: ... status of 422", which is then not an error.
    expected_status: set[int] = set()
    pg.expected_status = expected_status  # type: ignore[attr-defined]

    def check_console(message: object) -> None:
        if message.type != "error":  # type: ignore[attr-defined]
            return
        text: str = message.text  # type: ignore[attr-defined]
        if any(f"status of {status}" in text for status in expected_status):
            return
        errors.append(text)

    pg.on("console", check_console)
    pg.on("pageerror", lambda e: errors.append(str(e)))

    def check_request(request: object) -> None:
        url: str = request.url  # type: ignore[attr-defined]
        if not url.startswith((server_url, "data:", "blob:", "about:")):
            foreign.append(url)

    pg.on("request", check_request)
    pg.base_url = server_url  # type: ignore[attr-defined]
    yield pg
    context.close()
    assert not foreign, f"the page requested something off this machine: {foreign}"
    assert not errors, f"console errors: {errors}"


def screenshot(pg: object, name: str) -> Path:
    """Save a screenshot under test-artifacts/ (look at them) and return its path."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    pg.screenshot(path=str(path), full_page=False)  # type: ignore[attr-defined]
    return path
