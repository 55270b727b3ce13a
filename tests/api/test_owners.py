"""Every run has an owner, on a real server: only the creator's token steers a run, anyone
with the id reads it, GET /runs lists the caller's own runs, and the token is answered once."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.api.conftest import assert_error, strict_json
from tests.conftest import TINY_RUN, client_with_token

STEERING: list[tuple[str, str, dict[str, Any] | None]] = [
    ("POST", "pause", None),
    ("POST", "resume", None),
    ("POST", "step", {"count": 1}),
    ("POST", "stop", None),
    ("PATCH", "", {"optimizer": {"lr": 0.5}}),
    ("DELETE", "", None),
]
READING = ["", "/history", "/data", "/program", "/landscape"]


@pytest.fixture
def stranger(server_url: str) -> Iterator[httpx.Client]:
    """Another client with a token of its own."""
    client = client_with_token(server_url)
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def anonymous(server_url: str) -> Iterator[httpx.Client]:
    """A client without any token."""
    with httpx.Client(base_url=server_url, timeout=60) as client:
        yield client


def create(client: httpx.Client, **changes: Any) -> dict[str, Any]:
    response = client.post("/api/v1/runs", json={**TINY_RUN, **changes})
    assert response.status_code == 201, response.text[:500]
    return strict_json(response)  # type: ignore[no-any-return]


def send(client: httpx.Client, method: str, run_id: str, command: str, body: Any) -> httpx.Response:
    path = f"/api/v1/runs/{run_id}" + (f"/{command}" if command else "")
    return client.request(method, path, json=body)


@pytest.mark.parametrize(("method", "command", "body"), STEERING, ids=lambda v: str(v))
@pytest.mark.parametrize("who", ["stranger", "anonymous", "wrong", "malformed"])
def test_only_the_owner_steers(
    api: httpx.Client,
    stranger: httpx.Client,
    anonymous: httpx.Client,
    who: str,
    method: str,
    command: str,
    body: dict[str, Any] | None,
) -> None:
    run = create(api)
    before = strict_json(api.get(f"/api/v1/runs/{run['id']}"))
    client = {"stranger": stranger, "anonymous": anonymous}.get(who, anonymous)
    headers = {
        "wrong": {"Authorization": "Bearer " + "x" * 43},
        "malformed": {"Authorization": "Basic dXNlcjpwYXNz"},
    }.get(who, {})
    path = f"/api/v1/runs/{run['id']}" + (f"/{command}" if command else "")
    refused = client.request(method, path, json=body, headers=headers)
    assert refused.status_code == 403
    assert assert_error(refused)["type"] == "forbidden"
    after = strict_json(api.get(f"/api/v1/runs/{run['id']}"))  # nothing changed
    assert (after["status"], after["step"], after["lr"]) == (
        before["status"],
        before["step"],
        before["lr"],
    )
    assert send(api, method, run["id"], command, body).status_code in (200, 204)


@pytest.mark.parametrize(("method", "command", "body"), STEERING, ids=lambda v: str(v))
def test_an_unknown_run_is_404_before_403(
    anonymous: httpx.Client, method: str, command: str, body: dict[str, Any] | None
) -> None:
    response = send(anonymous, method, "nosuchrun000", command, body)
    assert response.status_code == 404
    assert assert_error(response)["type"] == "not_found"


def test_anyone_with_the_id_reads(api: httpx.Client, anonymous: httpx.Client) -> None:
    run = create(api, start=True)
    for path in READING:
        response = anonymous.get(f"/api/v1/runs/{run['id']}{path}")
        assert response.status_code == 200, (path, response.text[:300])
    with anonymous.stream(
        "GET", f"/api/v1/runs/{run['id']}/events", timeout=httpx.Timeout(5.0, read=2.0)
    ) as events:
        assert events.status_code == 200
        assert next(events.iter_lines()).startswith(("id:", "event:", "retry:", ":"))


def test_the_list_shows_the_callers_runs_only(
    api: httpx.Client, stranger: httpx.Client, anonymous: httpx.Client
) -> None:
    mine = create(api)
    theirs = create(stranger)
    my_ids = {r["id"] for r in strict_json(api.get("/api/v1/runs"))["runs"]}
    their_ids = {r["id"] for r in strict_json(stranger.get("/api/v1/runs"))["runs"]}
    assert mine["id"] in my_ids and theirs["id"] not in my_ids
    assert theirs["id"] in their_ids and mine["id"] not in their_ids
    assert strict_json(anonymous.get("/api/v1/runs")) == {"runs": []}
    unknown = {"Authorization": "Bearer " + "y" * 43}
    assert strict_json(anonymous.get("/api/v1/runs", headers=unknown)) == {"runs": []}
    stranger.post(f"/api/v1/runs/{theirs['id']}/stop").raise_for_status()


def test_a_create_with_a_token_keeps_it_and_one_without_gets_a_new_one(
    api: httpx.Client, anonymous: httpx.Client
) -> None:
    token = api.headers["Authorization"].removeprefix("Bearer ")
    assert create(api)["token"] == token
    first, second = create(anonymous)["token"], create(anonymous)["token"]
    assert len({token, first, second}) == 3  # fresh each time
    assert all(len(t) == 43 for t in (first, second))  # secrets.token_urlsafe(32)


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer " + "z" * 43,  # well-formed, never issued
        "Bearer",
        "Bearer a b",
        "Bearer <script>",
        "Basic dXNlcjpwYXNz",
        "token-without-scheme",
    ],
)
def test_a_made_up_token_on_create_is_403(anonymous: httpx.Client, authorization: str) -> None:
    response = anonymous.post(
        "/api/v1/runs", json=TINY_RUN, headers={"Authorization": authorization}
    )
    assert response.status_code == 403
    assert assert_error(response)["type"] == "forbidden"


def test_the_token_is_never_in_a_get_answer(api: httpx.Client, anonymous: httpx.Client) -> None:
    run = create(api, start=True)
    token = run["token"]
    for client in (api, anonymous):
        for path in READING:
            assert token not in client.get(f"/api/v1/runs/{run['id']}{path}").text
        assert token not in client.get("/api/v1/runs").text
    assert token not in api.post(f"/api/v1/runs/{run['id']}/pause").text
    with anonymous.stream(
        "GET", f"/api/v1/runs/{run['id']}/events", timeout=httpx.Timeout(5.0, read=1.0)
    ) as events:
        head = b""
        for chunk in events.iter_bytes():
            head += chunk
            if len(head) > 2000:
                break
    assert token.encode() not in head


def test_delete_stops_and_forgets(api: httpx.Client, anonymous: httpx.Client) -> None:
    run = create(api, start=True)
    response = api.delete(f"/api/v1/runs/{run['id']}")
    assert response.status_code == 204 and response.content == b""
    assert api.get(f"/api/v1/runs/{run['id']}").status_code == 404
    assert run["id"] not in {r["id"] for r in strict_json(api.get("/api/v1/runs"))["runs"]}
    again = api.delete(f"/api/v1/runs/{run['id']}")
    assert again.status_code == 404 and assert_error(again)["type"] == "not_found"
    ended = create(api)
    api.post(f"/api/v1/runs/{ended['id']}/stop").raise_for_status()
    assert api.delete(f"/api/v1/runs/{ended['id']}").status_code == 204  # an ended one too


def test_the_openapi_document_describes_the_bearer_scheme(anonymous: httpx.Client) -> None:
    doc = anonymous.get("/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert schemes["runToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["runToken"]["description"],
    }
    for method, path in [
        ("post", "/api/v1/runs/{run_id}/pause"),
        ("post", "/api/v1/runs/{run_id}/resume"),
        ("post", "/api/v1/runs/{run_id}/step"),
        ("post", "/api/v1/runs/{run_id}/stop"),
        ("patch", "/api/v1/runs/{run_id}"),
        ("delete", "/api/v1/runs/{run_id}"),
        ("post", "/api/v1/runs"),
    ]:
        operation = doc["paths"][path][method]
        assert "403" in operation["responses"], (method, path)
        assert {"runToken": []} in operation["security"], (method, path)
    created = doc["paths"]["/api/v1/runs"]["post"]["responses"]["201"]
    ref = created["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "token" in doc["components"]["schemas"][ref]["required"]
    get_run = doc["paths"]["/api/v1/runs/{run_id}"]["get"]["responses"]["200"]
    ref = get_run["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "token" not in doc["components"]["schemas"][ref]["properties"]
