"""The upper-level platform exchange (上级平台): incremental export of cases, import of assigned cases."""
