"""Open311 GeoReport v2 at /open311/v2/ (XML and JSON), and the API keys partner systems post with."""
