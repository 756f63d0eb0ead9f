"""The authority-hosted add-in: xlwings Server running a `sipxl addin init` app, over real HTTPS on 127.0.0.1.

One app is written with a token, served by `sipxl serve --cert --key` with a certificate made here, and called
through httpx with the payloads the Office.js and VBA clients send (sipxl.excel.payload builds them from .xlsx).
"""

from __future__ import annotations

import copy
import datetime as dt
import ipaddress
import json
import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree
from support.apply import apply_actions

from sipxl.addin.project import init_app
from sipxl.addin.ribbon import BUTTON_LABELS
from sipxl.excel import buttons
from sipxl.excel.payload import payload_from_xlsx
from sipxl.sample import build_clean_project
from sipxl.scoring import gas_t_score

TOKEN = "token-for-the-test-authority"
MAX_BODY = 1024 * 1024
XSD = Path(__file__).parent / "data" / "officeapp-xsd" / "OfficeAppManifestV1_1.xsd"
NS = {
    "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
    "v": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
    "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (PEM), made with cryptography."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def start(args: list[str], base: str, log: Path, verify: object = True, env: dict | None = None) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "sipxl.cli", *args], stdout=log.open("w"),
                            stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"sipxl serve exited: {log.read_text()}")
        try:
            if httpx.get(base + "/", verify=verify, timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.terminate()
    raise AssertionError(f"sipxl serve did not answer: {log.read_text()}")


@dataclass
class Served:
    base: str
    app: Path
    cert: Path
    client: httpx.Client  # trusts the test certificate, sends the token

    def call(self, script: str, body: object, **kw: object) -> httpx.Response:
        return self.client.post(f"/xlwings/custom-scripts-call/{script}", json=body, **kw)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    tmp = tmp_path_factory.mktemp("addin")
    port = free_port()
    base = f"https://127.0.0.1:{port}"
    app = init_app(tmp / "app", base, token=TOKEN, authority="Test Council")
    cert, key = self_signed(tmp)
    proc = start(["serve", "--app", str(app), "--port", str(port), "--cert", str(cert), "--key", str(key)], base,
                 tmp / "serve.log", verify=ssl.create_default_context(cafile=str(cert)),
                 env={"SIPXL_MAX_BODY_BYTES": str(MAX_BODY)})
    client = httpx.Client(base_url=base, verify=ssl.create_default_context(cafile=str(cert)),
                          headers={"Authorization": TOKEN}, timeout=60)
    try:
        yield Served(base, app, cert, client)
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_clean_project(tmp_path_factory.mktemp("server") / "project.xlsx", seed=7)


@pytest.fixture(scope="module")
def payloads(project: Path) -> dict[str, dict]:
    return {kind: payload_from_xlsx(project, client=kind) for kind in ("Office.js", "VBA")}


# ---------------------------------------------------------------- HTTPS and authentication

def test_served_over_https_with_the_given_certificate(served: Served) -> None:
    assert served.client.get("/").json() == {"status": "ok"}
    with pytest.raises(httpx.ConnectError):  # a client that does not trust the certificate refuses it: real TLS
        httpx.get(served.base + "/", timeout=5)
    with pytest.raises(httpx.HTTPError):  # and the port does not speak plain HTTP
        httpx.get(served.base.replace("https://", "http://") + "/", timeout=5)


def test_calls_need_the_token(served: Served, project: Path) -> None:
    payload = payload_from_xlsx(project, client="VBA")
    anon = httpx.Client(base_url=served.base, verify=ssl.create_default_context(cafile=str(served.cert)))
    url = "/xlwings/custom-scripts-call/check_setup"
    assert anon.post(url, json=payload).status_code == 401
    assert anon.post(url, json=payload, headers={"Authorization": TOKEN + "x"}).status_code == 401
    assert anon.post("/xlwings/custom-functions-call", json=_gas_call([[1]], None)).status_code == 401
    assert anon.post(url, json=payload, headers={"Authorization": TOKEN}).status_code == 200
    # the manifest, task pane and icons stay public: Excel fetches them without the token
    assert anon.get("/manifest.xml").status_code == 200 and anon.get("/taskpane.html").status_code == 200


# ---------------------------------------------------------------- the five buttons, both clients

@pytest.mark.parametrize("kind", ["Office.js", "VBA"])
@pytest.mark.parametrize("script", list(buttons.BUTTONS))
def test_every_button_answers_both_clients(served: Served, project: Path, tmp_path: Path, kind: str,
                                           script: str) -> None:
    response = served.call(script, payload_from_xlsx(project, client=kind))
    assert response.status_code == 200, response.text
    actions = response.json()["actions"]
    assert actions and actions[-1]["func"] == "alert"  # every button ends by telling the teacher
    # one message: the Office.js client's dialog shows one at a time (a second closes the first)
    assert [a["func"] for a in actions].count("alert") == 1
    apply_actions(project, response.json(), tmp_path / "out.xlsx", client=kind)
    expected_sheet = {"validate": buttons.ISSUES_SHEET, "score": buttons.SCORES_SHEET,
                      "summary": buttons.SUMMARY_SHEET, "prepare": buttons.ISSUES_SHEET}.get(script)
    if expected_sheet:
        assert expected_sheet in openpyxl.load_workbook(tmp_path / "out.xlsx").sheetnames


def test_scripts_meta_lists_exactly_the_five_buttons(served: Served) -> None:
    meta = served.client.get("/xlwings/custom-scripts-meta.json").json()
    assert sorted(m["function_name"] for m in meta) == sorted(buttons.BUTTONS)


def test_unknown_script_is_refused_in_words(served: Served, payloads: dict[str, dict]) -> None:
    for name in ("format_c", "__class__", "script"):
        response = served.call(name, payloads["VBA"])
        assert response.status_code == 400 and "no script" in response.json()["detail"]
    response = served.call("validate", {**payloads["VBA"], "args": ["unexpected"]})
    assert response.status_code == 400  # xlwings Server's own check: the scripts take no arguments


def test_vba_client_of_another_xlwings_version_is_told_why(served: Served, project: Path) -> None:
    payload = payload_from_xlsx(project, client="VBA")
    payload["version"] = "0.30.0"
    response = served.call("validate", payload)
    assert response.status_code == 400
    assert "0.30.0" in response.text and "0.37.8" in response.text


# ---------------------------------------------------------------- malformed and oversized requests

@pytest.mark.parametrize("body", [b"", b"not json", b"{", b"[]", b"null", b'"text"', b"42",
                                  b'{"client": "VBA"}', b'{"client": "VBA", "version": "0.37.8", "book": 3}',
                                  b'{"client": "VBA", "version": "0.37.8", "book": {"name": "a"}, "sheets": {}}',
                                  "{\"a\": \"\ud800\"}".encode("utf-8", "surrogatepass")])
def test_malformed_call_gets_400(served: Served, body: bytes) -> None:
    headers = {"content-type": "application/json"}
    response = served.client.post("/xlwings/custom-scripts-call/validate", content=body, headers=headers)
    assert response.status_code == 400, response.text
    assert response.json()["detail"]
    response = served.client.post("/xlwings/custom-functions-call", content=body, headers=headers)
    assert response.status_code == 400, response.text


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_wrong_shaped_payloads_never_get_a_server_error(served: Served, payloads: dict[str, dict],
                                                        data: st.DataObject) -> None:
    """A real payload with one part (top level, the book, a sheet) replaced by arbitrary JSON: 200 or 400."""
    payload = copy.deepcopy(payloads[data.draw(st.sampled_from(sorted(payloads)))])
    target = data.draw(st.sampled_from(["top", "book", "sheet", "sheet_values", "names"]))
    junk = data.draw(json_values)
    if target == "top":
        payload[data.draw(st.sampled_from(sorted(payload)))] = junk
    elif target == "book":
        payload["book"][data.draw(st.sampled_from(sorted(payload["book"])))] = junk
    elif target == "sheet":
        sheet = payload["sheets"][data.draw(st.integers(0, len(payload["sheets"]) - 1))]
        sheet[data.draw(st.sampled_from(sorted(sheet)))] = junk
    elif target == "sheet_values":
        payload["sheets"][0]["values"] = junk
    else:
        payload["names"] = junk
    script = data.draw(st.sampled_from(list(buttons.BUTTONS)))
    response = served.call(script, payload)
    assert response.status_code in (200, 400), (response.status_code, response.text)
    if response.status_code == 200:
        assert response.json()["actions"][-1]["func"] == "alert"


def test_oversized_body_gets_413(served: Served) -> None:
    url = "/xlwings/custom-scripts-call/validate"
    big = b"{" + b" " * MAX_BODY + b"}"
    response = served.client.post(url, content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and "larger" in response.json()["detail"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the bytes are counted as they arrive
        for _ in range(MAX_BODY // 65536 + 2):
            yield b" " * 65536

    response = served.client.post(url, content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413
    # just under the limit, the same body is judged on its content
    response = served.client.post(url, content=b" " * (MAX_BODY - 10), headers={"content-type": "application/json"})
    assert response.status_code == 400


# ---------------------------------------------------------------- manifest, ribbon, alerts, custom functions

def _manifest(served: Served) -> etree._Element:
    return etree.fromstring(served.client.get("/manifest.xml").content)


def test_manifest_validates_against_microsofts_schemas(served: Served) -> None:
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    root = _manifest(served)
    assert schema.validate(root), schema.error_log
    # the schemas do catch a broken manifest
    broken = etree.fromstring(etree.tostring(root).replace(b'lifetime="long"', b'lifetime="forever"'))
    assert not schema.validate(broken)


def test_manifest_has_this_authoritys_own_id(served: Served, tmp_path: Path) -> None:
    ids = tomllib.loads((served.app / "pyproject.toml").read_text())["tool"]["xlwings_server"]
    root = _manifest(served)
    assert root.findtext("o:Id", namespaces=NS) == ids["manifest_id_prod"]
    assert root.findtext("o:ProviderName", namespaces=NS) == "Test Council"
    other = init_app(tmp_path / "other", "https://sipxl.other.example")
    other_ids = tomllib.loads((other / "pyproject.toml").read_text())["tool"]["xlwings_server"]
    assert other_ids["manifest_id_prod"] != ids["manifest_id_prod"]
    env = (other / ".env").read_text()
    assert "XLWINGS_HOSTNAME=sipxl.other.example" in env and 'XLWINGS_AUTH_PROVIDERS=[]' in env


def test_manifest_ribbon_names_the_scripts_and_every_url_is_served(served: Served) -> None:
    root = _manifest(served)
    assert root.find(".//v:CustomTab", NS).get("id") == "SipxlTab"
    functions = [e.text for e in root.iterfind(".//v:Action/v:FunctionName", NS)]
    assert functions == list(BUTTON_LABELS) and set(functions) == set(buttons.BUTTONS)
    used = {e.get("resid") for e in root.iter() if e.get("resid")}
    defined = {e.get("id") for e in root.iter() if e.tag.startswith(f"{{{NS['bt']}}}") and e.get("id")}
    assert used <= defined
    labels = {e.get("id"): e.get("DefaultValue") for e in root.iterfind(".//bt:ShortStrings/bt:String", NS)}
    assert labels["SipxlTab.Label"] == "SIPXL" and labels["Functions.Namespace"] == "SIPXL"
    urls = [e.get("DefaultValue") for e in root.iter() if (e.get("DefaultValue") or "").startswith("http")]
    urls += [e.text for e in root.iterfind(".//o:AppDomain", NS)]
    assert urls and all(u.startswith(served.base) for u in urls)
    for url in urls:
        assert served.client.get(url).status_code == 200, url


def test_ribbon_buttons_run_their_scripts_in_node(served: Served, tmp_path: Path) -> None:
    """The served ribbon.js, run under Node with Office.actions/xlwings.runPython recorded: each ribbon
    FunctionName runs its script with the auth token and completes the event."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("Node is not installed")
    (tmp_path / "ribbon.js").write_text(served.client.get("/static/js/ribbon.js").text)
    (tmp_path / "auth.js").write_text(served.client.get("/static/js/auth.js").text)
    harness = tmp_path / "run.js"
    harness.write_text("""
const fs = require("fs"); const vm = require("vm");
const handlers = {}; const calls = []; let completed = 0;
const store = { "sipxl-token": "T0K" };
const ctx = {
  Office: { actions: { associate: (name, fn) => { handlers[name] = fn; } } },
  xlwings: { runPython: async (o) => { calls.push(o); } },
  config: { authProviders: ["custom"] },
  localStorage: { getItem: (k) => store[k] ?? null },
};
ctx.globalThis = ctx;
vm.createContext(ctx);
vm.runInContext(fs.readFileSync(process.argv[2] + "/auth.js", "utf8"), ctx);
vm.runInContext(fs.readFileSync(process.argv[2] + "/ribbon.js", "utf8"), ctx);
(async () => {
  for (const name of Object.keys(handlers)) { await handlers[name]({ completed: () => { completed += 1; } }); }
  console.log(JSON.stringify({ handlers: Object.keys(handlers), calls, completed }));
})();
""")
    out = json.loads(subprocess.run([node, str(harness), str(tmp_path)], capture_output=True, text=True,
                                    check=True, timeout=60).stdout)
    assert out["handlers"] == list(BUTTON_LABELS) and out["completed"] == len(BUTTON_LABELS)
    assert [c["scriptName"] for c in out["calls"]] == list(BUTTON_LABELS)
    assert all(c["auth"] == "T0K" and c["headers"] == {"Auth-Provider": "custom"} for c in out["calls"])


def test_every_alert_reaches_the_teacher_through_the_dialog(served: Served, project: Path) -> None:
    """xlwings Server's Office.js client runs an `alert` action, and any failed call, through its dialog: the
    dialog page shows the button's message."""
    index = served.client.get("/static/js/custom-scripts/index.js").text
    parent = served.client.get("/static/js/alerts/parent.js").text
    assert "alert: alert" in index and "await xlAlert(error" in index  # alert action and errors -> xlAlert
    assert "displayDialogAsync" in parent and "/xlwings/alert?prompt=" in parent
    [action] = served.call("check_setup", payload_from_xlsx(project, client="Office.js")).json()["actions"]
    prompt, title, buttons_, mode, callback = action["args"]
    query = urlencode({"prompt": prompt, "title": title, "buttons": buttons_, "mode": mode, "callback": callback})
    page = served.client.get(f"/xlwings/alert?{query}")
    assert page.status_code == 200
    assert "sipp_project" in page.text and title == "SIPXL" and "SIPXL" in page.text


def _gas_call(levels: object, weights: object) -> dict:
    return {"func_name": "GAST", "args": [levels, weights], "caller_address": "Sheet1!A1", "client": "Office.js",
            "version": "0.37.8", "runtime": "1.4", "culture_info_name": "en-GB"}


def test_custom_functions_register_in_the_shared_runtime_and_answer(served: Served) -> None:
    meta = served.client.get("/xlwings/custom-functions-meta.json").json()
    names = {f["name"] for f in meta["functions"]}
    assert {"GAST", "LEUVENMEAN", "LEUVENENGAGED", "MEANCHANGE"} <= names
    code = served.client.get("/xlwings/custom-functions-code.js").text
    for name in names:
        assert f'CustomFunctions.associate("{name}"' in code
    # registration: the custom-functions script is loaded by the task pane page, which the manifest makes the
    # shared runtime (Runtime, FunctionFile and the functions' Page all point at it)
    taskpane = served.client.get("/taskpane.html").text
    assert "/xlwings/custom-functions-code" in taskpane
    root = _manifest(served)
    assert root.find(".//v:Runtimes/v:Runtime", NS).get("lifetime") == "long"
    assert {root.find(".//v:Runtimes/v:Runtime", NS).get("resid"), root.find(".//v:FunctionFile", NS).get("resid"),
            root.find(".//v:Page/v:SourceLocation", NS).get("resid")} == {"Taskpane.Url"}
    levels, weights = [[-2], [0], [-1], [2], [0], [1]], [[3], [5], [1], [4], [2], [6]]
    response = served.client.post("/xlwings/custom-functions-call", json=_gas_call(levels, weights))
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    value = result[0][0] if isinstance(result, list) else result
    assert value == pytest.approx(gas_t_score([-2, 0, -1, 2, 0, 1], [3, 5, 1, 4, 2, 6])) == pytest.approx(55.0)


def test_taskpane_has_every_button(served: Served) -> None:
    html = served.client.get("/taskpane.html").text
    for name in buttons.BUTTONS:
        assert f'xw-click="{name}"' in html
    assert 'id="sipxl-token"' in html  # the token field, because this app has a token


def test_trial_serve_without_an_app_answers_on_localhost(project: Path, tmp_path: Path) -> None:
    """README's `sipxl serve`: a throw-away app on http://127.0.0.1 (the VBA route works over HTTP)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start(["serve", "--port", str(port)], base, tmp_path / "serve.log")
    try:
        response = httpx.post(base + "/xlwings/custom-scripts-call/check_setup",
                              json=payload_from_xlsx(project, client="VBA"), timeout=60)
        assert response.status_code == 200
        [action] = response.json()["actions"]
        assert action["func"] == "alert" and "sipp_project" in action["args"][0]
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(func_name=st.sampled_from(["GAST", "LEUVENMEAN", "LEUVENENGAGED", "MEANCHANGE", "NOPE", "", "__class__"]),
       args=st.lists(st.none() | json_values | st.lists(st.lists(json_values, min_size=1, max_size=3), min_size=1,
                                                         max_size=3), max_size=4))
def test_wrong_function_calls_never_get_a_server_error(served: Served, func_name: str, args: list) -> None:
    """A well-formed envelope around any function name and arguments: a result (200) or a refusal (400)."""
    response = served.client.post("/xlwings/custom-functions-call", json={
        "func_name": func_name, "args": args, "caller_address": "Sheet1!A1", "client": "Office.js",
        "version": "0.37.8", "runtime": "1.4"})
    assert response.status_code in (200, 400), (response.status_code, response.text)
