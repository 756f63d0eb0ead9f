"""The specification of every sipxl template: one source for the builder, the readers and the checks."""

from __future__ import annotations

from functools import cache

from .layout import TemplateLayout, layout_template
from .model import Column, Field, Footer, Guidance, Heading, Item, ItemGrid, Rule, Sheet, Table, Template
from .templates import assessment_templates, project_template, school_return_template

__all__ = [
    "Column", "Field", "Footer", "Guidance", "Heading", "Item", "ItemGrid", "Rule", "Sheet", "Table",
    "Template", "TemplateLayout", "all_templates", "get_template", "layout_template",
]


@cache
def all_templates() -> tuple[Template, ...]:
    return (project_template(), *assessment_templates(), school_return_template())


def get_template(kind: str) -> Template:
    for template in all_templates():
        if template.kind == kind:
            return template
    raise KeyError(kind)
