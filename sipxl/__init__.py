"""sipxl: School Improvement Partnership workbooks, checked and scored by Python."""

__version__ = "0.1.0"
