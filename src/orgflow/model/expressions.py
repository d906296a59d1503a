"""The safe condition language (placeholder: replaced by the full evaluator)."""
