"""Security headers on every answer, and the Origin check, against the real server.

Every kind of answer (pages, the API, static files, the docs, a redirect, a 404, a 413, the
403 itself) carries the Content-Security-Policy and the other headers. A state-changing request
a browser marks as coming from another site is refused with 403 `forbidden` before any route
runs, and changes nothing; same-origin pages and clients that send no Origin pass.
"""

from typing import Any

import httpx
import pytest

from tests.api.conftest import assert_error, strict_json

PAGES_AND_FILES = [
    "/",
    "/graph",
    "/train",
    "/docs",
    "/redoc",
    "/openapi.json",
    "/api/v1/ops",
    "/api/v1/limits",
    "/static/css/gradplay.css",
    "/static/dist/graph.js",
    "/static-offline-docs/swagger-ui-bundle.js",
    "/api/v1/no-such-endpoint",
    "/no-such-page",
]
EVIL = "http://evil.example"
RUN: dict[str, Any] = {
    "dataset": {"name": "thermometer"},
    "model": {"kind": "linear", "init": {"w": 1.0, "b": 0.0}},
    "optimizer": {"name": "sgd", "lr": 1e-2},
    "val_fraction": 0.0,
    "max_epochs": 3000,
    "start": False,
}


def policy(response: httpx.Response) -> dict[str, list[str]]:
    """The Content-Security-Policy as directive → sources."""
    text = response.headers["content-security-policy"]
    parts = [p.split() for p in text.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def assert_secured(response: httpx.Response) -> None:
    """The headers every answer must carry, and a policy that runs no inline script."""
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["script-src"][0] == "'self'"
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(csp["script-src"])
    assert all(s.startswith("'sha256-") for s in csp["script-src"][1:]), csp["script-src"]


def headers_of(run: dict[str, Any]) -> dict[str, str]:
    """A run's owner's headers: its token once runs have one, nothing before."""
    token = run.get("token")
    return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.mark.parametrize("path", PAGES_AND_FILES)
def test_every_answer_carries_the_security_headers(api: httpx.Client, path: str) -> None:
    assert_secured(api.get(path))


@pytest.mark.parametrize("path", ["/graph", "/train", "/api/v1/ops", "/static/css/train.css"])
def test_the_pages_allow_no_inline_style_either(api: httpx.Client, path: str) -> None:
    assert policy(api.get(path))["style-src"] == ["'self'"]


def test_swagger_ui_runs_its_one_inline_script_by_hash_only(api: httpx.Client) -> None:
    sources = policy(api.get("/docs"))["script-src"]
    assert len(sources) == 2 and sources[1].startswith("'sha256-"), sources


def test_a_refused_body_and_a_refused_origin_carry_the_headers(api: httpx.Client) -> None:
    too_big = b"x" * (strict_json(api.get("/api/v1/limits"))["max_request_bytes"]["value"] + 1)
    big = api.post("/api/v1/graphs/evaluate", content=too_big)
    assert big.status_code == 413
    assert_secured(big)
    foreign = api.post("/api/v1/graphs/evaluate", json={}, headers={"Origin": EVIL})
    assert foreign.status_code == 403
    assert_secured(foreign)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/api/v1/runs", RUN),
        ("POST", "/api/v1/graphs/evaluate", {"source": "y = 2 * 3"}),
        ("POST", "/api/v1/runs/{id}/resume", None),
        ("POST", "/api/v1/runs/{id}/step", None),
        ("POST", "/api/v1/runs/{id}/stop", None),
        ("PATCH", "/api/v1/runs/{id}", {"lr": 0.5}),
        ("DELETE", "/api/v1/runs/{id}", None),
        ("PUT", "/api/v1/runs/{id}", {"lr": 0.5}),
    ],
)
@pytest.mark.parametrize(
    "foreign",
    [
        {"Origin": EVIL},
        {"Origin": "null"},
        {"Origin": "https://127.0.0.1"},  # same host, another scheme: another origin
        {"Sec-Fetch-Site": "cross-site"},
    ],
    ids=["evil", "null", "other-scheme", "sec-fetch-site"],
)
def test_a_state_change_from_another_site_is_refused_and_changes_nothing(
    api: httpx.Client, method: str, path: str, body: Any, foreign: dict[str, str]
) -> None:
    run = strict_json(api.post("/api/v1/runs", json=RUN))
    assert run["status"] == "paused"
    runs_before = strict_json(api.get("/api/v1/runs"))
    try:
        headers = {**headers_of(run), **foreign}
        url = path.format(id=run["id"])
        response = api.request(method, url, json=body, headers=headers)
        error = assert_error(response)
        assert response.status_code == 403 and error["type"] == "forbidden", error
        assert error["header"] == "Origin"
        after = strict_json(api.get(f"/api/v1/runs/{run['id']}"))
        assert (after["status"], after["step"], after["lr"]) == ("paused", 0, run["lr"])
        assert strict_json(api.get("/api/v1/runs")) == runs_before
    finally:
        api.post(f"/api/v1/runs/{run['id']}/stop", headers=headers_of(run))


def test_a_cors_simple_post_with_no_body_is_refused(api: httpx.Client) -> None:
    run = strict_json(api.post("/api/v1/runs", json={**RUN, "start": False}))
    try:
        response = api.post(
            f"/api/v1/runs/{run['id']}/step",
            headers={"Origin": EVIL, "Content-Type": "text/plain", **headers_of(run)},
        )
        assert response.status_code == 403
        assert strict_json(api.get(f"/api/v1/runs/{run['id']}"))["step"] == 0
    finally:
        api.post(f"/api/v1/runs/{run['id']}/stop", headers=headers_of(run))


@pytest.mark.parametrize(
    "extra",
    [
        {},  # curl and scripts send no Origin
        {"Origin": "{own}", "Sec-Fetch-Site": "same-origin"},  # the server's own pages
        {"Origin": "{own}"},
        {"Sec-Fetch-Site": "none"},  # typed in the address bar
    ],
    ids=["no-origin", "own-page", "own-origin", "user-initiated"],
)
def test_own_pages_and_headerless_clients_change_state(
    api: httpx.Client, server_url: str, extra: dict[str, str]
) -> None:
    headers = {k: v.format(own=server_url) for k, v in extra.items()}
    evaluated = api.post("/api/v1/graphs/evaluate", json={"source": "y = 2 * 3"}, headers=headers)
    assert evaluated.status_code == 200, evaluated.text[:300]
    created = api.post("/api/v1/runs", json=RUN, headers=headers)
    assert created.status_code == 201, created.text[:300]
    run = strict_json(created)
    stepped = api.post(
        f"/api/v1/runs/{run['id']}/step", json={"count": 2}, headers={**headers, **headers_of(run)}
    )
    assert stepped.status_code == 200, stepped.text[:300]
    stopped = api.post(f"/api/v1/runs/{run['id']}/stop", headers={**headers, **headers_of(run)})
    assert stopped.status_code == 200, stopped.text[:300]


def test_reads_from_another_site_are_not_refused(api: httpx.Client) -> None:
    # Reading needs only the id; the same-origin policy keeps a foreign page from seeing it.
    response = api.get("/api/v1/ops", headers={"Origin": EVIL, "Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
