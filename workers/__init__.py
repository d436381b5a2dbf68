"""External-task workers: clients of gridcase's job API that talk HTTP only (never the database or the engine)."""
