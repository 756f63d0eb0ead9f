// Apply a button's actions with xlwings Server's own Office.js client (custom-scripts/index.js from the
// installed xlwings-server wheel) on the strict Excel model in excel-model.mjs.
//
//   node run-actions.mjs < {"index_js": ".../custom-scripts/index.js", "workbook": {...}, "actions": [...]}
//
// Prints {"workbook": final state, "error": null or the client's message}.
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { Workbook } from "./excel-model.mjs";

// stdout carries the result only: the client's console output goes to stderr
console.log = (...args) => process.stderr.write(`${args.join(" ")}\n`);

const input = JSON.parse(readFileSync(0, "utf8"));
const book = new Workbook(input.workbook);

// The browser globals the client's modules touch when they load, and the Office/Excel namespaces.
const config = { appPath: "", onWasm: false, isOfficialLiteAddin: false, xlwingsVersion: input.version ?? "" };
globalThis.document = {
  getElementById: (id) => (id === "config" ? { textContent: JSON.stringify(config) } : null),
  addEventListener: () => {},
  querySelectorAll: () => [],
  querySelector: () => null,
};
globalThis.window = { location: { origin: "https://addin.example" } };
globalThis.Office = {
  onReady: async () => ({ host: "Excel" }),
  context: {
    platform: "PC",
    requirements: { isSetSupported: (name, version) => name === "ExcelApi" && Number(version.split(".")[1]) <= 17 },
    ui: {
      // the alert dialog: record what the teacher would read
      displayDialogAsync: (url, options, callback) => {
        const q = new URL(url).searchParams;
        book.alerts.push({ prompt: q.get("prompt"), title: q.get("title"), buttons: q.get("buttons"),
                           mode: q.get("mode"), callback: q.get("callback") });
        callback({ status: "succeeded", value: { addEventHandler: () => {}, close: () => {} } });
      },
    },
  },
  AsyncResultStatus: { Failed: "failed", Succeeded: "succeeded" },
  EventType: {},
};
globalThis.Excel = {
  ClearApplyTo: { all: "All", contents: "Contents", formats: "Formats" },
  run: async (batch) => {
    const context = book.context();
    const out = await batch(context);
    await context.sync();
    return out;
  },
};

await import(pathToFileURL(input.index_js).href);
let error = null;
try {
  await globalThis.xlwings.runActions({ actions: input.actions });
} catch (e) {
  error = `${e.message}${e.cause ? ` (${e.cause.message})` : ""}`;
}
process.stdout.write(JSON.stringify({ workbook: book, error }));
