"""异常原因分类：按代码或中文名称识别，未知分类列出可选项。"""

from __future__ import annotations

import pytest

from orgflow.anomalies.causes import CAUSE_LABELS, CauseCategory, cause_category, cause_label
from orgflow.errors import CommandRejected


def test_a_category_is_known_by_its_code_or_its_label() -> None:
    assert cause_category("supplier_delay") is CauseCategory.SUPPLIER_DELAY
    assert cause_category(" 等待客户确认 ") is CauseCategory.WAITING_CUSTOMER
    assert [CAUSE_LABELS[c] for c in CauseCategory][:2] == ["数据不完整", "等待客户确认"]


def test_an_unknown_category_lists_the_choices() -> None:
    with pytest.raises(CommandRejected, match="外部供应商延迟（supplier_delay）") as refused:
        cause_category("天气")

    assert refused.value.field == "category"


def test_stored_codes_read_as_labels() -> None:
    assert (cause_label("other"), cause_label(None), cause_label("legacy")) == ("其他", "", "legacy")
