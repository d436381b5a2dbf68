"""The admin pages' commands (docs/city.md): departments, catalogue, channels, routing."""
