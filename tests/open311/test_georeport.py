"""Open311 GeoReport v2 conformance: every resource in XML and JSON, shaped like the specification's examples
(wiki.open311.org/GeoReport_v2), with its errors, date format, ids as strings and the status mapping."""

import json
import re
from datetime import timedelta
from xml.etree import ElementTree as ET
from zoneinfo import ZoneInfo

import pytest

from app.core.db import utcnow
from app.extensions import db
from app.reports.models import Report
from app.reports.workflow import Action
from tests.reports.helpers import advance, count, make_report

BASE = "/open311/v2"
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")
# Element order of the spec's examples.
SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
]  # fmt: skip
ATTRIBUTE_FIELDS = [
    "variable", "code", "datatype", "required", "datatype_description", "order", "description", "values",
]  # fmt: skip
FORMATS = ["xml", "json"]


def xml_of(response) -> ET.Element:
    assert response.headers["Content-Type"] == "text/xml; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    root = ET.fromstring(response.data)
    assert "}" not in root.tag  # no namespace
    return root


def json_of(response):
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.data)


def spec_errors(response, fmt: str) -> list[dict]:
    """The error array in either format, as [{code, description}]."""
    if fmt == "json":
        return json_of(response)
    root = xml_of(response)
    assert root.tag == "errors"
    return [{"code": int(e.findtext("code")), "description": e.findtext("description")} for e in root]


def assert_error(response, fmt: str, status: int):
    assert response.status_code == status
    errors = spec_errors(response, fmt)
    assert errors
    assert all(e["code"] == status and e["description"] for e in errors)


# --- discovery ---------------------------------------------------------------------------------------------


def test_discovery_xml(client):
    root = xml_of(client.get(f"{BASE}/discovery.xml"))

    assert root.tag == "discovery"
    assert [c.tag for c in root] == ["changeset", "contact", "key_service", "endpoints"]
    endpoint = root.find("endpoints/endpoint")
    assert [c.tag for c in endpoint] == ["specification", "url", "changeset", "type", "formats"]
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url").endswith("/open311/v2")
    assert endpoint.findtext("type") == "production"
    assert [f.text for f in endpoint.find("formats")] == ["text/xml", "application/json"]


def test_the_root_offers_discovery(client):
    assert xml_of(client.get(f"{BASE}/")).tag == "discovery"


