"""CSV exports: streamed, UTF-8 with a BOM, every timestamp in local time, the caller's scope; open data
carries no personal data."""

import csv
import io

import pytest

from app.dashboard import exports
from app.extensions import db
from app.reports.models import Report

OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


def read_csv(response) -> list[dict]:
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_staff_export_streams_bom_header_and_rows(client, world, auth, scenario):
    response = client.get(
        "/api/v1/exports/reports.csv",
        query_string={"region_id": world.c1.id, **OCTOBER},
        headers=auth(world.worker),
    )

    assert response.status_code == 200
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = read_csv(response)
    r = scenario.reports
    # Every October report of c1, the rejected one included (an export is the record, not a rate).
    assert [int(row["id"]) for row in rows] == sorted(r[n].id for n in (1, 2, 3, 4, 5, 9))
    first = rows[0]
    # T0 is 02:00 UTC = 10:00 local; signed an hour later; the resident's verdict on the current round.
    assert first["created_at"] == "2026-10-10 10:00:00"
    assert first["accepted_at"] == "2026-10-10 11:00:00"
    assert first["contacted_at"] == "2026-10-10 13:00:00"
    assert first["resolved_at"] == "2026-10-12 10:00:00"
    assert first["closed_at"] == first["rated_at"] == "2026-10-13 10:00:00"
    assert first["dispatch_due"] == "2026-10-10 12:00:00"
    assert (first["rated_resolved"], first["satisfaction"]) == ("1", "5")
    assert first["category_code"] == "noise.living"
    assert first["community"] == "海裕社区"
    assert first["grid"] == "海裕第一网格"
    assert first["description"] == "楼上每天半夜很吵"
    last_of_month = next(row for row in rows if int(row["id"]) == r[5].id)
    assert last_of_month["created_at"] == "2026-10-31 23:59:00"
    assert set(exports.TIMESTAMPS) <= set(first)


def test_staff_export_keeps_to_the_callers_scope(client, world, auth, scenario):
    street = read_csv(
        client.get("/api/v1/exports/reports.csv", query_string=OCTOBER, headers=auth(world.street_staff))
    )
    mine = read_csv(
        client.get("/api/v1/exports/reports.csv", query_string=OCTOBER, headers=auth(world.worker2))
    )
    other = client.get(
        "/api/v1/exports/reports.csv",
        query_string={"region_id": world.c1.id, **OCTOBER},
        headers=auth(world.worker2),
    )

    assert len(street) == 7  # c1's six and c2's R10
    assert [int(row["id"]) for row in mine] == [scenario.reports[10].id]
    assert other.status_code == 404
    assert other.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("user", ["resident", None])
def test_residents_and_anonymous_callers_get_no_staff_export(client, world, auth, categories, user):
    headers = auth(getattr(world, user)) if user else {}

    response = client.get("/api/v1/exports/reports.csv", headers=headers)

    assert response.status_code == (404 if user else 401)


def test_staff_export_streams_in_chunks(client, world, auth, scenario, monkeypatch):
    monkeypatch.setattr(exports, "FLUSH_EVERY", 2)
    response = client.get(
        "/api/v1/exports/reports.csv",
        query_string={"region_id": world.c1.id, **OCTOBER},
        headers=auth(world.worker),
    )

    chunks = list(response.response)
    assert len(chunks) == 4  # BOM + header + rows 1–2, rows 3–4, rows 5–6, the empty tail
    assert b"".join(chunks).count(b"\n") == 7


def test_open_data_has_no_personal_data(client, world, scenario):
    report = scenario.reports[1]
    row = db.session.get(Report, report.id)
    row.address, row.lat, row.lng = "海裕小区3栋502", 22.55561, 113.88449
    db.session.commit()

    response = client.get("/api/v1/exports/open-data.csv", query_string=OCTOBER)

    assert response.status_code == 200
    rows = read_csv(response)
    assert {int(row["id"]) for row in rows} >= {report.id, scenario.reports[10].id}
    header = set(rows[0])
    assert not header & {"description", "address", "reporter", "reporter_id", "phone", "contact", "photo_ids",
                         "anonymous", "assignee"}  # fmt: skip
    text = response.get_data().decode("utf-8-sig")
    for private in ("楼上每天半夜很吵", "海裕小区3栋502", world.resident.name, world.resident.phone):
        assert private not in text
    row = next(row for row in rows if int(row["id"]) == report.id)
    assert (float(row["lat"]), float(row["lng"])) == (22.556, 113.884)  # about 100 m, not the doorway
    assert row["created_at"] == "2026-10-10 10:00:00"


def test_open_data_leaves_out_private_reports(client, world, scenario):
    hidden = scenario.reports[2]
    db.session.get(Report, hidden.id).public = False
    db.session.commit()

    rows = read_csv(client.get("/api/v1/exports/open-data.csv", query_string=OCTOBER))

    assert hidden.id not in {int(row["id"]) for row in rows}


def test_open_data_of_a_region(client, world, scenario):
    rows = read_csv(
        client.get("/api/v1/exports/open-data.csv", query_string={"region_id": world.c2.id, **OCTOBER})
    )

    assert [int(row["id"]) for row in rows] == [scenario.reports[10].id]
    assert client.get("/api/v1/exports/open-data.csv", query_string={"region_id": 999999}).status_code == 404
