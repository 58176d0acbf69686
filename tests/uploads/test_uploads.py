"""Uploads: real images only, re-encoded without EXIF/GPS, capped, idempotent, served to the right people."""

import io
import threading
import time

import pytest
import sqlalchemy as sa
from PIL import ExifTags, Image

from app.core.db import utcnow
from app.extensions import db
from app.uploads import service
from app.uploads.models import Upload
from tests.conftest import BACKEND
from tests.factories import UserFactory
from tests.uploads.images import bomb, encoded, phone_jpeg, png

URL = "/api/v1/uploads"


def post(client, headers, data: bytes, *, name="photo.jpg", content_type="image/jpeg", key=None):
    headers = {**headers, **({"Idempotency-Key": key} if key else {})}
    return client.post(
        URL,
        data={"file": (io.BytesIO(data), name, content_type)},
        headers=headers,
        content_type="multipart/form-data",
    )


def rows() -> int:
    with db.engine.connect() as conn:
        return conn.scalar(sa.select(sa.func.count()).select_from(Upload))


def stored_files(upload_dir) -> list:
    return [p for p in upload_dir.rglob("*") if p.is_file()] if upload_dir.exists() else []


@pytest.fixture
def user():
    user = UserFactory()
    db.session.commit()
    return user


def test_phone_photo_is_stored_without_exif_or_gps_and_upright(client, auth, user, upload_dir):
    original = phone_jpeg(64, 32)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the input has GPS

    response = post(client, auth(user), original)

    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert set(body) >= {"id", "url", "thumb_url"}
    assert (body["width"], body["height"]) == (32, 64)  # orientation 6 applied: portrait now
    upload = db.session.get(Upload, body["id"])
    for key in (upload.key, upload.thumb_key):
        stored = Image.open(upload_dir / key)
        assert stored.format == "JPEG"
        exif = stored.getexif()
        assert len(exif) == 0
        assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
        assert not {"exif", "xmp", "comment", "icc_profile"} & set(stored.info)
    upright = Image.open(upload_dir / upload.key).convert("RGB")
    # The blue marker was top-left; after a 90° clockwise turn it is top-right.
    red, _green, blue = upright.getpixel((upright.width - 3, 3))
    assert blue > 150
    assert red < 100


def test_served_image_is_the_clean_copy(client, auth, user):
    body = post(client, auth(user), phone_jpeg()).get_json()

    for link, edge in ((body["url"], 64), (body["thumb_url"], 64)):
        response = client.get(link)
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "private" in response.headers["Cache-Control"]
        served = Image.open(io.BytesIO(response.data))
        assert len(served.getexif()) == 0
        assert max(served.size) <= edge


def test_large_photo_is_scaled_down_and_thumbnailed(client, auth, user):
    body = post(client, auth(user), encoded("JPEG", size=(4000, 3000))).get_json()

    assert (body["width"], body["height"]) == (2048, 1536)
    thumb = Image.open(io.BytesIO(client.get(body["thumb_url"]).data))
    assert max(thumb.size) == 320


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (png("RGBA"), "shot.png", "image/png"),
        (png("P"), "shot.png", "image/png"),
        (encoded("WEBP"), "x.webp", "image/webp"),
        (encoded("GIF"), "x.gif", "image/gif"),
        # The name and the declared type do not matter; the content does.
        (encoded("PNG"), "photo.txt", "text/plain"),
    ],
)
def test_other_image_formats_are_re_encoded_as_jpeg(client, auth, user, upload_dir, data, name, content_type):
    response = post(client, auth(user), data, name=name, content_type=content_type)

    assert response.status_code == 201, response.get_json()
    upload = db.session.get(Upload, response.get_json()["id"])
    assert Image.open(upload_dir / upload.key).format == "JPEG"


def test_transparent_png_is_flattened_on_white(client, auth, user, upload_dir):
    upload_id = post(client, auth(user), png("RGBA")).get_json()["id"]

    pixel = Image.open(upload_dir / db.session.get(Upload, upload_id).key).getpixel((20, 20))
    assert min(pixel) > 240


