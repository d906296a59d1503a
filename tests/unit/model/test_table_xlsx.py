"""A damaged workbook is refused with a clear error whatever part of it is damaged, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from orgflow.errors import ConfigurationError
from orgflow.model.table_writer import node_table, table_xlsx
from orgflow.model.table_xlsx import sheet_text
from orgflow.model.yaml_reader import load_definition

SEED_YAML = Path(__file__).resolve().parents[3] / "examples" / "new_product_launch.yaml"


def test_every_damaged_byte_gives_the_table_or_a_configuration_error(tmp_path: Path) -> None:
    good = table_xlsx(node_table(load_definition(SEED_YAML.read_text(encoding="utf-8")).definition))
    path = tmp_path / "表.xlsx"
    path.write_bytes(good)
    assert "需求提交" in sheet_text(path)
    refused = 0
    for at in range(0, len(good), max(1, len(good) // 400)):
        damaged = bytearray(good)
        damaged[at] ^= 0xFF
        path.write_bytes(bytes(damaged))
        try:
            sheet_text(path)
        except ConfigurationError as error:
            assert "表.xlsx" in str(error)
            refused += 1
    assert refused > 0


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.9])
def test_a_cut_workbook_is_refused_naming_the_file(tmp_path: Path, keep: float) -> None:
    good = table_xlsx(node_table(load_definition(SEED_YAML.read_text(encoding="utf-8")).definition))
    path = tmp_path / "表.xlsx"
    path.write_bytes(good[: int(len(good) * keep)])
    with pytest.raises(ConfigurationError, match=r"表\.xlsx"):
        sheet_text(path)
