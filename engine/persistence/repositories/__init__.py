"""Repositories: the write side, one module per aggregate, on the unit of work's transaction.

Handlers reach them through the unit of work (``uow.store``, ``uow.accounts``, ``uow.city`` …) or as
functions taking its store; nothing outside ``engine/persistence`` runs SQL (docs/architecture.md).
"""
