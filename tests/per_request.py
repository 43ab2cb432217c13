"""Running test code as a view runs, for the tests of what is kept per request or per set of roles."""

from unittest import mock

from django.db.models.sql.compiler import SQLCompiler

from providers import permissions


def in_a_request(work):
    """Run `work` as a view would, inside the middleware that reads roles once per request."""
    return permissions.RoleAssignmentsPerRequest(lambda request: work())(None)


def queries_compiled(model, work) -> int:
    """How many times a query over `model` is compiled to SQL while `work` runs."""
    compiled = []
    original = SQLCompiler.as_sql

    def as_sql(compiler, *args, **kwargs):
        if compiler.query.model is model:
            compiled.append(compiler)
        return original(compiler, *args, **kwargs)

    with mock.patch.object(SQLCompiler, "as_sql", as_sql):
        work()
    return len(compiled)
