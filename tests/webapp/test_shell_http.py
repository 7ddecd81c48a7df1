"""The web shell's protections as seen on the wire: CSRF, headers, cookies, safe redirects."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from sqlalchemy import event

from tests.support.base import PASSWORD
from webapp import db


def csrf_token(client, path="/inloggen") -> str:
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def test_a_login_without_csrf_token_is_refused_in_dutch(client, world):
    response = client.post("/inloggen", data={"username": "af", "password": PASSWORD})
    assert response.status_code == 400
    assert "Het formulier is verlopen of ongeldig" in response.get_data(as_text=True)


def test_login_sets_a_hardened_session_cookie_and_redirects_only_within_the_site(app, world):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    token = csrf_token(client)
    response = client.post("/inloggen?next=https://kwaad.example/", data={
        "username": "af", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_every_page_carries_strict_security_headers(client):
    response = client.get("/inloggen")
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'; script-src 'self'")
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_pages_of_a_logged_in_person_are_never_cached_and_static_files_cost_no_query(app, client, world):
    assert "no-store" not in client.get("/inloggen").headers.get("Cache-Control", "")
    token = csrf_token(client)
    assert client.post("/inloggen", data={"username": "af", "password": PASSWORD,
                                          "csrf_token": token}).status_code == 302
    for path in ("/", "/inloggen", "/bestaat-niet", "/api/v1/tasks"):
        assert client.get(path).headers["Cache-Control"] == "no-store", path
    queries: list[str] = []
    with app.app_context():
        engine = db.engine()

    def count(_conn, _cursor, statement, *_args) -> None:
        queries.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    static = client.get("/static/favicon.svg")
    event.remove(engine, "before_cursor_execute", count)
    assert static.status_code == 200 and "no-store" not in static.headers.get("Cache-Control", "")
    assert static.headers["X-Content-Type-Options"] == "nosniff"
    assert queries == [], "a page's CSS, scripts and fonts do not load the person from the database"


def test_the_fonts_a_style_sheet_loads_are_named_by_content_and_kept_a_year_too(client):
    """Before, the pages' fonts (loaded from noto-sans.css) were asked for again on every page (no-cache)."""
    page = client.get("/inloggen").get_data(as_text=True)
    sheets = re.findall(r'href="(/static/[^"?]+\.css)\?v=', page)
    assert any(sheet.endswith("noto-sans.css") for sheet in sheets), sheets
    loaded: list[str] = []
    for sheet in sheets:
        css = client.get(sheet).get_data(as_text=True)
        for reference in re.findall(r"""url\(\s*['"]?([^'")]+)""", css):
            if reference.startswith(("data:", "#")):
                continue
            url = urljoin(sheet, reference)
            kept = client.get(url)
            assert kept.status_code == 200, url
            assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
            loaded.append(url)
    assert sum(".woff2?v=" in url for url in loaded) >= 4, loaded


def test_files_carry_no_session_so_the_browser_keeps_them_across_logins(client, world):
    """With the session's cookie on them (refreshed on every request), files were public responses holding a
    person's session, and ``Vary: Cookie`` made the browser ask again for each of them after every login."""
    token = csrf_token(client)
    assert client.post("/inloggen", data={"username": "af", "password": PASSWORD,
                                          "csrf_token": token}).status_code == 302
    page = client.get("/")
    assert "session=" in page.headers.get("Set-Cookie", ""), "a page still refreshes the idle timeout"
    urls = re.findall(r'(?:href|src)="(/(?:static|thema)/[^"]+)"', page.get_data(as_text=True))
    assert any(u.startswith("/thema/") for u in urls) and any(u.startswith("/static/") for u in urls), urls
    for url in urls:
        kept = client.get(url)
        assert kept.status_code == 200, url
        assert "Set-Cookie" not in kept.headers, url
        assert "Cookie" not in kept.headers.get("Vary", ""), url
    assert client.get("/").status_code == 200, "still logged in: the files changed nothing of the session"


def test_logout_is_a_post_with_csrf(client, world):
    assert client.get("/uitloggen").status_code == 405


def test_unknown_pages_answer_with_a_dutch_page(client):
    response = client.get("/bestaat-niet")
    assert response.status_code == 404
    assert "Niet gevonden" in response.get_data(as_text=True)


def test_a_pages_style_sheets_and_scripts_are_named_by_content_and_kept_a_year_only_under_that_name(client):
    """Before, every page asked again for each of them (no-cache); a changed file must still reach everyone."""
    page = client.get("/inloggen").get_data(as_text=True)
    urls = re.findall(r'(?:href|src)="(/(?:static|thema)/[^"]+)"', page)
    assert any(u.startswith("/static/css/app.css?v=") for u in urls), urls
    assert any(u.startswith("/thema/") for u in urls), "the theme's tokens file too (it was kept an hour)"
    assert all(re.search(r"\?v=[0-9a-f]{12}$", u) for u in urls), urls
    for url in urls:
        kept = client.get(url)
        assert kept.status_code == 200, url
        assert kept.headers["Cache-Control"] == "public, max-age=31536000, immutable", url
    stale = client.get("/static/css/app.css?v=000000000000")  # a page from before a deployment
    assert stale.status_code == 200 and stale.headers["Cache-Control"] == "no-cache"
    assert client.get("/static/css/app.css").headers["Cache-Control"] == "no-cache"
    assert client.get("/static/bestaat-niet.css?v=000000000000").status_code == 404
    assert client.get("/thema/voorbeeld.css?v=000000000000").headers["Cache-Control"] == "public, max-age=3600"
