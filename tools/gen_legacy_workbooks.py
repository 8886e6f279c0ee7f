#!/usr/bin/env python3
"""Writes the sample county as the older workbook formats officers still receive:
rules/supervision-coverage/data/sample.xls (Excel 97-2003, BIFF8, by xlwt) and sample.ods
(OpenDocument, by odfpy), from the pack's sheets in data/sample-gbk/ (what `scorecard
convert --to csv --encoding gbk` writes). Numbers become number cells and dates date
cells, as an export would write them. tests/reach.rs checks that both score to the JSON
sample's bytes.

    python3 -m pip install xlwt odfpy && python3 tools/gen_legacy_workbooks.py
"""

import csv
import datetime
import os
import re

import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.style import Style, TableColumnProperties
from odf.table import Table, TableCell, TableRow
from odf.text import P
from odf.number import DateStyle, Day, Month, Text, Year
from odf.style import Style as CellStyle

HERE = os.path.join(os.path.dirname(__file__), "..", "rules", "supervision-coverage", "data")
SOURCE = os.path.join(HERE, "sample-gbk")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def sheets():
    for name in sorted(os.listdir(SOURCE)):
        if name.endswith(".csv"):
            with open(os.path.join(SOURCE, name), encoding="gbk") as f:
                yield name[:-4], list(csv.reader(f))


def typed(text, header):
    """The cell a text stands for: a date, a number (not a key or code), or text."""
    if DATE.match(text):
        return datetime.date.fromisoformat(text)
    if NUMBER.match(text) and not header.endswith("编号") and not header.endswith("编码"):
        return float(text)
    return text


def xls(path):
    book = xlwt.Workbook(encoding="utf-8")
    dates = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for name, rows in sheets():
        ws = book.add_sheet(name)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                if text == "":
                    continue
                v = typed(text, rows[0][c]) if r > 0 else text
                if isinstance(v, datetime.date):
                    ws.write(r, c, v, dates)
                else:
                    ws.write(r, c, v)
    book.save(path)


def ods(path):
    doc = OpenDocumentSpreadsheet()
    ds = DateStyle(name="iso")
    ds.addElement(Year(style="long"))
    ds.addElement(Text(text="-"))
    ds.addElement(Month(style="long"))
    ds.addElement(Text(text="-"))
    ds.addElement(Day(style="long"))
    doc.automaticstyles.addElement(ds)
    date_cell = CellStyle(name="date", family="table-cell", datastylename="iso")
    doc.automaticstyles.addElement(date_cell)
    for name, rows in sheets():
        t = Table(name=name)
        for r, row in enumerate(rows):
            tr = TableRow()
            for c, text in enumerate(row):
                v = typed(text, rows[0][c]) if r > 0 and text else text
                if isinstance(v, datetime.date):
                    cell = TableCell(valuetype="date", datevalue=v.isoformat(), stylename=date_cell)
                    cell.addElement(P(text=v.isoformat()))
                elif isinstance(v, float):
                    cell = TableCell(valuetype="float", value=repr(v))
                    cell.addElement(P(text=text))
                elif v:
                    cell = TableCell(valuetype="string")
                    cell.addElement(P(text=v))
                else:
                    cell = TableCell()
                tr.addElement(cell)
            t.addElement(tr)
        doc.spreadsheet.addElement(t)
    doc.save(path)


xls(os.path.join(HERE, "sample.xls"))
ods(os.path.join(HERE, "sample.ods"))
print("wrote sample.xls and sample.ods")
