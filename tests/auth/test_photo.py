"""One's own photo over HTTP: set, replace, remove; only one's own free uploads; a replaced one is purged."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from PIL import Image

from app.auth.models import User
from app.core.db import utcnow
from app.extensions import db
from app.uploads import service as uploads
from app.uploads.models import Upload
from tests.chat.helpers import open_conv, send
from tests.factories import UserFactory
from tests.uploads.images import upload

PHOTO = "/api/v1/me/photo"


@pytest.fixture
def user():
    user = UserFactory()
    db.session.commit()
    return user


def photo_id_of(user: User) -> int | None:
    return db.session.scalar(sa.select(User.photo_id).where(User.id == user.id))


def free_ids() -> set[int]:
    return set(db.session.scalars(sa.select(Upload.id).where(uploads.unattached())))


def age(*upload_ids: int) -> None:
    """Make uploads older than the orphan purge's grace period."""
    db.session.execute(
        sa.update(Upload).where(Upload.id.in_(upload_ids)).values(created_at=utcnow() - timedelta(days=30))
    )
    db.session.commit()


def purge() -> int:
    return uploads.purge_orphans(utcnow() - timedelta(hours=uploads.ORPHAN_HOURS))


def test_a_user_sets_a_photo_and_me_links_its_thumbnail_for_anyone_with_the_link(client, auth, user):
    headers = auth(user)
    assert client.get("/api/v1/me", headers=headers).get_json()["photo_url"] is None
    upload_id = upload(client, headers)

    response = client.put(PHOTO, json={"upload_id": upload_id}, headers=headers)

    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["id"] == user.id
    assert body["photo_url"].startswith(f"/api/v1/uploads/{upload_id}/thumb?exp=")
    assert client.get("/api/v1/me", headers=headers).get_json()["photo_url"] == body["photo_url"]
    assert photo_id_of(user) == upload_id
    # The link works in an <img> tag: no Authorization header.
    image = client.get(body["photo_url"])
    assert image.status_code == 200
    assert image.mimetype == "image/jpeg"
    assert max(Image.open(io.BytesIO(image.data)).size) <= 320


def test_setting_the_same_photo_again_changes_nothing(client, auth, user):
    headers = auth(user)
    upload_id = upload(client, headers)
    client.put(PHOTO, json={"upload_id": upload_id}, headers=headers)

    again = client.put(PHOTO, json={"upload_id": upload_id}, headers=headers)

    assert again.status_code == 200
    assert photo_id_of(user) == upload_id


def test_a_photo_is_not_free_so_the_purge_keeps_it(client, auth, user):
    headers = auth(user)
    upload_id = upload(client, headers)
    client.put(PHOTO, json={"upload_id": upload_id}, headers=headers)
    age(upload_id)

    assert upload_id not in free_ids()
    assert purge() == 0
    assert client.get(client.get("/api/v1/me", headers=headers).get_json()["photo_url"]).status_code == 200


def test_replacing_the_photo_frees_the_old_one_and_the_purge_removes_it(client, auth, user, upload_dir):
    headers = auth(user)
    old, new = upload(client, headers), upload(client, headers)
    client.put(PHOTO, json={"upload_id": old}, headers=headers)

    response = client.put(PHOTO, json={"upload_id": new}, headers=headers)

    assert response.status_code == 200
    assert response.get_json()["photo_url"].startswith(f"/api/v1/uploads/{new}/thumb?")
    assert free_ids() == {old}
    age(old, new)
    assert purge() == 1
    assert list(db.session.scalars(sa.select(Upload.id))) == [new]
    assert len([p for p in upload_dir.rglob("*") if p.is_file()]) == 2  # the new image and its thumbnail


def test_removing_the_photo_frees_it(client, auth, user):
    headers = auth(user)
    upload_id = upload(client, headers)
    client.put(PHOTO, json={"upload_id": upload_id}, headers=headers)

    response = client.delete(PHOTO, headers=headers)

    assert response.status_code == 204
    assert client.get("/api/v1/me", headers=headers).get_json()["photo_url"] is None
    assert photo_id_of(user) is None
    assert free_ids() == {upload_id}
    age(upload_id)
    assert purge() == 1
    # Removing it again is no error: there is simply no photo.
    assert client.delete(PHOTO, headers=headers).status_code == 204


def test_someone_elses_upload_cannot_be_ones_photo(client, auth, user):
    other = UserFactory()
    db.session.commit()
    theirs = upload(client, auth(other))

    response = client.put(PHOTO, json={"upload_id": theirs}, headers=auth(user))

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert set(error["fields"]) == {"upload_id"}
    assert photo_id_of(user) is None
    assert theirs in free_ids()


def test_an_upload_sent_in_a_chat_cannot_be_ones_photo_nor_a_photo_sent_in_a_chat(client, auth, world):
    resident = auth(world.resident)
    conv = open_conv(client, auth, world.resident)
    sent, photo = upload(client, resident), upload(client, resident)
    assert send(client, resident, conv["id"], "看这里", attachment_ids=[sent]).status_code == 201
    assert client.put(PHOTO, json={"upload_id": photo}, headers=resident).status_code == 200

    taken = client.put(PHOTO, json={"upload_id": sent}, headers=resident)
    resent = send(client, resident, conv["id"], "我的照片", attachment_ids=[photo])

    assert taken.status_code == 422
    assert set(taken.get_json()["error"]["fields"]) == {"upload_id"}
    assert resent.status_code == 422
    assert set(resent.get_json()["error"]["fields"]) == {"attachment_ids"}
    assert photo_id_of(world.resident) == photo


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "upload_id"), ({"upload_id": "abc"}, "upload_id"), ({"upload_id": 999_999}, "upload_id")],
)
def test_a_bad_or_unknown_upload_id_is_422(client, auth, user, payload, field):
    response = client.put(PHOTO, json=payload, headers=auth(user))

    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert field in error["fields"]


@pytest.mark.parametrize("method", ["put", "delete"])
def test_the_photo_needs_a_sign_in(client, method):
    response = getattr(client, method)(PHOTO, json={"upload_id": 1})

    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
