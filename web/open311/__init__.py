"""Open311 GeoReport v2 on the web (docs/open311.md): the spec's endpoints at /open311/v2 (``routes``), their JSON
and XML (``formats``), errors always in the spec's format (``errors``), the admins' api keys (``keys_api``,
``admin``)."""
