"""The upper-level exchange's web parts: its API (``web.exchange.api``) and admin page (``web.exchange.admin``)."""
