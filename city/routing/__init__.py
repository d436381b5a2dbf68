"""Routing as cities route (docs/city.md): streets, the component (部件) registry and owners."""
