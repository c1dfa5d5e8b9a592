"""The printable outputs of a plan folder: report.html, the village sheets and the
county public notices (公示表).

Each output is made in two steps: a function that reads the plan folder and
prepares plain data (`data`, `report_data`, `sheet_data`: no HTML), then a Jinja2
template that lays it out (`templates/`, autoescaped; `render`).  A county may
pass its own templates (`--templates DIR`); the ones it does not bring come from
the bundled folder.
"""
