"""The authority-hosted add-in: a small FastAPI app that speaks xlwings Server's protocol.

Routes (the same paths as xlwings Server, so either client finds them):

* ``POST /xlwings/custom-scripts-call/{script}``: the body is the workbook payload an Office.js task pane
  (xlwings.js) or the VBA add-in (``RunRemotePython``) sends; the response is ``book.json()``, the actions the
  client runs. The scripts are the ribbon's buttons (:mod:`sipxl.excel.scripts`).
* ``GET /xlwings/custom-scripts-meta.json``: the scripts.
* ``GET /xlwings/custom-functions-meta.json``, ``GET /xlwings/custom-functions-code.js``,
  ``POST /xlwings/custom-functions-call``: the custom functions (``=SIPXL.GAST(...)``, :mod:`.functions`).
* ``GET /manifest.xml``: the Office.js add-in manifest (SIPXL ribbon tab, one button per script).
* ``GET /taskpane.html`` and ``/static/sipxl.js``: the task pane and the glue that binds the ribbon buttons,
  sends the payload and runs the returned actions.

Why not the ``xlwings-server`` package itself: it is an application scaffold (a project directory with
``custom_scripts``/``custom_functions`` packages found on ``sys.path``, settings from the environment) with
a long list of runtime dependencies (Redis, Socket.IO, gunicorn, ...), not a library to mount into another
app. This app uses xlwings' own server helpers (``xlwings.server.script``/``func``, ``custom_scripts_call``,
``custom_functions_call``, ``custom_*_meta``), so the protocol is xlwings', pinned with xlwings itself.

Licence: the remote engine and these helpers are xlwings PRO, under the PolyForm Noncommercial licence
(free for educational and government institutions; key ``noncommercial``), see docs/excel-addin.md.
"""

from __future__ import annotations

# ruff: noqa: I001, E402  (xlremote must be imported before xlwings.server)

from . import xlremote  # sets the xlwings environment: must come first
import json
import logging
import os
import uuid
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import xlwings.server
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from .. import __version__
from . import functions, scripts

__all__ = ["BUTTON_LABELS", "create_app", "manifest_xml", "FUNCTION_NAMESPACE"]

log = logging.getLogger("sipxl.excel.server")
STATIC = Path(__file__).parent / "static"
FUNCTION_NAMESPACE = "SIPXL"
#: Stable add-in id; an authority may set its own with SIPXL_MANIFEST_ID.
DEFAULT_MANIFEST_ID = "6f1e3c2a-5b7d-4e8f-9a0b-1c2d3e4f5a6b"
BUTTON_LABELS = {
    "validate": ("Validate", "Mark bad cells and list every problem on the Issues sheet."),
    "score": ("Score", "Write each assessment's scores and the pre/post summary to the Scores sheet."),
    "summary": ("Summary", "Make a one-page project summary a head teacher can print."),
    "check_setup": ("Check setup", "Show the versions and whether this is a sipxl template."),
    "prepare": ("Prepare for submission", "Check the workbook and stamp it ready to send to the authority."),
}


def _base_url(request: Request) -> str:
    public = os.environ.get("SIPXL_PUBLIC_URL")
    if public:
        return public.rstrip("/")
    base = str(request.base_url).rstrip("/")
    if request.headers.get("x-forwarded-proto") == "https":
        base = base.replace("http://", "https://", 1)
    return base


