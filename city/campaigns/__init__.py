"""Census campaigns (专项普查): collectors sweep every grid of an area for given topics; findings become cases."""
