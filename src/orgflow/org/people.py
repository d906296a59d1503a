"""People a definition names by display name (姓名), found in the org chart when it is deployed.

A process owner filling in the node table writes ``研发部/张三``, not the user
id ``zhang_san``. At deploy, a person that is not a user id but the display
name of exactly one active user (of the named department or one below it,
when the cell names a department) is that user; two people of that name, or
none, is a deploy error that :func:`orgflow.org.references.check_references`
names (in a table, by row and column).

The name is resolved once, at deploy, and the user id is written into the
text that is stored (``研发部/张三（zhang_san）``, by the format's writer in
:data:`orgflow.model.loaders.USER_ID_WRITERS`), because a stored version is
parsed again from its text alone, with no org chart at hand: stored text is
what runs. Resolving the name again at every assignment would instead let the
org chart change what a deployed version means: a second 张三 joining would
stop every instance at that step as ambiguous, a corrected display name would
make the person unknown, and a newcomer taking a leaver's name would silently
get the leaver's work. Fixed at deploy, the step behaves like one written with
the user id (a person who leaves is handled as any inactive user), and the
process owner sees who was meant in the stored table and in an export;
deploying the table again looks the name up in the org chart of that day.
"""

from __future__ import annotations

import re
import unicodedata

from orgflow.model.assignment_rules import UserRule
from orgflow.model.definition import ProcessDefinition
from orgflow.model.loaded import LoadedDefinition
from orgflow.model.loaders import USER_ID_WRITERS, load_source
from orgflow.model.nodes import UserTask
from orgflow.org.model import OrgSnapshot


def users_named(org: OrgSnapshot, name: str, department: str | None = None) -> tuple[str, ...]:
    """Ids of the active users whose display name is ``name`` (blanks and full-width forms aside).

    With ``department`` (an id or a name), only its members and those of the
    departments below it; none when the org has no such department.
    """
    wanted = _name_key(name)
    within: set[str] | None = None
    if department is not None:
        found = org.department(department)
        if found is None:
            return ()
        within = {
            other.id
            for other in org.departments.values()
            if any(above.id == found.id for above in org.ancestors(other.id))
        }
    return tuple(
        user.id
        for user in org.users.values()
        if user.active
        and _name_key(user.name) == wanted
        and (within is None or not within.isdisjoint(user.departments))
    )


def people_by_name(definition: ProcessDefinition, org: OrgSnapshot) -> dict[str, str]:
    """Node id → user id for each task naming, instead of a user id, the one active user of that name."""
    found: dict[str, str] = {}
    for node in definition.nodes.values():
        if not isinstance(node, UserTask):
            continue
        rule = node.assignee
        if isinstance(rule, UserRule) and org.user(rule.user) is None:
            named = users_named(org, rule.user, node.department)
            if len(named) == 1:
                found[node.id] = named[0]
    return found


def resolve_people(
    text: str, *, source_format: str, source: str, org: OrgSnapshot
) -> tuple[str, LoadedDefinition]:
    """Load a definition's text and write into it who the people it names by display name are.

    Returns:
        The text to store and the definition it reads as (``text`` itself when
        nobody was named by display name, or the format names people by user id only).

    Raises:
        ConfigurationError: The format is not one OrgFlow reads.
        DefinitionError: The definition has errors.
    """
    loaded = load_source(text, source_format=source_format, source=source)
    writer = USER_ID_WRITERS.get(source_format)
    named = people_by_name(loaded.definition, org) if writer is not None else {}
    if writer is None or not named:
        return text, loaded
    resolved = writer(text, named)
    return resolved, load_source(resolved, source_format=source_format, source=source)


def _name_key(name: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