def manifest_xml(base_url: str, manifest_id: str | None = None) -> str:
    """The Office.js add-in manifest (XML) for a server at `base_url`."""
    mid = manifest_id or os.environ.get("SIPXL_MANIFEST_ID", DEFAULT_MANIFEST_ID)
    b = escape(base_url)
    controls = []
    strings = []
    long_strings = []
    for name, (label, tip) in BUTTON_LABELS.items():
        rid = "Btn." + name
        controls.append(f"""
                <Control xsi:type="Button" id="{rid}">
                  <Label resid="{rid}.Label" />
                  <Supertip>
                    <Title resid="{rid}.Label" />
                    <Description resid="{rid}.Tip" />
                  </Supertip>
                  <Icon>
                    <bt:Image size="16" resid="Icon.16" />
                    <bt:Image size="32" resid="Icon.32" />
                    <bt:Image size="80" resid="Icon.80" />
                  </Icon>
                  <Action xsi:type="ExecuteFunction">
                    <FunctionName>{name}</FunctionName>
                  </Action>
                </Control>""")
        strings.append(f'<bt:String id="{rid}.Label" DefaultValue={quoteattr(label)} />')
        long_strings.append(f'<bt:String id="{rid}.Tip" DefaultValue={quoteattr(tip)} />')
    nl = "\n        "
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<OfficeApp xmlns="http://schemas.microsoft.com/office/appforoffice/1.1"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:bt="http://schemas.microsoft.com/office/officeappbasictypes/1.0"
  xmlns:ov="http://schemas.microsoft.com/office/taskpaneappversionoverrides" xsi:type="TaskPaneApp">
  <Id>{escape(mid)}</Id>
  <Version>{escape(__version__)}.0</Version>
  <ProviderName>sipxl</ProviderName>
  <DefaultLocale>en-GB</DefaultLocale>
  <DisplayName DefaultValue="SIPXL" />
  <Description DefaultValue="Validate, score and prepare School Improvement Partnership workbooks." />
  <IconUrl DefaultValue="{b}/static/icon-32.png" />
  <HighResolutionIconUrl DefaultValue="{b}/static/icon-80.png" />
  <SupportUrl DefaultValue="{b}/" />
  <AppDomains>
    <AppDomain>{b}</AppDomain>
  </AppDomains>
  <Hosts>
    <Host Name="Workbook" />
  </Hosts>
  <Requirements>
    <Sets DefaultMinVersion="1.1">
      <Set Name="SharedRuntime" MinVersion="1.1" />
    </Sets>
  </Requirements>
  <DefaultSettings>
    <SourceLocation DefaultValue="{b}/taskpane.html" />
  </DefaultSettings>
  <Permissions>ReadWriteDocument</Permissions>
  <VersionOverrides xmlns="http://schemas.microsoft.com/office/taskpaneappversionoverrides"
    xsi:type="VersionOverridesV1_0">
    <Hosts>
      <Host xsi:type="Workbook">
        <Runtimes>
          <Runtime resid="Taskpane.Url" lifetime="long" />
        </Runtimes>
        <AllFormFactors>
          <ExtensionPoint xsi:type="CustomFunctions">
            <Script>
              <SourceLocation resid="Functions.Script.Url" />
            </Script>
            <Page>
              <SourceLocation resid="Taskpane.Url" />
            </Page>
            <Metadata>
              <SourceLocation resid="Functions.Metadata.Url" />
            </Metadata>
            <Namespace resid="Functions.Namespace" />
          </ExtensionPoint>
        </AllFormFactors>
        <DesktopFormFactor>
          <FunctionFile resid="Taskpane.Url" />
          <ExtensionPoint xsi:type="PrimaryCommandSurface">
            <CustomTab id="SipxlTab">
              <Group id="SipxlGroup">
                <Label resid="SipxlGroup.Label" />
                <Icon>
                  <bt:Image size="16" resid="Icon.16" />
                  <bt:Image size="32" resid="Icon.32" />
                  <bt:Image size="80" resid="Icon.80" />
                </Icon>{"".join(controls)}
              </Group>
              <Label resid="SipxlTab.Label" />
            </CustomTab>
          </ExtensionPoint>
        </DesktopFormFactor>
      </Host>
    </Hosts>
    <Resources>
      <bt:Images>
        <bt:Image id="Icon.16" DefaultValue="{b}/static/icon-16.png" />
        <bt:Image id="Icon.32" DefaultValue="{b}/static/icon-32.png" />
        <bt:Image id="Icon.80" DefaultValue="{b}/static/icon-80.png" />
      </bt:Images>
      <bt:Urls>
        <bt:Url id="Taskpane.Url" DefaultValue="{b}/taskpane.html" />
        <bt:Url id="Functions.Script.Url" DefaultValue="{b}/xlwings/custom-functions-code.js" />
        <bt:Url id="Functions.Metadata.Url" DefaultValue="{b}/xlwings/custom-functions-meta.json" />
      </bt:Urls>
      <bt:ShortStrings>
        <bt:String id="Functions.Namespace" DefaultValue="{FUNCTION_NAMESPACE}" />
        <bt:String id="SipxlTab.Label" DefaultValue="SIPXL" />
        <bt:String id="SipxlGroup.Label" DefaultValue="Workbook checks" />
        {nl.join(strings)}
      </bt:ShortStrings>
      <bt:LongStrings>
        {nl.join(long_strings)}
      </bt:LongStrings>
    </Resources>
  </VersionOverrides>
</OfficeApp>
"""


def custom_functions_js(call_path: str = "/xlwings/custom-functions-call") -> str:
    """The JavaScript that registers the custom functions with Excel and forwards each call to the server."""
    head = f"""// sipxl custom functions: generated by sipxl.excel.server (xlwings {xlremote.XLWINGS_VERSION})
