"""Open311 GeoReport v2: the city's catalogue as services, reports from Open311 apps, their api keys."""
