"""gridcase's own connectors: service tasks the engine runs itself, by the scheduler process, as ordinary jobs.

A service task with the extension property ``connector`` names one of the connectors in ``registry.CONNECTORS``
instead of a topic. Its job is an ordinary job (retries, back-off, incidents, the audit log) on the connector's
reserved ``gridcase:…`` topic, which external workers cannot fetch; the scheduler's connector loop
(``engine.scheduling.connectors``) fetches, calls and reports through the same commands a worker sends. A connector
is one module: its model properties are checked at deploy (``check``), its call prepared when the case reaches the
task (``prepare``, inside the step, so scripts run in the sandbox and replay sees the same call) and made outside
any transaction (``call``).
"""
