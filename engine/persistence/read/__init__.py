"""Read models: named query functions per context, returning plain rows, dicts or dataclasses.

Everything outside ``engine.persistence`` that reads the database calls these (or a service built on them), never
SQL: pages, the API, the CLI, benches, the demo and the scheduler. Each function takes the transaction's
``CaseStore`` (a read-only unit of work's ``uow.store``) and plain parameters, and writes nothing.
"""
