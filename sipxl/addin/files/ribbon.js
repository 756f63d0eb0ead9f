// The SIPXL ribbon (written by `sipxl addin init`; overrides xlwings Server's static/js/ribbon.js).
// Each ribbon button's <FunctionName> in manifest.xml is the name of a sipxl custom script. xlwings.runPython
// sends the workbook, runs the actions the script returns, and shows any alert or error in xlwings Server's dialog.
const SIPXL_SCRIPTS = __SIPXL_SCRIPTS__;

async function sipxlRun(scriptName, event) {
  try {
    const authResult =
      typeof globalThis.getAuth === "function" ? await globalThis.getAuth() : { token: "", provider: "" };
    await xlwings.runPython({
      scriptName: scriptName,
      auth: authResult.token,
      headers: { "Auth-Provider": authResult.provider },
    });
  } finally {
    event.completed();
  }
}

for (const scriptName of SIPXL_SCRIPTS) {
  Office.actions.associate(scriptName, (event) => sipxlRun(scriptName, event));
}
