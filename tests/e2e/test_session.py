"""Staying signed in: an expired access token is refreshed silently, once, however many calls hit it."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_jwt_extended import create_access_token, decode_token

from app.auth import service as auth_service
from app.auth.models import AuthSession, RefreshToken
from app.extensions import db
from tests.e2e.helpers import store_tokens, watch

pytestmark = pytest.mark.e2e

PARALLEL_CALLS = """async () => {
    const { api } = await import('/js/api.js');
    const results = await Promise.allSettled([api('/me'), api('/notices'), api('/me'), api('/regions')]);
    return results.map(r => r.status);
}"""


def expired_login(user) -> dict:
    """A login whose access token ran out a minute ago; its refresh token is still good."""
    tokens = auth_service.start_session(user)
    db.session.commit()
    claims = decode_token(tokens["refresh_token"])
    tokens["access_token"] = create_access_token(
        identity=str(user.id), additional_claims={"sid": claims["sid"]}, expires_delta=timedelta(minutes=-1)
    )
    return {**tokens, "sid": claims["sid"]}


def refresh_tokens_of(sid: str) -> list[RefreshToken]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(RefreshToken).where(RefreshToken.session_id == sid)))


def test_an_expired_access_token_is_refreshed_once_for_many_parallel_calls(world, page):
    login = expired_login(world.resident)
    page.goto("/login")
    store_tokens(page, login)
    assert page.evaluate(PARALLEL_CALLS) == ["fulfilled"] * 4
    tokens = refresh_tokens_of(login["sid"])
    assert len(tokens) == 2  # the original, used once, and the one it was traded for
    assert db.session.get(AuthSession, login["sid"]).revoked_at is None

    # A restart with a stale access token still opens the app signed in.
    store_tokens(page, expired_login(world.resident))
    page.goto("/me")
    page.wait_for_selector("#profile-name:text-is('resident')")
    assert page.errors == []


def test_a_login_ended_elsewhere_returns_to_sign_in_and_says_why(world, new_context):
    login = expired_login(world.resident)
    auth_service.revoke_session(login["sid"], reason="logout")
    db.session.commit()
    page = watch(new_context().new_page())
    page.goto("/login")
    store_tokens(page, login)
    page.goto("/me")
    page.wait_for_url("**/login?expired=1")
    assert "登录已失效" in page.inner_text("main")
    assert page.evaluate("localStorage.getItem('linli.tokens')") is None
