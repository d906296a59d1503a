"""The audit trail (审计记录): every command with who, when, from where and what, hash-chained.

- :mod:`~orgflow.audit.chain`: the links and how each is hashed (pure).
- :mod:`~orgflow.audit.summary`: the one-line Chinese summary of an action (pure, no data values).
- :mod:`~orgflow.audit.verify`: walks the chain and names the first broken link (pure).
- :mod:`~orgflow.audit.interceptor`: writes one link per command, inside its transaction.
- :mod:`~orgflow.audit.queries`: lists and verifies the trail for the CLI and the API.

The rows themselves are written and read by :mod:`orgflow.store.audit`. This
package module imports nothing, so the store can use the pure chain without
pulling in the runtime.
"""
