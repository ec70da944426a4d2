"""Data of the exported scene (conftest.scene): a responsibility chain, text that looks like formulas."""

# Text that a spreadsheet could take for a formula, a DDE call or a hidden control character.
INJECTIONS = {
    "title": "=1+2",
    "description": "+SUM(A1:A9)",
    "location": "-2+3",
    "site_name": "@SUM(1)",
    "measures": "\t=cmd|' /C calc'!A0",
    "responsible_person": "\r=1",
}


CHAIN = [
    {
        "layer": "enterprise",
        "organization": "浏阳花炮制造有限公司",
        "post": "安全员",
        "person": "李四",
        "phone": "13800000001",
    },
    {
        "layer": "enterprise",
        "organization": "浏阳花炮制造有限公司",
        "post": "法定代表人",
        "person": "王五",
        "phone": "",
    },
    {"layer": "department", "organization": "浏阳市应急管理局", "post": "局长", "person": "赵六", "phone": "0731-1"},
    {"layer": "territorial", "organization": "浏阳市人民政府", "post": "副市长", "person": "钱七", "phone": ""},
    {
        "layer": "leadership",
        "organization": "浏阳市人民政府",
        "post": "副市长（分管工业）",
        "person": "孙八",
        "phone": "",
    },
]
