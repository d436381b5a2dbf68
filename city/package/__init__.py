"""The city package (docs/city.md): loading a whole city folder in one unit of work, exporting it, its profile."""
