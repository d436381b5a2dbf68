"""Demo data: a simulated stream of reports run through the real lifecycle."""
