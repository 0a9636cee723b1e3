"""How much the property tests search in each lane (docs/testing.md).

`make check`, the lane run before every commit, sets SOFTBRIDGE_LANE=check: each property test
(hypothesis) then tries a quarter of its examples, at least ten, the first ones of the same
derandomized run. `make test`, which CI runs, tries them all; so does a bare `pytest`.
"""

import os

QUICK = os.environ.get("SOFTBRIDGE_LANE") == "check"


def examples(full: int) -> int:
    """The max_examples of a property test that tries `full` examples in the whole suite."""
    return max(10, full // 4) if QUICK else full
