"""The service layer: runs named commands against the office, one at a time.

`OfficeService.handle(command, actor)` checks who may run the command (by
its name, `authz.RULES`), runs its handler (`handlers.HANDLERS`) under the
writer's lock, journals the events durably, applies them and puts them in the
outbox. Routes, the web pages, the scheduler and the command line all come
through here.
"""
from .office_service import OfficeService, ReplayRefused

__all__ = ["OfficeService", "ReplayRefused"]
