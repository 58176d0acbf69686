def test_health(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_world_builds(world, client, auth):
    body = client.get("/api/v1/me", headers=auth(world.resident)).get_json()
    assert body["memberships"][0]["region"]["name"] == "海裕社区"
