"""The citizens' pages: the installable report page (/citizen/, a PWA) and the tracking page (/t/<token>). Each
route sends one command of ``city.citizens.commands`` or reads ``city.citizens.status``; no account, the session's
CSRF token guards every post."""
