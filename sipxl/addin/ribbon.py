"""The SIPXL ribbon as the Office.js manifest declares it: one button per sipxl script, plus the task pane."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

__all__ = ["BUTTON_LABELS", "manifest_template"]

#: script name -> (label, tooltip); the order is the ribbon's.
BUTTON_LABELS = {
    "validate": ("Validate", "Mark bad cells and list every problem on the Issues sheet."),
    "score": ("Score", "Write each assessment's scores and the pre/post summary to the Scores sheet."),
    "summary": ("Summary", "Make a one-page project summary a head teacher can print."),
    "check_setup": ("Check setup", "Show the versions and whether this is a sipxl template."),
    "prepare": ("Prepare for submission", "Check the workbook and stamp it ready to send to the authority."),
}

TEMPLATE = Path(__file__).parent / "files" / "manifest.xml"

_ICONS = """<Icon>
                    <bt:Image size="16" resid="Icon.16x16" />
                    <bt:Image size="32" resid="Icon.32x32" />
                    <bt:Image size="80" resid="Icon.80x80" />
                  </Icon>"""


def _button(control_id: str, action: str) -> str:
    return f"""
                <Control xsi:type="Button" id="{control_id}">
                  <Label resid="{control_id}.Label" />
                  <Supertip>
                    <Title resid="{control_id}.Label" />
                    <Description resid="{control_id}.Tip" />
                  </Supertip>
                  {_ICONS}
                  {action}
                </Control>"""


def manifest_template(version: str) -> str:
    """xlwings Server's manifest template (Jinja, rendered by its manifest router) with the SIPXL tab.

    It keeps upstream's structure: shared runtime (so the custom functions register from the task pane page),
    ``FunctionFile`` for the ribbon's ``ExecuteFunction`` buttons, and Entra ID's ``WebApplicationInfo``.
    """
    controls, short, long = [], [], []
    for name, (label, tip) in BUTTON_LABELS.items():
        cid = "Sipxl." + name
        controls.append(_button(cid, f"""<Action xsi:type="ExecuteFunction">
                    <FunctionName>{name}</FunctionName>
                  </Action>"""))
        short.append(f'<bt:String id="{cid}.Label" DefaultValue={quoteattr(label)} />')
        long.append(f'<bt:String id="{cid}.Tip" DefaultValue={quoteattr(tip)} />')
    controls.append(_button("Sipxl.taskpane", """<Action xsi:type="ShowTaskpane">
                    <TaskpaneId>SipxlTaskpane</TaskpaneId>
                    <SourceLocation resid="Taskpane.Url" />
                  </Action>"""))
    short.append('<bt:String id="Sipxl.taskpane.Label" DefaultValue="Task pane" />')
    long.append('<bt:String id="Sipxl.taskpane.Tip" DefaultValue="Open the SIPXL task pane (and enter the token)." />')
    nl = "\n        "
    return (TEMPLATE.read_text(encoding="utf-8").replace("__VERSION__", version)
            .replace("__ICONS__", _ICONS).replace("__CONTROLS__", "".join(controls))
            .replace("__SHORT_STRINGS__", nl.join(short)).replace("__LONG_STRINGS__", nl.join(long)))
