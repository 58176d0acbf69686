"""The feed's query string is loaded once per process; bad ones are refused every time, as before."""

from app.core.query_args import ParseOnceParser
from app.notices.api import LIST_ARGS


def loads_of(monkeypatch) -> list:
    seen = []
    load = type(LIST_ARGS).load
    monkeypatch.setattr(
        LIST_ARGS, "load", lambda data, **kw: seen.append(dict(data)) or load(LIST_ARGS, data, **kw)
    )
    return seen


def test_a_repeated_query_string_is_loaded_once(world, client, auth, monkeypatch):
    loads = loads_of(monkeypatch)
    headers = auth(world.resident)
    for _ in range(3):
        assert client.get("/api/v1/notices?limit=7&q=%E5%81%9C", headers=headers).status_code == 200
    assert loads == [{"limit": "7", "q": "停"}]
    assert client.get("/api/v1/notices?limit=8", headers=headers).status_code == 200
    assert len(loads) == 2


def test_a_bad_query_string_is_refused_every_time(world, client, auth, monkeypatch):
    loads = loads_of(monkeypatch)
    headers = auth(world.resident)
    for _ in range(2):
        res = client.get("/api/v1/notices?limit=0", headers=headers)
        assert res.status_code == 422
        assert "limit" in res.get_json()["error"]["fields"]
    assert len(loads) == 2


def test_each_caller_gets_its_own_copy(app):
    parser = ParseOnceParser()
    with app.test_request_context("/api/v1/notices?limit=5"):
        first = parser.parse(LIST_ARGS, location="query")
        first["limit"] = 1
        assert parser.parse(LIST_ARGS, location="query")["limit"] == 5
