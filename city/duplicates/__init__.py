"""Duplicates at 立案 (docs/city.md): voiding a report as a duplicate of an open case."""
