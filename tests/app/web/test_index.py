"""The API index at /api/v1, the OpenAPI file it links, and the favicon: every page links
an icon that is served, and no API route goes undocumented."""

from __future__ import annotations

import re

import pytest
import yaml

from app.web.index import DOCS

PAGES = ("/", "/stake", "/leaderboard", "/leaderboard?round=all", "/rounds", "/rules")


def openapi_operations() -> set[tuple[str, str]]:
    """(method, path with parameters as {}) of every operation in docs/openapi.yaml."""
    spec = yaml.safe_load((DOCS / "openapi.yaml").read_text())
    assert spec["servers"] == [{"url": "/api/v1"}]
    return {(method.upper(), re.sub(r"\{[^}]+\}", "{}", path)) for path, ops in spec["paths"].items() for method in ops}


def test_the_index_lists_every_api_route_with_its_summary(client, app):
    for path in ("/api/v1", "/api/v1/"):
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "application/json"
    index = client.get("/api/v1").get_json()
    assert index["openapi"] == "/api/v1/openapi.yaml"
    listed = {(route["path"], method) for route in index["routes"] for method in route["methods"]}
    expected = {
        (re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(("/api/v1/", "/graphql")) and not rule.endpoint.startswith("index.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert listed == expected and ("/api/v1/leaderboard", "GET") in listed and ("/graphql", "POST") in listed
    assert all(route["summary"] for route in index["routes"]), [r["path"] for r in index["routes"] if not r["summary"]]
    board = next(route for route in index["routes"] if route["path"] == "/api/v1/leaderboard")
    assert "round=all" in board["summary"]


def test_every_api_route_is_in_the_openapi_file(client):
    documented = openapi_operations()
    missing = [
        (method, route["path"])
        for route in client.get("/api/v1").get_json()["routes"] if route["path"].startswith("/api/v1/")
        for method in route["methods"]
        if (method, re.sub(r"\{[^}]+\}", "{}", route["path"].removeprefix("/api/v1"))) not in documented
    ]  # fmt: skip
    assert not missing, f"add these to docs/openapi.yaml: {missing}"


def test_the_openapi_file_is_served(client):
    response = client.get("/api/v1/openapi.yaml")
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    assert yaml.safe_load(response.data)["openapi"] == "3.1.0"


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_an_icon_that_is_served(client, path):
    html = client.get(path).get_data(as_text=True)
    icon = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', html).group(1)
    response = client.get(icon)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml" and b"<svg" in response.data
    assert '<a href="/api/v1">/api/v1</a>' in html


def test_favicon_ico_is_the_icon_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
