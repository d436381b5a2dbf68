"""Construction-waste transport supervision (渣土运输监管): registries, GPS ingest, geofence rules and alerts."""
