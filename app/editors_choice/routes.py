"""Admin API for the editors' choice section of the front page."""

from litestar import Controller, get, put
from litestar.params import JSONBody

from app.auth import Role, require_token
from app.db import Db
from app.editors_choice.queries import replace_choices, select_choices
from app.editors_choice.schemas import Choice, Choices
from app.errors import ProblemError, problems
from app.openapi import ADMIN


class EditorsChoiceController(Controller):
    path = "/admin/v1/editors-choice"
    tags = ["editors' choice"]
    guards = [require_token]
    security = ADMIN

    @get("/", summary="Get the editors' choice", responses=problems(401))
    async def get_editors_choice(self, db: Db) -> list[Choice]:
        """The curated list, in order; drafts may be picked ahead and show once public."""
        return await select_choices(db)

    @put(
        "/",
        summary="Set the editors' choice",
        opt={"role": Role.editor},
        responses=problems(400, 401, 403, 413, 422),
    )
    async def set_editors_choice(self, db: Db, data: JSONBody[Choices]) -> list[Choice]:
        """Replace the list; each pick may be boxed in time with starts_at and ends_at. The
        front page's "editors-choice" section shows the picks that are public and in their
        window, in this order."""
        seen = set()
        for index, choice in enumerate(data):
            if choice.interview_id in seen:
                raise ProblemError(
                    422, "an interview is picked once", field=f"[{index}].interview_id"
                )
            seen.add(choice.interview_id)
            if choice.starts_at and choice.ends_at and choice.starts_at >= choice.ends_at:
                raise ProblemError(
                    422, "ends_at must be after starts_at", field=f"[{index}].ends_at"
                )
        async with db.transaction():
            await replace_choices(db, data)
        return await select_choices(db)
