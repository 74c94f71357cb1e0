"""Property: on random raw streams, the warehouse's sessions equal the reference's.

Hypothesis draws datasets of many independent actors (see tests/strategies.py); each
example is one load and one `dbt build` per engine, so every example checks dozens of
actors at once. More examples: HYPOTHESIS_MAX_EXAMPLES=20 make test.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, given, settings

from tests.compare import assert_conserved, assert_matches_reference
from tests.conftest import examples
from tests.reference import sessionize
from tests.strategies import datasets

MAX_EXAMPLES = int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "4"))


def test_sessions_match_the_reference(engine: str, workspace_factory) -> None:
    workspace = workspace_factory(engine, "property")  # reused by every example

    @settings(
        max_examples=examples(engine, MAX_EXAMPLES),
        deadline=None,
        # One example is a dbt run: shrinking would take hundreds. The assertion names the
        # smallest differing actors instead, and print_blob lets a failure be replayed.
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(data=datasets(max_actors=40))
    def example(data) -> None:
        workspace.load_raw(data)
        workspace.build_on_raw(None, "--full-refresh")  # the workspace is reused: start from scratch
        expected = sessionize(data)
        assert_matches_reference(workspace, expected)
        assert_conserved(workspace, expected.raw_row_count)

    example()
