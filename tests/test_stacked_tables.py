"""On a phone, tables of class "table" stack: each cell must say which column it is."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
STACKED_TABLE = re.compile(r'<table class="table[ "].*?</table>', re.S)
CELL = re.compile(r"<td(?=[\s>])[^>]*>")


def test_every_cell_of_a_stacked_table_names_its_column():
    """Every <td> of a stacked table has a data-label, except the row's actions (links
    that name themselves)."""
    missing = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for table in STACKED_TABLE.findall(template.read_text(encoding="utf-8")):
            missing += [f"{template.relative_to(TEMPLATES)}: {cell}" for cell in CELL.findall(table)
                        if "data-label" not in cell and 'class="actions"' not in cell]
    assert missing == []
