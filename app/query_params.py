"""Public routes refuse query parameters they do not take.

Litestar ignores a parameter no handler reads. In front of the response cache that made
`?x=1`, `?x=2`, ... each a new key: a new rendering and a new entry for one and the same page.
So a public route answers 400, naming the parameter, before its handler runs. The names it takes
are those Litestar binds from the handler's own signature, so the rule cannot drift from the
routes.
"""

from typing import Any

from litestar import Request
from litestar.handlers import HTTPRouteHandler

from app.errors import ProblemError


class UnknownQueryParameters:
    """A before-request hook for the routes under `prefixes`."""

    def __init__(self, prefixes: tuple[str, ...]) -> None:
        self.prefixes = prefixes
        self.taken: dict[HTTPRouteHandler, frozenset[str]] = {}  # filled as routes are asked for

    def __call__(self, request: Request[Any, Any, Any]) -> None:
        if not request.scope["path"].startswith(self.prefixes):
            return
        taken = self._taken(request)
        for name in request.query_params:
            if name not in taken:
                names = ", ".join(sorted(taken)) or "none"
                detail = f"unknown query parameter {name!r}; this route takes: {names}"
                raise ProblemError(400, detail, field=name)

    def _taken(self, request: Request[Any, Any, Any]) -> frozenset[str]:
        handler = request.route_handler
        if handler not in self.taken:
            model = handler.create_kwargs_model(path_parameters=request.path_params)
            self.taken[handler] = frozenset(p.field_alias for p in model.expected_query_params)
        return self.taken[handler]
