"""The executable schema: the SDL files of this package, built by graphql-core, with resolvers attached."""

from functools import cache
from pathlib import Path

from graphql import GraphQLSchema, build_schema

from . import budgets, listing, projects, scalars

SDL_FILES = ("projects.graphql", "budgets.graphql")

QUERIES = {
    "projectManagementProject": projects.resolve_project,
    "projectManagementProjects": listing.resolve_projects,
    "businessPlanningBudget": budgets.resolve_budget,
}

MUTATIONS = {
    "projectManagementCreateProject": projects.resolve_create,
    "projectManagementUpdateProject": projects.resolve_update,
    # Every per-field update takes {id, <field>}: the general update applies exactly the fields given.
    **{
        f"projectManagementUpdate{field}": projects.resolve_update
        for field in (
            "Name",
            "Status",
            "Description",
            "DueDate",
            "StartDate",
            "Customer",
            "CompletionRate",
            "EmailAddress",
            "Addresses",
        )
    },
    "projectManagementDeleteProject": projects.resolve_delete,
    "businessPlanningCreateBudget": budgets.resolve_create,
    "businessPlanningUpdateBudget": budgets.resolve_update,
    "businessPlanningDeleteBudgets": budgets.resolve_delete,
}

PROJECT_UNIONS = (
    "ProjectManagement_CreateProjectResult",
    "ProjectManagement_UpdateProjectResult",
    "ProjectManagement_DeleteProjectResult",
)


def sdl() -> str:
    folder = Path(__file__).parent
    return "\n".join((folder / name).read_text() for name in SDL_FILES)


def _attach(schema: GraphQLSchema) -> None:
    for name, resolver in QUERIES.items():
        schema.query_type.fields[name].resolve = resolver
    for name, resolver in MUTATIONS.items():
        schema.mutation_type.fields[name].resolve = resolver
    for name in PROJECT_UNIONS:  # single-member unions: every result is a project
        schema.type_map[name].resolve_type = lambda _value, _info, _union: "ProjectManagement_Project"
    schema.type_map["BusinessPlanning_Budget"].fields[
        "budgetDetailsPaginated"
    ].resolve = budgets.resolve_details_paginated


@cache
def get_schema() -> GraphQLSchema:
    schema = build_schema(sdl())
    scalars.install(schema)
    _attach(schema)
    return schema
