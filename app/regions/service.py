"""Rules for regions, units and memberships. Functions here flush but never commit."""

import sqlalchemy as sa

from app.core.errors import BadRequestError
from app.extensions import db
from app.regions.models import CHILD_LEVEL, Level, Region


def _bbox(boundary: dict | None) -> dict:
    if not boundary:
        return {"min_lat": None, "max_lat": None, "min_lng": None, "max_lng": None}
    from shapely.geometry import shape

    min_lng, min_lat, max_lng, max_lat = shape(boundary).bounds
    return {"min_lat": min_lat, "max_lat": max_lat, "min_lng": min_lng, "max_lng": max_lng}


def create_region(*, name: str, level: Level, parent: Region | None = None, boundary: dict | None = None) -> Region:
    if parent is None and level != Level.DISTRICT:
        raise BadRequestError("Only a district may have no parent.")
    if parent is not None and CHILD_LEVEL.get(parent.level) != level:
        raise BadRequestError(f"A {parent.level} cannot contain a {level}.")
    region = Region(name=name, level=level, parent=parent, boundary=boundary, **_bbox(boundary))
    db.session.add(region)
    db.session.flush()
    region.path = f"{parent.path if parent else '/'}{region.id}/"
    db.session.flush()
    return region


def subtree(region: Region) -> sa.Select:
    return sa.select(Region).where(Region.path.startswith(region.path))
