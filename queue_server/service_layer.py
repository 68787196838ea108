"""Moved to `queue_server.service` (named commands, their rules and handlers).

Kept so that modules written against the old path keep importing; new code
imports from `queue_server.service`.
"""
from .service import OfficeService, ReplayRefused

__all__ = ["OfficeService", "ReplayRefused"]
