"""The authority-hosted add-in: an xlwings Server app that carries the SIPXL ribbon.

xlwings Server (the ``xlwings-server`` package) is the server: its manifest router, task pane, Office.js client,
dialog alerts, custom-function registration and authentication. sipxl only contributes what is its own:

* :mod:`sipxl.excel.scripts`: the five ribbon buttons as xlwings custom scripts;
* :mod:`sipxl.excel.functions`: the custom functions (``=SIPXL.GAST(...)``);
* ``files/``: the SIPXL ribbon (manifest template), the task pane, the ribbon's JavaScript bindings, the icons and
  the token check;
* :mod:`.project`: ``sipxl addin init DIR --url URL`` writes one authority's app (its own manifest IDs);
* :mod:`.guard`: request bounds in front of xlwings Server (413 for an oversized body, 400 for a malformed or
  wrong-shaped one), and :mod:`.asgi`/``sipxl serve`` run it, with HTTPS from a certificate and key.
"""
