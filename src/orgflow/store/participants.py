"""Who has a part in an instance beyond its initiator: work-item holders and copied users.

Used to decide who may read an instance (``runtime.permissions``). One query:
a work item of the instance that is or was the user's (assigned, claimed or
completed by them), an open unclaimed one of a group they belong to, or a copy
to them.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Connection, and_, exists, or_, select

from orgflow.store.tables import OPEN_LITERAL, copies, work_items


def takes_part(connection: Connection, instance_id: str, user: str, groups: Collection[str]) -> bool:
    """Whether ``user`` has or had a work item on the instance, or it was copied to them."""
    theirs = or_(work_items.c.assignee == user, work_items.c.actor == user)
    if groups:
        shared = and_(
            work_items.c.status == OPEN_LITERAL,
            work_items.c.assignee.is_(None),
            work_items.c.candidate_group.in_(sorted(groups)),
        )
        theirs = or_(theirs, shared)
    has_item = exists().where(work_items.c.instance_id == instance_id, theirs)
    copied = exists().where(copies.c.instance_id == instance_id, copies.c.user_id == user)
    return bool(connection.execute(select(or_(has_item, copied))).scalar())
