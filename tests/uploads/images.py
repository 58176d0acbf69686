"""Test images with the metadata a phone camera writes (orientation, maker, GPS position), and one uploaded
over HTTP as the app's screens upload it."""

import io

from PIL import ExifTags, Image

GPS = {
    ExifTags.GPS.GPSLatitudeRef: "N",
    ExifTags.GPS.GPSLatitude: (22.0, 33.0, 1.5),
    ExifTags.GPS.GPSLongitudeRef: "E",
    ExifTags.GPS.GPSLongitude: (113.0, 53.0, 2.0),
}


def phone_jpeg(width: int = 64, height: int = 32, orientation: int = 6) -> bytes:
    """A JPEG whose EXIF says: rotate me (orientation 6 = 90° clockwise), made by a phone, taken here."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    # A marker in the top-left corner, to check the orientation was applied.
    image.paste((0, 0, 255), (0, 0, 8, 8))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "TestPhone"
    exif[ExifTags.IFD.GPSInfo] = GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"taken at home")
    return out.getvalue()


def png(mode: str = "RGBA", size=(40, 40)) -> bytes:
    image = Image.new(mode, size, (0, 128, 0, 0) if mode == "RGBA" else 0)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def encoded(fmt: str, size=(20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(out, fmt)
    return out.getvalue()


def bomb() -> bytes:
    """100 megapixels of one colour: a few kilobytes on the wire, hundreds of megabytes once decoded."""
    out = io.BytesIO()
    Image.new("1", (10_000, 10_000), 0).save(out, "PNG", optimize=True)
    return out.getvalue()


def upload(client, headers) -> int:
    """POST /api/v1/uploads with a phone photo, as multipart; the new upload's id."""
    response = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(phone_jpeg()), "p.jpg", "image/jpeg")},
        headers=headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]
