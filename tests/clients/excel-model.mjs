// A strict Office.js Excel object model for running xlwings Server's own action callbacks in Node.
//
// Loadable properties are Microsoft's office-addin-mock objects: reading one before load() and
// context.sync() gives office-addin-mock's error value, as in Office.js. Writes are queued and applied
// in order at context.sync(), as Office.js batches them, and they are refused there as Excel refuses
// them: values into locked cells of a protected sheet; formatting a protected sheet unless its
// protection allows formatting cells (columns, for autofit); hyperlinks on a protected sheet unless
// allowed; a 2-D array whose size is not the range's; a sheet name Excel rejects or repeats.
import { OfficeMockObject } from "office-addin-mock";

const BAD_NAME = /[[\]:*?/\\]/;

export class Workbook {
  constructor(state) {
    // state: {sheets: [{name, protection: {protected, allowFormatCells, allowFormatColumns,
    //          allowInsertHyperlinks}, unlocked: ["r,c"], cells: {"r,c": {value}}}], active: index}
    this.sheets = state.sheets.map((s) => new SheetState(s));
    this.active = state.active ?? 0;
    this.alerts = [];
  }

  context() {
    return new RequestContext(this);
  }

  toJSON() {
    return {
      sheets: this.sheets.map((s) => s.toJSON()),
      active: this.sheets[this.active]?.name ?? null,
      alerts: this.alerts,
    };
  }
}

class SheetState {
  constructor({ name, protection = {}, unlocked = [], cells = {}, visibility = "Visible" }) {
    this.name = name;
    this.protection = {
      protected: Boolean(protection.protected),
      allowFormatCells: Boolean(protection.allowFormatCells),
      allowFormatColumns: Boolean(protection.allowFormatColumns),
      allowFormatRows: Boolean(protection.allowFormatRows),
      allowInsertHyperlinks: Boolean(protection.allowInsertHyperlinks),
    };
    this.unlocked = new Set(unlocked);
    this.visibility = visibility;
    this.cells = new Map(Object.entries(cells).map(([k, v]) => [k, { ...v }]));
    this.autofit = [];
  }

  cell(r, c) {
    const key = `${r},${c}`;
    if (!this.cells.has(key)) this.cells.set(key, {});
    return this.cells.get(key);
  }

  used() {
    const keys = [...this.cells.entries()].filter(([, v]) => v.value !== undefined && v.value !== "");
    if (!keys.length) return null;
    const rc = keys.map(([k]) => k.split(",").map(Number));
    const r0 = Math.min(...rc.map((x) => x[0]));
    const c0 = Math.min(...rc.map((x) => x[1]));
    const r1 = Math.max(...rc.map((x) => x[0]));
    const c1 = Math.max(...rc.map((x) => x[1]));
    return { rowIndex: r0, columnIndex: c0, rowCount: r1 - r0 + 1, columnCount: c1 - c0 + 1 };
  }

  toJSON() {
    const cells = {};
    for (const [k, v] of this.cells) if (Object.keys(v).length) cells[k] = v;
    return { name: this.name, protection: this.protection, visibility: this.visibility, cells, autofit: this.autofit };
  }
}

function refuse(message) {
  const e = new Error(message);
  e.code = "InvalidOperation";
  throw e;
}

function checkFormatting(sheet, what, allowed = "allowFormatCells") {
  if (sheet.protection.protected && !sheet.protection[allowed]) {
    refuse(`${what}: sheet '${sheet.name}' is protected and its protection does not allow it`);
  }
}

function checkLocked(sheet, r0, c0, nr, nc, what) {
  if (!sheet.protection.protected) return;
  for (let r = r0; r < r0 + nr; r++) {
    for (let c = c0; c < c0 + nc; c++) {
      if (!sheet.unlocked.has(`${r},${c}`)) {
        refuse(`${what}: the cell you're trying to change (row ${r + 1}, column ${c + 1}) is on protected sheet '${sheet.name}'`);
      }
    }
  }
}

function matrix(value, nr, nc, what) {
  if (!Array.isArray(value)) return Array.from({ length: nr }, () => Array(nc).fill(value));
  if (value.length !== nr || value.some((row) => !Array.isArray(row) || row.length !== nc)) {
    const e = new Error(`${what}: the number of rows or columns in the input array doesn't match the size of the range`);
    e.code = "InvalidArgument";
    throw e;
  }
  return value;
}

