"""pytest fixture `un_mirror`: a started local UN mirror (see mirror/).

Session-scoped for speed (starting costs ~0.3 s): one mirror serves the whole session, and the
fixture calls `reset()` before each test, so every test starts from the corpus state with no
faults, default robots.txt and an empty request log. Tests must not stop it.

Use it by adding `pytest_plugins = ["tests.mirror_fixture"]` to the root tests/conftest.py
(or to a test module, as tests/test_mirror.py does).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mirror import Mirror


@pytest.fixture(scope="session")
def _un_mirror_session() -> Iterator[Mirror]:
    with Mirror() as mirror:
        yield mirror


@pytest.fixture
def un_mirror(_un_mirror_session: Mirror) -> Mirror:
    _un_mirror_session.reset()
    return _un_mirror_session
