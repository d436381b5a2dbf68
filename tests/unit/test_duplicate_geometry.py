"""The duplicates' geometry: the haversine distance, and a bounding box that holds every point within the radius
(the database's prefilter must never drop a true candidate)."""

from __future__ import annotations

import math

import pytest

from city.duplicates.candidates import bounding_box, distance_m


def test_a_degree_of_latitude_is_about_111_km() -> None:
    assert distance_m(117.65, 24.0, 117.65, 25.0) == pytest.approx(111_195, rel=1e-3)
    assert distance_m(117.65, 24.51, 117.65, 24.51) == 0.0


def test_a_degree_of_longitude_shrinks_with_the_cosine_of_the_latitude() -> None:
    at_zhangzhou = distance_m(117.0, 24.51, 118.0, 24.51)
    assert at_zhangzhou == pytest.approx(111_195 * math.cos(math.radians(24.51)), rel=2e-3)


@pytest.mark.parametrize("lat", [0.0, 24.51, 45.0, 60.0, -33.9])
@pytest.mark.parametrize("radius", [1, 100, 5000])
def test_the_box_holds_every_point_of_the_circle(lat: float, radius: int) -> None:
    lon = 117.65
    min_lat, max_lat, ranges = bounding_box(lon, lat, radius)
    (min_lon, max_lon), = ranges  # one range of longitudes away from the antimeridian
    for step in range(36):  # points on the circle, every 10 degrees of bearing
        bearing = math.radians(step * 10)
        north, east = radius * math.cos(bearing), radius * math.sin(bearing)
        p_lat = lat + math.degrees(north / 6_371_008.8)
        p_lon = lon + math.degrees(east / (6_371_008.8 * math.cos(math.radians(lat))))
        assert distance_m(lon, lat, p_lon, p_lat) == pytest.approx(radius, rel=1e-2)
        assert min_lon <= p_lon <= max_lon and min_lat <= p_lat <= max_lat, (step, p_lon, p_lat)
    assert distance_m(lon, lat, max_lon, lat) < radius * 1.05  # and not much wider


@pytest.mark.parametrize("lon", [179.9995, -179.9995])
def test_the_box_wraps_at_the_antimeridian(lon: float) -> None:
    min_lat, max_lat, ranges = bounding_box(lon, -17.8, 200)  # Fiji
    assert len(ranges) == 2 and all(-180 <= low <= high <= 180 for low, high in ranges)
    across = -lon + (0.0005 if lon > 0 else -0.0005)  # 100 m or so east (west) across the line
    assert distance_m(lon, -17.8, across, -17.8) < 200
    assert any(low <= across <= high for low, high in ranges) and min_lat < -17.8 < max_lat