class RequestContext {
  constructor(book) {
    this.book = book;
    this.queue = [];
    this.pending = []; // [mock, refresh] loaded since the last sync
    this.workbook = new WorkbookProxy(this);
  }

  enqueue(op) {
    this.queue.push(op);
  }

  loadable(data, refresh) {
    const mock = new OfficeMockObject(data);
    this.pending.push([mock, refresh]);
    return mock;
  }

  async sync() {
    const ops = this.queue.splice(0);
    for (const op of ops) op();
    const pending = this.pending.splice(0);
    for (const [mock, refresh] of pending) {
      for (const [key, value] of Object.entries(refresh())) {
        const prop = mock._properties.get(key);
        if (prop) prop._valueBeforeLoaded = value;
      }
      await mock.sync();
    }
  }
}

class WorkbookProxy {
  constructor(ctx) {
    this.ctx = ctx;
    this.application = {
      calculate: () => {},
      suspendScreenUpdatingUntilNextSync: () => {},
    };
  }

  get worksheets() {
    const ctx = this.ctx;
    const book = ctx.book;
    const proxies = () => book.sheets.map((s) => new SheetProxy(ctx, s));
    const collection = ctx.loadable({ items: [] }, () => ({ items: proxies() }));
    collection.setValue("add", (name) => {
      const state = new SheetState({ name: name ?? `Sheet${book.sheets.length + 1}` });
      ctx.enqueue(() => {
        const lower = state.name.toLowerCase();
        if (!state.name || state.name.length > 31 || BAD_NAME.test(state.name)) refuse(`bad sheet name '${state.name}'`);
        if (book.sheets.some((s) => s.name.toLowerCase() === lower)) refuse(`a sheet named '${state.name}' exists`);
        book.sheets.push(state);
      });
      return new SheetProxy(ctx, state);
    });
    collection.setValue("getActiveWorksheet", () => new SheetProxy(ctx, book.sheets[book.active]));
    collection.setValue("getItem", (name) => {
      const found = book.sheets.find((s) => s.name === name);
      if (!found) refuse(`no sheet named '${name}'`);
      return new SheetProxy(ctx, found);
    });
    return collection;
  }
}

class SheetProxy {
  constructor(ctx, state) {
    this.ctx = ctx;
    this.state = state;
  }

  get name() {
    return this.state.name;
  }

  set position(index) {
    const { book } = this.ctx;
    const state = this.state;
    this.ctx.enqueue(() => {
      const from = book.sheets.indexOf(state);
      const active = book.sheets[book.active];
      book.sheets.splice(from, 1);
      book.sheets.splice(Math.min(index, book.sheets.length), 0, state);
      book.active = book.sheets.indexOf(active);
    });
  }

  get protection() {
    const s = this.state;
    return this.ctx.loadable({ protected: false }, () => ({ protected: s.protection.protected }));
  }

  activate() {
    const { book } = this.ctx;
    const state = this.state;
    this.ctx.enqueue(() => {
      if (state.visibility !== "Visible") refuse(`sheet '${state.name}' is hidden and cannot be activated`);
      book.active = book.sheets.indexOf(state);
    });
  }

  getRangeByIndexes(r, c, nr, nc) {
    for (const n of [r, c, nr, nc]) if (!Number.isInteger(n) || n < 0) refuse(`bad range indexes ${[r, c, nr, nc]}`);
    if (nr < 1 || nc < 1) refuse("a range has at least one cell");
    return new RangeProxy(this.ctx, this.state, r, c, nr, nc);
  }

  getRanges() {
    const ctx = this.ctx;
    const s = this.state;
    return {
      clear: (applyTo) => ctx.enqueue(() => {
        if (s.protection.protected) refuse(`sheet '${s.name}' is protected: cannot clear it`);
        for (const [k, v] of s.cells) {
          if (applyTo === "All" || applyTo === "Contents") delete v.value;
          if (applyTo === "All") {
            for (const key of ["hyperlink"]) delete v[key];
          }
          if (applyTo === "All" || applyTo === "Formats") {
            delete v.fill;
            delete v.numberFormat;
          }
          if (!Object.keys(v).length) s.cells.delete(k);
        }
      }),
    };
  }

