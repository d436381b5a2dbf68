"""Cut-over from a legacy system (docs/city.md): open cases imported into the live lifecycle."""