@pytest.mark.parametrize(
    ("data", "name", "content_type"),
    [
        (b"GIF89a but not really an image at all", "photo.jpg", "image/jpeg"),
        (b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n", "photo.jpg", "image/jpeg"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "a.svg",
            "image/svg+xml",
        ),
        (b"", "empty.jpg", "image/jpeg"),
        (phone_jpeg()[:200], "truncated.jpg", "image/jpeg"),
        (encoded("BMP"), "old.bmp", "image/bmp"),
        (encoded("TIFF"), "scan.tiff", "image/tiff"),
    ],
)
def test_non_images_are_refused_by_content(client, auth, user, upload_dir, data, name, content_type):
    response = post(client, auth(user), data, name=name, content_type=content_type)

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_image"
    assert "file" in error["fields"]
    assert rows() == 0
    assert stored_files(upload_dir) == []


def test_decompression_bomb_is_refused(client, auth, user, upload_dir):
    data = bomb()
    assert len(data) < 100_000

    response = post(client, auth(user), data, name="bomb.png", content_type="image/png")

    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "invalid_image"
    assert rows() == 0
    assert stored_files(upload_dir) == []


@pytest.mark.parametrize("extra", [1, 600 * 1024])
def test_files_over_10_mb_are_413_in_the_envelope(client, auth, user, upload_dir, extra):
    # Just over the limit is caught while reading the part; far over it, by the request length.
    data = phone_jpeg() + b"\0" * (10 * 1024 * 1024 - len(phone_jpeg()) + extra)

    response = post(client, auth(user), data)

    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "payload_too_large"
    assert rows() == 0
    assert stored_files(upload_dir) == []


def test_a_file_of_exactly_10_mb_is_read(client, auth, user):
    data = phone_jpeg()
    data += b"\0" * (10 * 1024 * 1024 - len(data))  # JPEG readers ignore what follows the image

    assert post(client, auth(user), data).status_code == 201


def test_same_idempotency_key_returns_the_first_upload(client, auth, user, upload_dir):
    headers = auth(user)
    first = post(client, headers, phone_jpeg(), key="photo-1")
    again = post(client, headers, encoded("PNG"), key="photo-1")

    assert first.status_code == again.status_code == 201
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert rows() == 1
    assert len(stored_files(upload_dir)) == 2


def test_idempotency_keys_are_per_user(client, auth, user):
    other = UserFactory()
    db.session.commit()

    a = post(client, auth(user), phone_jpeg(), key="k").get_json()["id"]
    b = post(client, auth(other), phone_jpeg(), key="k").get_json()["id"]

    assert a != b
    assert rows() == 2


