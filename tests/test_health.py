"""/healthz reports the database, and Redis when it is configured."""


def test_healthy_without_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "redis": "not configured"}


def test_reports_redis_when_configured(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:6379/15"
    response = client.get("/healthz")
    assert response.json["redis"] == "ok" and response.status_code == 200


def test_unavailable_when_redis_is_down(app, client):
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable" and response.json["redis"].startswith("error")
