"""Admin API for people."""

from typing import Annotated, Any
from uuid import UUID

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from app.auth import Role, actor_of, require_token
from app.clock import Now
from app.db import Db
from app.errors import EDIT, ProblemError, not_found, problems
from app.etags import check_version, tagged, tagged_found
from app.openapi import ADMIN, ConditionalWrite, Created, Versioned
from app.pagination import Limit, decode_cursor, split_page
from app.people.queries import (
    insert_person,
    person_takes_part,
    select_people_page,
    select_person,
    select_person_for_update,
    update_person,
)
from app.people.schemas import Person, PersonCreate, PersonList, PersonUpdate
from app.schemas import given
from app.slugs import unique_slug
from app.trash.queries import trash_row
from app.trash.schemas import Kind

Search = Annotated[str | None, QueryParameter(max_length=200)]


class PeopleController(Controller):
    path = "/admin/v1/people"
    tags = ["people"]
    guards = [require_token]
    security = ADMIN

    @get("/", summary="List people", responses=problems(400, 401))
    async def list_people(
        self, db: Db, q: Search = None, cursor: FromQuery[str | None] = None, limit: Limit = 50
    ) -> PersonList:
        """List people by name; `q` finds names containing it."""
        after = decode_cursor(cursor, str, UUID) if cursor else None
        rows = await select_people_page(db, q, after, limit + 1)
        items, next_cursor = split_page(rows, limit, lambda p: (p.name, p.id))
        return PersonList(items=items, next_cursor=next_cursor)

    @post(
        "/",
        summary="Add a person",
        opt={"role": Role.editor},
        responses=problems(400, 401, 403, 409, 413, 422),
        operation_class=Created,
    )
    async def create_person(
        self, db: Db, now: Now, data: JSONBody[PersonCreate]
    ) -> Response[Person]:
        """Add a person; the slug is made from the name when not given."""
        slug = data.slug or await unique_slug(db, "people", data.name)
        return tagged(await insert_person(db, data, slug, now), 201)

    @get(
        "/{person_id:uuid}",
        summary="Get a person",
        responses=problems(401, 404),
        operation_class=Versioned,
    )
    async def get_person(self, db: Db, person_id: FromPath[UUID]) -> Response[Person]:
        """One person."""
        return tagged_found(await select_person(db, person_id), "person")

    @patch(
        "/{person_id:uuid}",
        summary="Update a person",
        opt={"role": Role.editor},
        responses=problems(*EDIT),
        operation_class=ConditionalWrite,
    )
    async def update_person(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        now: Now,
        person_id: FromPath[UUID],
        data: JSONBody[PersonUpdate],
    ) -> Response[Person]:
        """Change some fields of a person; send If-Match with its ETag to avoid lost updates."""
        async with db.transaction():
            version = await select_person_for_update(db, person_id)
            if version is None:
                raise not_found("person")
            check_version(request, version)
            if not given(data):  # nothing to change: no new version either
                return tagged_found(await select_person(db, person_id), "person")
            person = await update_person(db, person_id, data, now)
        return tagged(person)

    @delete(
        "/{person_id:uuid}",
        summary="Delete a person",
        opt={"role": Role.editor},
        responses=problems(401, 403, 404, 409, 412),
        operation_class=ConditionalWrite,
    )
    async def delete_person(
        self, request: Request[Any, Any, Any], db: Db, now: Now, person_id: FromPath[UUID]
    ) -> None:
        """Move a person who takes part in no interview outside the trash to the trash (409
        otherwise); honours If-Match."""
        async with db.transaction():
            version = await select_person_for_update(db, person_id)
            if version is None:
                raise not_found("person")
            check_version(request, version)
            if await person_takes_part(db, person_id):
                raise ProblemError(409, "the person takes part in interviews", field="id")
            await trash_row(db, Kind.people, person_id, now, actor_of(request).token_id)
