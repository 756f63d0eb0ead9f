// sipxl task pane glue: binds the SIPXL ribbon buttons (manifest <FunctionName>) and the task pane buttons to
// the server's custom scripts. It sends the workbook payload xlwings' remote engine expects (client "Office.js")
// and runs the returned actions. Only the actions the sipxl buttons emit are implemented (see
// sipxl/excel/buttons.py); anything else is reported, never ignored.
/* global Office, Excel */
"use strict";

const SIPXL_XLWINGS_VERSION = "0.37.8"; // pinned with the server (pyproject.toml)
const SIPXL_SCRIPTS = ["validate", "score", "summary", "check_setup", "prepare"];

function sipxlMessage(text) {
  const el = typeof document !== "undefined" ? document.getElementById("message") : null;
  if (el) { el.textContent = text; }
  console.log("sipxl:", text);
}

async function sipxlBookPayload(context) {
  const wb = context.workbook;
  wb.load("name");
  const sheets = wb.worksheets;
  sheets.load("items/name,items/visibility");
  const active = wb.worksheets.getActiveWorksheet();
  active.load("position");
  const names = wb.names;
  names.load("items/name,items/type");
  await context.sync();
  const used = sheets.items.map((s) => s.getUsedRangeOrNullObject(true));
  used.forEach((u) => u.load("address,rowCount,columnCount,isNullObject"));
  await context.sync();
  const full = sheets.items.map((s, i) => {
    if (used[i].isNullObject) { return null; }
    // values are anchored at A1 and run to the last used cell, as xlwings expects
    const last = used[i].getLastCell();
    const r = s.getRange("A1").getBoundingRect(last);
    r.load("values");
    return r;
  });
  await context.sync();
  const namePayload = [];
  for (const n of names.items) {
    if (n.type !== "Range") { continue; }
    const rng = n.getRangeOrNullObject();
    rng.load("address,isNullObject");
    rng.worksheet.load("position");
    await context.sync();
    if (rng.isNullObject) { continue; }
    namePayload.push({ name: n.name, sheet_index: rng.worksheet.position,
      address: rng.address.split("!").pop().replace(/\$/g, ""), book_scope: true,
      scope_sheet_name: null, scope_sheet_index: null });
  }
  return {
    client: "Office.js",
    version: SIPXL_XLWINGS_VERSION,
    book: { name: wb.name, active_sheet_index: active.position, selection: null, calculation: "Automatic" },
    names: namePayload,
    sheets: sheets.items.map((s, i) => ({
      name: s.name,
      visibility: s.visibility,
      print_area: null,
      notes: [],
      used_range_address: used[i].isNullObject ? null : used[i].address.split("!").pop().replace(/\$/g, ""),
      used_range_row_count: used[i].isNullObject ? 0 : used[i].rowCount,
      used_range_column_count: used[i].isNullObject ? 0 : used[i].columnCount,
      values: full[i] ? full[i].values : [[""]],
      pictures: [], shapes: [], charts: [], tables: [], pivot_tables: [], show_gridlines: true,
    })),
  };
}

async function sipxlSheetAt(context, position) {
  const sheets = context.workbook.worksheets;
  sheets.load("items");
  await context.sync();
  return sheets.items[position];
}

async function sipxlGetRange(context, a) {
  const sheet = await sipxlSheetAt(context, a.sheet_position);
  return sheet.getRangeByIndexes(a.start_row, a.start_column, a.row_count, a.column_count);
}

// Protection helpers the buttons call through runMacro (VBA: SipxlUnprotectSheet/SipxlProtectSheet in sipxl.xlam)
const sipxlCallbacks = {
  async sipxlUnprotectSheet(context, sheetName) {
    context.workbook.worksheets.getItem(sheetName).protection.unprotect("");
  },
  async sipxlProtectSheet(context, sheetName) {
    context.workbook.worksheets.getItem(sheetName).protection.protect({ allowFormatColumns: true, allowFormatRows: true });
  },
};

const sipxlActions = {
  async setValues(context, a) { (await sipxlGetRange(context, a)).values = a.values; },
  async setRangeColor(context, a) { (await sipxlGetRange(context, a)).format.fill.color = String(a.args[0]); },
  async setNumberFormat(context, a) {
    const r = await sipxlGetRange(context, a);
    r.numberFormat = Array.from({ length: a.row_count }, () => Array(a.column_count).fill(String(a.args[0])));
  },
  async addHyperlink(context, a) {
    const r = await sipxlGetRange(context, a);
    const address = String(a.args[0]);
    r.hyperlink = address.startsWith("#")
      ? { documentReference: address.slice(1), textToDisplay: String(a.args[1]), screenTip: String(a.args[2]) }
      : { address: address, textToDisplay: String(a.args[1]), screenTip: String(a.args[2]) };
  },
  async setAutofit(context, a) {
    const r = await sipxlGetRange(context, a);
    if (a.args[0] === "columns") { r.format.autofitColumns(); } else { r.format.autofitRows(); }
  },
  async addSheet(context, a) {
    const s = context.workbook.worksheets.add(a.args[1] === null ? undefined : String(a.args[1]));
    s.position = parseInt(a.args[0], 10);
  },
  async sheetClear(context, a) { (await sipxlSheetAt(context, a.sheet_position)).getRange().clear(); },
  async activateSheet(context, a) { (await sipxlSheetAt(context, parseInt(a.args[0], 10))).activate(); },
  async alert(context, a) { sipxlMessage(String(a.args[0])); },
  async runMacro(context, a) {
    const f = sipxlCallbacks[String(a.args[0])];
    if (!f) { throw new Error("sipxl: no task pane callback " + a.args[0]); }
    await f(context, ...a.args.slice(1));
  },
};

async function sipxlRun(scriptName) {
  sipxlMessage("Working…");
  try {
    await Excel.run(async (context) => {
      const payload = await sipxlBookPayload(context);
      const response = await fetch(window.location.origin + "/xlwings/custom-scripts-call/" + scriptName, {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload),
      });
      const data = await response.json();
      if (!response.ok) { throw new Error(data.detail || response.statusText); }
      for (const action of data.actions) {
        const run = sipxlActions[action.func];
        if (!run) { throw new Error("sipxl cannot run the action " + action.func); }
        await run(context, action);
        await context.sync();
      }
    });
  } catch (error) {
    sipxlMessage("SIPXL could not finish: " + (error && error.message ? error.message : error));
  }
}

if (typeof Office !== "undefined") {
  Office.onReady(() => {
    for (const name of SIPXL_SCRIPTS) {
      Office.actions.associate(name, async (event) => { await sipxlRun(name); event.completed(); });
    }
    if (typeof document !== "undefined") {
      document.querySelectorAll("button[data-script]").forEach((b) => {
        b.addEventListener("click", () => sipxlRun(b.dataset.script));
      });
    }
  });
}

if (typeof module !== "undefined") { module.exports = { SIPXL_SCRIPTS, sipxlActions, sipxlCallbacks }; }
