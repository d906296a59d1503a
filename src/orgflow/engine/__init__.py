"""The pure core: apply(definition, state, command, now, ids) -> Transition; no I/O, clock or randomness."""