def test_discovery_json(client):
    body = json_of(client.get(f"{BASE}/discovery.json"))

    assert list(body) == ["changeset", "contact", "key_service", "endpoints"]
    assert isinstance(body["endpoints"], list)
    assert body["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert W3C.match(body["changeset"])


# --- services ----------------------------------------------------------------------------------------------


def test_service_list_xml(client):
    root = xml_of(client.get(f"{BASE}/services.xml"))

    assert root.tag == "services"
    services = list(root)
    assert services
    assert all(s.tag == "service" and [c.tag for c in s] == SERVICE_FIELDS for s in services)
    garbage = next(s for s in services if s.findtext("service_code") == "env.garbage")
    assert garbage.findtext("metadata") == "true"
    assert garbage.findtext("type") == "realtime"
    assert garbage.findtext("group") == "市容环境"


def test_service_list_json_is_an_array(client):
    body = json_of(client.get(f"{BASE}/services.json"))

    assert isinstance(body, list)
    assert all(list(s) == SERVICE_FIELDS for s in body)
    assert all(isinstance(s["service_code"], str) and s["metadata"] is True for s in body)


def test_inactive_categories_are_not_services(client, world, auth):
    client.patch("/api/v1/report-categories/street.bikes", json={"active": False}, headers=auth(world.admin))

    codes = {s["service_code"] for s in json_of(client.get(f"{BASE}/services.json"))}

    assert "street.bikes" not in codes
    assert_error(client.get(f"{BASE}/services/street.bikes.json"), "json", 404)


def test_service_definition_xml(client, world):
    root = xml_of(client.get(f"{BASE}/services/env.garbage.xml"))

    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "env.garbage"
    attributes = root.find("attributes")
    assert [a.tag for a in attributes] == ["attribute", "attribute"]
    for attribute in attributes:
        assert [c.tag for c in attribute] == ATTRIBUTE_FIELDS
        assert attribute.findtext("variable") == "true"
        assert attribute.findtext("datatype") == "singlevaluelist"
        assert all([c.tag for c in v] == ["key", "name"] for v in attribute.find("values"))
    communities = [v.findtext("key") for v in attributes[1].find("values")]
    assert communities == [str(c.id) for c in (world.c1, world.c2, world.c3)]


def test_service_definition_json(client):
    body = json_of(client.get(f"{BASE}/services/env.garbage.json"))

    assert list(body) == ["service_code", "attributes"]
    assert [a["code"] for a in body["attributes"]] == ["TYPE", "COMMUNITY"]
    assert [a["order"] for a in body["attributes"]] == [1, 2]
    assert body["attributes"][0]["required"] is False
    assert {v["key"] for v in body["attributes"][0]["values"]} == {
        "consultation", "help", "complaint", "report", "suggestion",
    }  # fmt: skip


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("code", ["nope", "env", "env.nope"])
def test_unknown_service_is_404(client, fmt, code):
    assert_error(client.get(f"{BASE}/services/{code}.{fmt}"), fmt, 404)


# --- POST service request ---------------------------------------------------------------------------------


def spec_post(key: str, **overrides) -> dict:
    """The specification's example request, moved to Bao'an (inside 海裕第一网格)."""
    form = {
        "api_key": key,
        "jurisdiction_id": "baoan.gov.cn",
        "service_code": "env.garbage",
        "lat": "22.555",
        "long": "113.885",
        "address_string": "宝安区海裕社区1栋",
        "email": "smit333@sfgov.edu",
        "device_id": "tt222111",
        "account_id": "123456",
        "first_name": "john",
        "last_name": "smith",
        "phone": "111111111",
        "description": "A large sinkhole is destroying the street",
        "media_url": "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg",
        "attribute[TYPE]": "help",
    }
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def test_post_service_request_xml(client, world, api_key):
    response = client.post(f"{BASE}/requests.xml", data=spec_post(api_key))

    assert response.status_code == 200
    root = xml_of(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
    assert request.find("token") is None  # never both a token and an id
    report = db.session.get(Report, int(request.findtext("service_request_id")))
    assert (report.grid_id, report.channel, report.type) == (world.g1.id, "open311", "help")
    assert report.reporter_id is None
    assert report.contact["first_name"] == "john"
    assert report.contact["partner"] == "深圳12345平台"
    assert report.media_url.startswith("http://farm3")


def test_post_service_request_json(client, world, auth, api_key):
    response = client.post(f"{BASE}/requests.json", data=spec_post(api_key))

    body = json_of(response)
    assert isinstance(body, list)
    assert list(body[0]) == ["service_request_id", "service_notice", "account_id"]
    assert isinstance(body[0]["service_request_id"], str)
    assert body[0]["account_id"] is None
    # The staff who receive it can call the person back; the public never sees who it was.
    staff = client.get(f"/api/v1/reports/{body[0]['service_request_id']}", headers=auth(world.grid_worker))
    assert staff.get_json()["contact"]["phone"] == "111111111"


def test_address_only_requests_need_the_community(client, world, api_key):
    form = spec_post(api_key, lat=None, long=None, **{"attribute[COMMUNITY]": str(world.c2.id)})

    body = json_of(client.post(f"{BASE}/requests.json", data=form))

    report = db.session.get(Report, int(body[0]["service_request_id"]))
    assert (report.grid_id, report.community_id) == (None, world.c2.id)
    assert report.address == "宝安区海裕社区1栋"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    ("overrides", "status"),
    [
        ({"api_key": None}, 403),
        ({"api_key": "o311_not-a-key"}, 403),
        ({"service_code": None}, 400),
        ({"service_code": "nope"}, 404),
        ({"service_code": "env"}, 404),
        ({"jurisdiction_id": "sfgov.org"}, 404),
        ({"lat": None, "long": None, "address_string": None}, 400),
        ({"long": None}, 400),
        ({"lat": "north"}, 400),
        ({"lat": "95"}, 400),
        ({"description": "x" * 4001}, 400),
        ({"attribute[TYPE]": "rumour"}, 400),
        ({"attribute[COLOUR]": "red"}, 400),
        ({"attribute[COMMUNITY]": "999999"}, 400),
        ({"media_url": "javascript:alert(1)"}, 400),
        ({"lat": "22.70", "long": "114.20"}, 400),  # outside every grid, no community given
    ],
)
def test_post_errors_follow_the_spec_and_write_nothing(client, api_key, fmt, overrides, status):
    response = client.post(f"{BASE}/requests.{fmt}", data=spec_post(api_key, **overrides))

    assert_error(response, fmt, status)
    assert count() == 0


def test_a_revoked_key_is_refused(client, world, auth, api_key):
    key_id = client.get("/api/v1/open311/keys", headers=auth(world.admin)).get_json()["data"][0]["id"]
    client.delete(f"/api/v1/open311/keys/{key_id}", headers=auth(world.admin))

    assert_error(client.post(f"{BASE}/requests.json", data=spec_post(api_key)), "json", 403)


def test_multivalue_syntax_on_a_single_value_attribute_is_400(client, api_key):
    form = spec_post(api_key)
    form.pop("attribute[TYPE]")
    form["attribute[TYPE][]"] = ["help", "complaint"]

    assert_error(client.post(f"{BASE}/requests.json", data=form), "json", 400)


# --- GET service requests ----------------------------------------------------------------------------------


@pytest.fixture
def requests_made(world):
    opened = make_report(world.resident)
    closed = advance(make_report(world.resident, category="noise.living"), world.worker, Action.REJECT)
    private = make_report(world.resident, category="neighbour.dispute")
    old = make_report(world.resident, now=utcnow() - timedelta(days=120))
    return {"open": opened.id, "closed": closed.id, "private": private.id, "old": old.id}


def test_get_requests_xml(client, world, requests_made):
    root = xml_of(client.get(f"{BASE}/requests.xml"))

    assert root.tag == "service_requests"
    rows = {r.findtext("service_request_id"): r for r in root}
    assert set(rows) == {str(requests_made["open"]), str(requests_made["closed"])}
    for row in rows.values():
        assert [c.tag for c in row] == REQUEST_FIELDS
        for stamp in ("requested_datetime", "updated_datetime", "expected_datetime"):
            assert W3C.match(row.findtext(stamp)), row.findtext(stamp)
        assert row.findtext("requested_datetime").endswith("+08:00")
    assert rows[str(requests_made["open"])].findtext("status") == "open"
    assert rows[str(requests_made["closed"])].findtext("status") == "closed"
    assert rows[str(requests_made["open"])].findtext("agency_responsible") == world.g1.name
    text = client.get(f"{BASE}/requests.xml").get_data(as_text=True)
    assert world.resident.name not in text
    assert world.resident.phone not in text


def test_get_requests_json(client, requests_made):
    body = json_of(client.get(f"{BASE}/requests.json"))

    assert isinstance(body, list)
    assert all(list(r) == REQUEST_FIELDS for r in body)
    assert all(isinstance(r["service_request_id"], str) for r in body)
    assert all(isinstance(r["lat"], float) for r in body)
    assert {r["status"] for r in body} == {"open", "closed"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open"}, {"open"}),
        ({"status": "closed"}, {"closed"}),
        ({"status": "open,closed"}, {"open", "closed"}),
        ({"status": ""}, {"open", "closed"}),  # empty is the same as absent
        ({"service_code": "noise.living"}, {"closed"}),
        ({"service_code": "noise.living,env.garbage"}, {"open", "closed"}),
        ({"service_code": "lift.trapped"}, set()),
        ({"start_date": "{days_ago_130}", "end_date": "{days_ago_60}"}, {"old"}),
        ({"start_date": "{days_ago_1}"}, {"open", "closed"}),
        ({"end_date": "{days_ago_60}"}, {"old"}),
    ],
)
def test_get_requests_filters(client, requests_made, params, expected):
    now = utcnow()
    stamps = {f"days_ago_{d}": (now - timedelta(days=d)).strftime("%Y-%m-%dT%H:%M:%SZ") for d in (1, 60, 130)}
    query = {k: v.format(**stamps) for k, v in params.items()}

    body = json_of(client.get(f"{BASE}/requests.json", query_string=query))

    by_id = {str(v): k for k, v in requests_made.items()}
    assert {by_id[r["service_request_id"]] for r in body} == expected


