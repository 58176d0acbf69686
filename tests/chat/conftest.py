"""Chat fixtures: the workstation open around the clock unless a test closes it, uploads in a temp dir."""

import pytest

from app.outbox.worker import Worker


@pytest.fixture(autouse=True)
def _always_open(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "CHAT_WORKING_HOURS", "00:00-24:00")
    monkeypatch.setitem(app.config, "CHAT_WORKING_DAYS", "1,2,3,4,5,6,7")
    monkeypatch.setitem(app.config, "UPLOAD_DIR", tmp_path / "uploads")


@pytest.fixture
def outbox(app):
    worker = Worker(app, concurrency=2, periodic=True)
    yield worker
    worker.close()


@pytest.fixture(scope="session")
def live_url(app):
    """The suite's app on 127.0.0.1 and a free port (threaded Werkzeug: websockets via simple-websocket)."""
    import logging
    import threading

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="chat-live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
