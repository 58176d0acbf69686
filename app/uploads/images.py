"""Turning an uploaded file into a clean image: Pillow decides what it is, whatever its name claims."""

import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

# What phones and browsers send; MPO is the multi-picture JPEG many phone cameras write.
ACCEPTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "GIF"})
# 50 megapixels is beyond any phone camera; past it a small file is most likely a decompression bomb.
MAX_PIXELS = 50_000_000
MAX_EDGE = 2048
THUMB_EDGE = 320
QUALITY = 85


class InvalidImageError(ValueError):
    pass


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    thumb: bytes
    width: int
    height: int
    content_type: str = "image/jpeg"


def _open(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; here a warning is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise InvalidImageError(f"{image.format} images are not accepted; send a JPEG, PNG or WebP.")
            width, height = image.size
            if width < 1 or height < 1 or width * height > MAX_PIXELS:
                raise InvalidImageError("The image is too large in pixels.")
            image.load()
        except InvalidImageError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise InvalidImageError("The image is too large in pixels.") from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise InvalidImageError("The file is not an image we can read.") from exc
    return image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB on white: JPEG has no transparency, and a transparent photo is almost always a screenshot."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def clean_image(data: bytes) -> CleanImage:
    """Decode, apply the EXIF orientation, cap the size, and re-encode as a fresh JPEG: EXIF (GPS included),
    XMP, ICC and comments do not survive, because only pixels are copied into the new image."""
    image = _open(data)
    try:
        image = ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError) as exc:  # a corrupt orientation tag
        raise InvalidImageError("The file is not an image we can read.") from exc
    image = _flatten(image)
    image.thumbnail((MAX_EDGE, MAX_EDGE), Image.Resampling.LANCZOS)
    pixels = Image.new("RGB", image.size)
    pixels.paste(image)
    thumb = pixels.copy()
    thumb.thumbnail((THUMB_EDGE, THUMB_EDGE), Image.Resampling.LANCZOS)
    return CleanImage(data=_jpeg(pixels), thumb=_jpeg(thumb), width=pixels.width, height=pixels.height)