@pytest.mark.skipif(BACKEND != "postgresql", reason="concurrent retries are a PostgreSQL concern")
def test_concurrent_retries_with_one_key_store_one_upload(app, user, upload_dir):
    from tests.factories import auth_header

    headers = auth_header(user)
    barrier = threading.Barrier(6)
    results = []

    def retry():
        with app.test_client() as client:
            barrier.wait()
            response = post(client, headers, phone_jpeg(), key="same")
            results.append((response.status_code, response.get_json()["id"]))

    threads = [threading.Thread(target=retry) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert {status for status, _ in results} == {201}
    assert len({upload_id for _, upload_id in results}) == 1
    assert rows() == 1
    assert len(stored_files(upload_dir)) == 2


@pytest.mark.parametrize("key", ["", "x" * 81, "clé", "two words"])
def test_bad_idempotency_key_is_422(client, auth, user, key):
    response = client.post(
        URL,
        data={"file": (io.BytesIO(phone_jpeg()), "p.jpg", "image/jpeg")},
        headers={**auth(user), "Idempotency-Key": key},
        content_type="multipart/form-data",
    )

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert "Idempotency-Key" in error["fields"]
    assert rows() == 0


def test_missing_file_field_is_422(client, auth, user):
    response = client.post(
        URL, data={"photo": (io.BytesIO(phone_jpeg()), "p.jpg")}, headers=auth(user),
        content_type="multipart/form-data",
    )  # fmt: skip

    assert response.status_code == 422
    assert "file" in response.get_json()["error"]["fields"]


def test_json_body_is_415(client, auth, user):
    response = client.post(URL, json={"file": "aGVsbG8="}, headers=auth(user))

    assert response.status_code == 415
    assert response.get_json()["error"]["code"] == "unsupported_media_type"
    assert rows() == 0


def test_uploading_needs_a_sign_in(client, upload_dir):
    response = client.post(
        URL, data={"file": (io.BytesIO(phone_jpeg()), "p.jpg")}, content_type="multipart/form-data"
    )

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert stored_files(upload_dir) == []


# --- who gets the image back -------------------------------------------------------------------------------


@pytest.fixture
def uploaded(client, auth, user):
    return post(client, auth(user), phone_jpeg()).get_json()


def _path(uploaded, variant=""):
    return f"{URL}/{uploaded['id']}{variant}"


@pytest.mark.parametrize("variant", ["", "/thumb"])
def test_uploader_fetches_with_a_sign_in(client, auth, user, uploaded, variant):
    assert client.get(_path(uploaded, variant), headers=auth(user)).status_code == 200


@pytest.mark.parametrize("variant", ["", "/thumb"])
def test_someone_else_gets_404(client, auth, uploaded, variant):
    other = UserFactory()
    db.session.commit()

    response = client.get(_path(uploaded, variant), headers=auth(other))

    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_without_link_or_sign_in_it_is_401(client, uploaded):
    response = client.get(_path(uploaded))

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_signed_link_works_without_a_sign_in(client, uploaded):
    assert client.get(uploaded["url"]).status_code == 200
    assert client.get(uploaded["thumb_url"]).status_code == 200


def test_tampered_link_does_not_work(client, uploaded):
    sig = uploaded["url"].split("sig=")[1]
    forged = uploaded["url"].replace(sig, "0" * len(sig))
    other_id = uploaded["url"].replace(f"/{uploaded['id']}?", f"/{uploaded['id'] + 1}?")
    thumb_sig_on_full = _path(uploaded) + "?" + uploaded["thumb_url"].split("?")[1]

    for link in (forged, other_id, thumb_sig_on_full):
        response = client.get(link)
        assert response.status_code == 401, link
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_expired_link_is_403_link_expired(client, uploaded):
    expires = int(time.time()) - 10
    link = f"{_path(uploaded)}?exp={expires}&sig={service._signature(uploaded['id'], 'full', expires)}"

    response = client.get(link)

    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "link_expired"


def test_links_last_to_the_end_of_the_next_hour(app):
    now = utcnow()
    with app.test_request_context():
        link = service.signed_url(7, now=now)
    expires = int(link.split("exp=")[1].split("&")[0])

    assert 3600 < expires - now.timestamp() <= 7200
    assert expires % 3600 == 0


def test_unknown_upload_is_404(client, auth, user):
    response = client.get(f"{URL}/999999", headers=auth(user))

    assert response.status_code == 404


def test_images_nobody_attached_are_purged_after_a_day(client, auth, user, upload_dir):
    from datetime import timedelta

    kept = post(client, auth(user), phone_jpeg()).get_json()["id"]
    dropped = post(client, auth(user), phone_jpeg()).get_json()["id"]
    db.session.execute(
        sa.update(Upload).where(Upload.id == dropped).values(created_at=utcnow() - timedelta(hours=25))
    )
    db.session.commit()

    assert service.purge_orphans(utcnow() - timedelta(hours=service.ORPHAN_HOURS)) == 1

    assert [u.id for u in db.session.scalars(sa.select(Upload))] == [kept]
    assert len(stored_files(upload_dir)) == 2