def test_service_request_id_overrides_every_other_argument(client, requests_made):
    ids = f"{requests_made['open']},{requests_made['old']},{requests_made['private']}"

    body = json_of(
        client.get(f"{BASE}/requests.json", query_string={"service_request_id": ids, "status": "closed"})
    )

    assert [r["service_request_id"] for r in body] == [str(requests_made["open"]), str(requests_made["old"])]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},  # over 90 days
        {"start_date": "2026-06-01T00:00:00Z", "end_date": "2026-05-01T00:00:00Z"},
        {"start_date": "yesterday"},
        {"start_date": "2026-01-01T00:00:00"},  # no time zone
        {"status": "pending"},
        {"service_request_id": "1,two"},
    ],
)
def test_get_requests_bad_arguments_are_400(client, fmt, params):
    assert_error(client.get(f"{BASE}/requests.{fmt}", query_string=params), fmt, 400)


def test_closed_requests_carry_the_close_time(client, world, requests_made):
    closed = db.session.get(Report, requests_made["closed"])

    row = json_of(client.get(f"{BASE}/requests/{closed.id}.json"))[0]

    shanghai = ZoneInfo("Asia/Shanghai")
    assert row["updated_datetime"] == closed.closed_at.astimezone(shanghai).replace(microsecond=0).isoformat()
    assert row["status_notes"].startswith("未予受理")


