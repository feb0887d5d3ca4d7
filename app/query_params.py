"""Every route refuses query parameters it does not take, and takes lists in either form.

Litestar ignores a parameter no handler reads, so a typo (`?seires=...`, `?page=2`) answered
200 with unfiltered data, and in front of the response cache `?x=1`, `?x=2`, ... each made a
new rendering and a new entry for one and the same page. So a route answers 400, naming the
parameter, before its handler runs. The names it takes are those Litestar binds from the
handler's own signature, so the rule cannot drift from the routes.

A list-valued parameter comes repeated (`?sections=latest&sections=popular`, what Litestar
reads) or comma-separated (`?sections=latest,popular`, what people write); the second is made
the first here.
"""

from typing import Any

from litestar import Request
from litestar.handlers import HTTPRouteHandler

from app.errors import ProblemError


class Taken:
    """The query parameters one route handler takes, and which of them are lists."""

    __slots__ = ("lists", "names")

    def __init__(self, handler: HTTPRouteHandler, path_params: dict[str, Any]) -> None:
        model = handler.create_kwargs_model(path_parameters=path_params)
        self.names = frozenset(p.field_alias for p in model.expected_query_params)
        self.lists = frozenset(model.sequence_query_parameter_names)


class StrictQueries:
    """A before-request hook for every route."""

    def __init__(self) -> None:
        self.taken: dict[HTTPRouteHandler, Taken] = {}  # filled as routes are asked for

    # async, though it never waits: Litestar hands a synchronous hook to a worker thread, a
    # thread hop on every request.
    async def __call__(self, request: Request[Any, Any, Any]) -> None:
        if not request.scope["query_string"]:
            return
        taken = self._taken(request)
        pairs = list(request.query_params.multi_items())
        for name, _ in pairs:
            if name not in taken.names:
                names = ", ".join(sorted(taken.names)) or "none"
                detail = f"unknown query parameter {name!r}; this route takes: {names}"
                raise ProblemError(400, detail, field=name)
        if any(name in taken.lists and "," in value for name, value in pairs):
            # Litestar 2 binds parameters from the request's parsed query, which this replaces.
            request._parsed_query = tuple(
                (name, part)
                for name, value in pairs
                for part in (value.split(",") if name in taken.lists else (value,))
            )

    def _taken(self, request: Request[Any, Any, Any]) -> Taken:
        handler = request.route_handler
        if handler not in self.taken:
            self.taken[handler] = Taken(handler, request.path_params)
        return self.taken[handler]
