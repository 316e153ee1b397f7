"""A property-based run of the OpenAPI schema: no generated request gets a 500.

Short on purpose (a few examples per operation), on SQLite and PostgreSQL, against the ASGI app
with the populated store of the other web tests. Each operation's Hypothesis strategy is run
directly (schemathesis's pytest fixture integration does not run under this pytest).
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.web_fixtures import WebEnv, web  # noqa: F401 - the fixture

EXAMPLES = 10


def test_no_server_errors(web: WebEnv) -> None:  # noqa: F811
    schema = schemathesis.openapi.from_asgi("/openapi.json", web.app)
    tested = []
    for result in schema.get_all_operations():
        operation = result.ok()
        tested.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case) -> None:  # noqa: ANN001 - schemathesis Case
            case.call_and_validate(checks=[not_a_server_error])

        run()
    assert "GET /api/documents/{key}/versions" in tested and len(tested) >= 15