@pytest.mark.parametrize("fmt", FORMATS)
def test_get_one_request(client, requests_made, fmt):
    response = client.get(f"{BASE}/requests/{requests_made['open']}.{fmt}")

    if fmt == "json":
        body = json_of(response)
        assert [r["service_request_id"] for r in body] == [str(requests_made["open"])]
    else:
        root = xml_of(response)
        assert [r.findtext("service_request_id") for r in root.findall("request")] == [
            str(requests_made["open"])
        ]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("which", ["private", "missing", "word"])
def test_get_one_request_404(client, requests_made, fmt, which):
    request_id = {"private": requests_made["private"], "missing": 999999, "word": "abc"}[which]

    assert_error(client.get(f"{BASE}/requests/{request_id}.{fmt}"), fmt, 404)


@pytest.mark.parametrize("fmt", FORMATS)
def test_tokens_are_never_issued(client, fmt):
    assert_error(client.get(f"{BASE}/tokens/12345.{fmt}"), fmt, 404)


@pytest.mark.parametrize(
    ("path", "fmt"), [("/nope.json", "json"), ("/services.html", "xml"), ("/x/y", "xml")]
)
def test_unknown_resources_are_404_in_the_spec_shape(client, path, fmt):
    assert_error(client.get(BASE + path), fmt, 404)


def test_a_wrong_method_is_405_with_allow(client):
    response = client.delete(f"{BASE}/requests.json")

    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    assert json_of(response)[0]["code"] == 405


def test_requests_listing_does_not_query_per_row(client, world, count_queries):
    for _ in range(15):
        make_report(world.resident)
    with count_queries() as statements:
        assert len(json_of(client.get(f"{BASE}/requests.json"))) == 15
    assert len(statements) <= 2
