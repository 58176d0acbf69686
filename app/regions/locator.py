"""Which grid contains a point (a grid whose polygon covers it; on a shared border the lowest id wins),
answered from an in-process STRtree of grid polygons: GET /regions/locate and the routing of reports.

The index is rebuilt when this process changes a region (at the flush and again at the commit), and at
least every REFRESH_SECONDS, so other processes' region edits are picked up too. Nothing in it is
authoritative; it is rebuilt from the database.
"""

import threading
import time
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from shapely import STRtree
from shapely.geometry import Point, shape
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db
from app.regions.models import Level, Region

REFRESH_SECONDS = 60.0

_generation = 0
_lock = threading.Lock()


@dataclass(frozen=True)
class GridIndex:
    tree: STRtree
    grid_ids: list[int]
    community_ids: list[int | None]
    generation: int
    built_at: float

    def locate(self, lat: float, lng: float) -> tuple[int, int | None] | None:
        """(grid id, community id) of the grid covering the point, or None outside every grid."""
        hits = self.tree.query(Point(lng, lat), predicate="covered_by")
        if len(hits) == 0:
            return None
        best = min(hits, key=lambda i: self.grid_ids[i])
        return self.grid_ids[best], self.community_ids[best]


def _build() -> GridIndex:
    rows = db.session.execute(
        sa.select(Region.id, Region.parent_id, Region.boundary)
        .where(Region.level == Level.GRID, Region.boundary.is_not(None))
        .order_by(Region.id)
    ).all()
    geometries = [shape(row.boundary) for row in rows]
    return GridIndex(
        tree=STRtree(geometries),
        grid_ids=[row.id for row in rows],
        community_ids=[row.parent_id for row in rows],
        generation=_generation,
        built_at=time.monotonic(),
    )


def grid_index() -> GridIndex:
    extensions = current_app.extensions
    index: GridIndex | None = extensions.get("grid_index")
    if (
        index is None
        or index.generation != _generation
        or time.monotonic() - index.built_at > REFRESH_SECONDS
    ):
        with _lock:
            index = extensions.get("grid_index")
            if (
                index is None
                or index.generation != _generation
                or time.monotonic() - index.built_at > REFRESH_SECONDS
            ):
                index = extensions["grid_index"] = _build()
    return index


def locate_grid(lat: float, lng: float) -> tuple[int, int | None] | None:
    return grid_index().locate(lat, lng)


def invalidate() -> None:
    global _generation
    _generation += 1


@event.listens_for(Session, "after_flush")
def _regions_changed(session: Session, _context) -> None:
    # Rebuilt now, so this transaction routes by its own new grids (seeding regions and reports together),
    # and again once it commits or rolls back, so no one keeps an index built from a state in between.
    if any(isinstance(obj, Region) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info["regions_changed"] = True
        invalidate()


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _rebuild_after_the_transaction(session: Session) -> None:
    if session.info.pop("regions_changed", False):
        invalidate()
