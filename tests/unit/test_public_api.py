from __future__ import annotations

import orgflow


def test_public_names_are_sorted_and_importable():
    assert orgflow.__all__ == sorted(orgflow.__all__)
    for name in orgflow.__all__:
        assert getattr(orgflow, name) is not None, name


def test_every_error_is_an_orgflow_error_with_a_chinese_default_message():
    errors = [getattr(orgflow, name) for name in orgflow.__all__ if name.endswith(("Error", "Rejected"))]
    errors += [orgflow.Conflict, orgflow.NotFound, orgflow.WorkItemNotOpen]
    for error in errors:
        assert issubclass(error, orgflow.OrgFlowError)
        assert error.__doc__ and any("\u4e00" <= ch <= "\u9fff" for ch in error.__doc__), error
