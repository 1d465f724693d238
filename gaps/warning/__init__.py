"""The early warning (SPEC.md "Looking ahead"): compute (pure), fetch, services, selectors, detail."""
