"""Shared test settings: project root on sys.path is provided by the editable install."""