  getUsedRangeOrNullObject() {
    const s = this.state;
    const mock = this.ctx.loadable(
      { rowIndex: 0, rowCount: 0, columnIndex: 0, columnCount: 0 },
      () => s.used() ?? {},
    );
    // isNullObject needs no load: it is known once the batch has run
    Object.defineProperty(mock, "isNullObject", { get: () => s.used() === null });
    return mock;
  }
}

class RangeProxy {
  constructor(ctx, sheet, r, c, nr, nc) {
    Object.assign(this, { ctx, sheet, r, c, nr, nc });
    const self = this;
    this.format = {
      fill: {
        set color(value) {
          self.op("fill", (s) => {
            checkFormatting(s, "format.fill.color");
            self.each((cell) => { cell.fill = String(value).toUpperCase(); });
          });
        },
        clear() {
          self.op("fill.clear", (s) => {
            checkFormatting(s, "format.fill.clear");
            self.each((cell) => { delete cell.fill; });
          });
        },
      },
      autofitColumns() {
        self.op("autofitColumns", (s) => {
          checkFormatting(s, "autofitColumns", "allowFormatColumns");
          s.autofit.push({ columns: [self.c, self.c + self.nc - 1], rows: [self.r, self.r + self.nr - 1] });
        });
      },
      autofitRows() {
        self.op("autofitRows", (s) => checkFormatting(s, "autofitRows", "allowFormatRows"));
      },
    };
  }

  op(what, fn) {
    this.ctx.enqueue(() => fn(this.sheet));
  }

  each(fn, values) {
    for (let i = 0; i < this.nr; i++) {
      for (let j = 0; j < this.nc; j++) fn(this.sheet.cell(this.r + i, this.c + j), values?.[i]?.[j]);
    }
  }

  set values(values) {
    this.op("values", (s) => {
      const m = matrix(values, this.nr, this.nc, "values");
      checkLocked(s, this.r, this.c, this.nr, this.nc, "values");
      this.each((cell, v) => {
        if (v === null || v === undefined) v = "";
        if (typeof v === "object") refuse(`values: cannot write ${JSON.stringify(v)}`);
        if (v === "") delete cell.value;
        else cell.value = v;
      }, m);
    });
  }

  set numberFormat(formats) {
    this.op("numberFormat", (s) => {
      const m = matrix(formats, this.nr, this.nc, "numberFormat");
      checkFormatting(s, "numberFormat");
      this.each((cell, f) => { cell.numberFormat = String(f); }, m);
    });
  }

  get numberFormat() {
    if (!this._loaded) return "Error, property was not loaded";
    return this._formats ?? "Error, context.sync() was not called";
  }

  load(properties) {
    if (properties !== "numberFormat") refuse(`this model loads only numberFormat, not ${properties}`);
    this._loaded = true;
    this.ctx.enqueue(() => {
      const out = [];
      for (let i = 0; i < this.nr; i++) {
        out.push([]);
        for (let j = 0; j < this.nc; j++) {
          const cell = this.sheet.cells.get(`${this.r + i},${this.c + j}`);
          out[i].push(cell?.numberFormat ?? "General");
        }
      }
      this._formats = out;
    });
    return this;
  }

  set hyperlink(link) {
    this.op("hyperlink", (s) => {
      if (s.protection.protected && !s.protection.allowInsertHyperlinks) {
        refuse(`hyperlink: sheet '${s.name}' is protected`);
      }
      if (typeof link.address !== "string" || typeof link.textToDisplay !== "string") {
        refuse(`hyperlink: address and textToDisplay must be text, got ${JSON.stringify(link)}`);
      }
      // Excel shows textToDisplay as the cell's value
      this.each((cell) => {
        cell.hyperlink = { address: link.address, screenTip: link.screenTip };
        cell.value = link.textToDisplay;
      });
    });
  }

  clear(applyTo) {
    this.op("clear", (s) => {
      if (applyTo !== "Formats") checkLocked(s, this.r, this.c, this.nr, this.nc, "clear");
      if (applyTo !== "Contents") checkFormatting(s, "clear");
      this.each((cell) => {
        if (applyTo !== "Formats") { delete cell.value; delete cell.hyperlink; }
        if (applyTo !== "Contents") { delete cell.fill; delete cell.numberFormat; }
      });
    });
  }

  select() {}
}
