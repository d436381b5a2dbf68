"""gridcase engine: SpiffWorkflow runtime, persistence, commands and timers (no Flask)."""