async function sipxlCallFunction(funcName, args, invocation) {{
  const response = await fetch(window.location.origin + {json.dumps(call_path)}, {{
    method: "POST",
    headers: {{ "Content-Type": "application/json" }},
    body: JSON.stringify({{
      func_name: funcName, args: args, caller_address: invocation ? invocation.address : null,
      formula_name: funcName, version: {json.dumps(xlremote.XLWINGS_VERSION)}, client: "Office.js",
      runtime: "1.1", culture_info_name: "en-GB", date_format: "dd/mm/yyyy",
    }}),
  }});
  if (!response.ok) {{
    throw new CustomFunctions.Error(CustomFunctions.ErrorCode.invalidValue, await response.text());
  }}
  const data = await response.json();
  return data.result;
}}
"""
    parts = [head]
    for f in functions.FUNCTIONS:
        name = f.__xlfunc__["name"]
        parts.append(f"""async function {name}(...args) {{
  const invocation = args.pop();
  return await sipxlCallFunction({json.dumps(name)}, args, invocation);
}}
CustomFunctions.associate({json.dumps(name.upper())}, {name});
""")
    return "\n".join(parts)


def create_app() -> FastAPI:
    app = FastAPI(title="sipxl add-in server", version=__version__)
    token = os.environ.get("SIPXL_SERVER_TOKEN")

    def _check_auth(request: Request) -> None:
        if token and request.headers.get("authorization") != token:
            raise HTTPException(status_code=401, detail="The sipxl server needs the authority's token.")

    @app.get("/", response_class=PlainTextResponse)
    async def root() -> str:
        return (f"sipxl {__version__} add-in server (xlwings {xlremote.XLWINGS_VERSION}). "
                "Manifest: /manifest.xml")

    @app.get("/manifest.xml")
    @app.get("/manifest")
    async def manifest(request: Request) -> Response:
        return Response(manifest_xml(_base_url(request)), media_type="application/xml")

    @app.get("/taskpane.html")
    async def taskpane() -> Response:
        return Response((STATIC / "taskpane.html").read_text(encoding="utf-8"), media_type="text/html")

    @app.get("/static/{name}")
    async def static(name: str) -> Response:
        path = (STATIC / name).resolve()
        if path.parent != STATIC.resolve() or not path.is_file():
            raise HTTPException(status_code=404)
        media = {".js": "text/javascript", ".html": "text/html", ".png": "image/png", ".css": "text/css"}
        return Response(path.read_bytes(), media_type=media.get(path.suffix, "application/octet-stream"))

    @app.get("/xlwings/custom-scripts-meta.json")
    @app.get("/xlwings/custom-scripts-meta")
    async def scripts_meta() -> list:
        return xlwings.server.custom_scripts_meta(scripts)

    @app.post("/xlwings/custom-scripts-call/{script_name}")
    async def scripts_call(script_name: str, request: Request) -> JSONResponse:
        _check_auth(request)
        if script_name not in scripts.SCRIPTS:
            raise HTTPException(status_code=404, detail=f"sipxl has no button called {script_name!r}.")
        try:
            payload = json.loads(await request.body())
        except ValueError as e:
            raise HTTPException(status_code=400, detail="The request is not a workbook payload.") from e
        args = payload.pop("args", None) or []
        try:
            book = xlremote.book_from_payload(payload)
        except (xlremote.xw.XlwingsError, ValueError, TypeError, KeyError) as e:
            # e.g. a VBA add-in built with another xlwings version: say so, in words
            return JSONResponse(status_code=400, content={"detail": str(e)})
        try:
            await xlwings.server.custom_scripts_call(scripts, script_name, None,
                                                     typehint_to_value={xlremote.xw.Book: book}, args=args)
            return JSONResponse(book.json())
        except Exception:  # the buttons catch their own failures; this is the last resort
            ref = uuid.uuid4().hex[:8].upper()
            log.exception("script %s failed (reference %s)", script_name, ref)
            return JSONResponse(status_code=500, content={"detail": f"sipxl could not finish (reference {ref})."})
        finally:
            book.close()

    @app.get("/xlwings/custom-functions-meta.json")
    @app.get("/xlwings/custom-functions-meta")
    async def functions_meta() -> dict:
        return xlwings.server.custom_functions_meta(functions)

    @app.get("/xlwings/custom-functions-code.js")
    @app.get("/xlwings/custom-functions-code")
    async def functions_code() -> Response:
        return Response(custom_functions_js(), media_type="text/javascript")

    @app.post("/xlwings/custom-functions-call")
    async def functions_call(request: Request) -> dict:
        _check_auth(request)
        data = json.loads(await request.body())
        if data.get("func_name") not in {f.__xlfunc__["name"] for f in functions.FUNCTIONS}:
            raise HTTPException(status_code=404, detail="No such sipxl function.")
        data.setdefault("client", "Office.js")
        data.setdefault("version", xlremote.XLWINGS_VERSION)
        data.setdefault("runtime", "1.1")
        result = await xlwings.server.custom_functions_call(data, functions)
        return {"result": result}

    return app


app = create_app()
