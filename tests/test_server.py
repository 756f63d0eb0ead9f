"""The authority-hosted add-in server, over HTTP (FastAPI's TestClient), with Office.js and VBA payloads."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient

import sipxl.excel.xlremote  # noqa: F401  (xlwings environment first)
from sipxl.engine import check_file
from sipxl.excel import buttons
from sipxl.excel.apply import apply_actions
from sipxl.excel.payload import payload_from_xlsx
from sipxl.excel.server import BUTTON_LABELS, STATIC, create_app
from sipxl.sample import build_clean_project
from sipxl.scoring import gas_t_score
from sipxl.spec import get_template, layout_template

NS = {
    "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
    "v": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
    "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
}


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(create_app())


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_clean_project(tmp_path_factory.mktemp("server") / "project.xlsx", seed=7)


@pytest.mark.parametrize("kind", ["Office.js", "VBA"])
@pytest.mark.parametrize("script", list(buttons.BUTTONS))
def test_every_button_answers_over_http(client: TestClient, project: Path, tmp_path: Path, kind: str,
                                        script: str) -> None:
    response = client.post(f"/xlwings/custom-scripts-call/{script}", json=payload_from_xlsx(project, client=kind))
    assert response.status_code == 200, response.text
    actions = response.json()["actions"]
    assert actions and actions[-1]["func"] == "alert"
    effects = apply_actions(project, response.json(), tmp_path / "out.xlsx", client=kind)
    assert [e["func"] for e in effects if e["func"] == "alert"] == ["alert"]
    wb = openpyxl.load_workbook(tmp_path / "out.xlsx")
    expected_sheet = {"validate": buttons.ISSUES_SHEET, "score": buttons.SCORES_SHEET,
                      "summary": buttons.SUMMARY_SHEET, "prepare": buttons.ISSUES_SHEET}.get(script)
    if expected_sheet:
        assert expected_sheet in wb.sheetnames


def test_validate_over_http_lists_the_engines_issues(client: TestClient, project: Path, tmp_path: Path) -> None:
    place = layout_template(get_template("sipp_project")).tables["pupils"]
    wb = openpyxl.load_workbook(project)
    wb["Pupils"].cell(place.first_row + 1, place.columns["simd_decile"] + 1).value = 14  # out of 1-10
    src = tmp_path / "bad.xlsx"
    wb.save(src)
    expected = check_file(src).issues
    assert any(i.code == "SIPXL-V004" for i in expected)
    response = client.post("/xlwings/custom-scripts-call/validate", json=payload_from_xlsx(src, client="VBA"))
    apply_actions(src, response.json(), tmp_path / "out.xlsx", client="VBA")
    rows = list(openpyxl.load_workbook(tmp_path / "out.xlsx")[buttons.ISSUES_SHEET].iter_rows(values_only=True))
    assert [r[1] for r in rows[buttons.ISSUES_FIRST_ROW + 1:]] == [i.code for i in expected]


def test_vba_client_with_another_xlwings_version_is_told_why(client: TestClient, project: Path) -> None:
    payload = payload_from_xlsx(project, client="VBA")
    payload["version"] = "0.30.0"
    response = client.post("/xlwings/custom-scripts-call/validate", json=payload)
    assert response.status_code == 400
    assert "0.30.0" in response.json()["detail"] and "0.37.8" in response.json()["detail"]


def test_unknown_script_and_bad_body(client: TestClient) -> None:
    assert client.post("/xlwings/custom-scripts-call/format_c", json={}).status_code == 404
    response = client.post("/xlwings/custom-scripts-call/validate", content=b"not json")
    assert response.status_code == 400


def test_scripts_meta_lists_the_five_buttons(client: TestClient) -> None:
    meta = client.get("/xlwings/custom-scripts-meta.json").json()
    assert sorted(m["function_name"] for m in meta) == sorted(buttons.BUTTONS)


def test_manifest_is_valid_xml_and_its_buttons_name_existing_scripts(client: TestClient) -> None:
    response = client.get("/manifest.xml", headers={"x-forwarded-proto": "https"})
    assert response.status_code == 200 and "xml" in response.headers["content-type"]
    root = ET.fromstring(response.content)
    assert root.tag == f"{{{NS['o']}}}OfficeApp"
    tab = root.find(".//v:CustomTab", NS)
    assert tab is not None and tab.get("id") == "SipxlTab"
    functions = [e.text for e in root.iterfind(".//v:Action/v:FunctionName", NS)]
    scripts = {m["function_name"] for m in client.get("/xlwings/custom-scripts-meta.json").json()}
    assert functions == list(BUTTON_LABELS) and set(functions) <= scripts
    assert set(functions) == set(buttons.BUTTONS)
    # every resource id the manifest uses is defined, and every URL is served by this app over https
    used = {e.get("resid") for e in root.iter() if e.get("resid")}
    defined = {e.get("id") for e in root.iter() if e.tag.startswith(f"{{{NS['bt']}}}") and e.get("id")}
    assert used <= defined
    urls = [e.get("DefaultValue") for e in root.iter() if (e.get("DefaultValue") or "").startswith("http")]
    assert urls and all(u.startswith("https://testserver") for u in urls)
    for url in urls:
        assert client.get(url.replace("https://testserver", "")).status_code == 200, url
    labels = {e.get("id"): e.get("DefaultValue") for e in root.iterfind(".//bt:ShortStrings/bt:String", NS)}
    assert labels["SipxlTab.Label"] == "SIPXL" and labels["Functions.Namespace"] == "SIPXL"


def test_taskpane_glue_binds_every_script(client: TestClient) -> None:
    js = client.get("/static/sipxl.js").text
    html = client.get("/taskpane.html").text
    for name in buttons.BUTTONS:
        assert f'"{name}"' in js and f'data-script="{name}"' in html
    # the glue can run every action the buttons emit
    implemented = set(re.findall(r"^  async (\w+)\(context, a\)", js, re.M))
    assert implemented >= {"setValues", "setRangeColor", "setNumberFormat", "addHyperlink", "setAutofit", "addSheet",
                           "sheetClear", "activateSheet", "alert", "runMacro"}
    assert client.get("/static/../server.py").status_code == 404
    if shutil.which("node"):
        subprocess.run(["node", "--check", str(STATIC / "sipxl.js")], check=True)


def test_custom_functions_are_listed_and_answer(client: TestClient) -> None:
    meta = client.get("/xlwings/custom-functions-meta.json").json()
    names = {f["name"] for f in meta["functions"]}
    assert {"GAST", "LEUVENMEAN", "LEUVENENGAGED", "MEANCHANGE"} <= names
    code = client.get("/xlwings/custom-functions-code.js").text
    for name in names:
        assert f'CustomFunctions.associate("{name}"' in code
    levels = [[-2], [0], [-1], [2], [0], [1]]
    weights = [[3], [5], [1], [4], [2], [6]]
    body = {"func_name": "GAST", "args": [levels, weights], "caller_address": "Sheet1!A1", "client": "Office.js",
            "version": "0.37.8", "runtime": "1.1"}
    response = client.post("/xlwings/custom-functions-call", json=body)
    assert response.status_code == 200, response.text
    result = response.json()["result"]
    value = result[0][0] if isinstance(result, list) else result
    assert value == pytest.approx(55.0) == pytest.approx(gas_t_score([-2, 0, -1, 2, 0, 1], [3, 5, 1, 4, 2, 6]))
    body = {**body, "func_name": "LEUVENENGAGED", "args": [[[3, 4, 2], [5, 4, 4], [2, 2, 3], [4, 5, 5], [3, 3, 4],
                                                              [1, 2, 2]]]}
    result = client.post("/xlwings/custom-functions-call", json=body).json()["result"]
    assert (result[0][0] if isinstance(result, list) else result) == pytest.approx(44.444, abs=1e-3)
    body = {**body, "func_name": "GAST", "args": [[[3]], None]}
    result = client.post("/xlwings/custom-functions-call", json=body).json()["result"]
    assert "SIPXL" in json.dumps(result)


def test_sipxl_serve_answers_on_localhost(project: Path, tmp_path: Path) -> None:
    """`sipxl serve` starts uvicorn on localhost; a VBA-style POST gets the actions back."""
    import socket
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "sipxl.cli", "serve", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(base + "/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        response = httpx.post(base + "/xlwings/custom-scripts-call/check_setup",
                              json=payload_from_xlsx(project, client="VBA"), timeout=30)
        assert response.status_code == 200
        [action] = response.json()["actions"]
        assert action["func"] == "alert" and "sipp_project" in action["args"][0]
        assert ET.fromstring(httpx.get(base + "/manifest.xml", timeout=5).content) is not None
    finally:
        proc.terminate()
        proc.wait(timeout=20)
