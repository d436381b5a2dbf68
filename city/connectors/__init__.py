"""Other systems: the 12345 hotline and similar (work orders in, status pushed back) and the upper-level platform."""
