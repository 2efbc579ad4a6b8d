"""Chinese for the validator's English messages (XSD, XML, sandbox, timers, loader, deploy).

Checks write their message in English where it is built (often around a text that comes from lxml,
SpiffWorkflow or Python's parser); `chinese()` gives the Chinese one. Each rule is a pattern of one
message form; a `rest` group is itself translated, so "condition: calling 'open' is not allowed"
becomes "条件表达式：不允许调用 open". A message no rule knows (a third-party text we never saw)
keeps its English after a Chinese lead-in, so the Chinese line never is empty or silent.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_NAMESPACES = {
    "http://www.omg.org/spec/BPMN/20100524/MODEL": "bpmn:",
    "http://www.omg.org/spec/BPMN/20100524/DI": "bpmndi:",
    "http://www.omg.org/spec/DD/20100524/DC": "dc:",
    "http://www.omg.org/spec/DD/20100524/DI": "di:",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "dmn:",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "dmn:",
    "http://spiffworkflow.org/bpmn/schema/1.0/core": "spiffworkflow:",
}
FALLBACK = "校验未通过："

WHAT = {
    "condition": "条件表达式",
    "script": "脚本",
    "timer": "定时器表达式",
    "messagePayload": "消息内容表达式",
    "preScript": "前置脚本",
    "postScript": "后置脚本",
    "dueDate": "期限表达式（dueDate）",
}
DMN_TAGS = {"inputExpression": "输入表达式", "inputEntry": "输入条件", "outputEntry": "输出值"}
TIMER_KINDS = {
    "date-time": "日期时间",
    "duration": "时长",
    "repeating interval": "循环周期",
    "timer": "定时器值",
}
PYTHON_SYNTAX = {
    "invalid syntax": "无效的语法",
    "unexpected EOF while parsing": "表达式意外结束",
    "unexpected indent": "多余的缩进",
    "expected an indented block": "缺少缩进的代码块",
    "invalid decimal literal": "无效的数字",
    "'return' outside function": "return 只能用在函数内",
}

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _short(text: str | None) -> str:
    """Write `{namespace}tag` as `prefix:tag`."""
    if not text:
        return ""
    for uri, prefix in _NAMESPACES.items():
        text = text.replace("{" + uri + "}", prefix)
    return text


def _expected(match: re.Match[str]) -> str:
    listed = match.groupdict().get("exp")
    return f"，此处应为：{_short(listed)}" if listed else ""


def _attr(match: re.Match[str]) -> str:
    attribute = match.groupdict().get("attr")
    return f" 的属性 {attribute} " if attribute else " "


def _inner(message: str) -> str:
    """The Chinese of a quoted message if a rule knows it, else the message as it is."""
    return chinese(message) if known(message) else message


def _syntax(detail: str) -> str:
    if detail in PYTHON_SYNTAX:
        return PYTHON_SYNTAX[detail]
    if found := re.fullmatch(r"'(.)' was never closed", detail):
        return f"括号“{found[1]}”没有闭合"
    if found := re.fullmatch(r"unmatched '(.)'", detail):
        return f"括号“{found[1]}”没有对应的开括号"
    if detail.startswith(("unterminated string literal", "EOL while scanning string literal")):
        return "字符串缺少结束引号"
    if detail.startswith("invalid syntax. Perhaps you forgot a comma"):
        return "无效的语法，可能少了逗号"
    return detail


_EXPECTED = r"(?: Expected is (?:one of )?\( ?(?P<exp>.*?) ?\)\.)?"
_RULES: list[tuple[str, Callable[[re.Match[str]], str]]] = [
    # XML and XSD (lxml's schema messages, as SpiffWorkflow's parser passes them on)
    (r"XML syntax error: (?P<d>.*)", lambda m: f"XML 语法错误（{m['d']}）"),
    (r"DOCTYPE declarations are not allowed", lambda m: "不允许 DOCTYPE 声明"),
    (r"file is larger than (?P<n>\d+) KiB", lambda m: f"文件大于 {m['n']} KiB"),
    (r"file is not UTF-8 text", lambda m: "文件不是 UTF-8 编码的文本"),
    (
        r"Element '(?P<el>[^']+)', attribute '(?P<attr>[^']+)': The attribute '[^']+' is not allowed\.",
        lambda m: f"元素 {_short(m['el'])} 不允许有属性 {m['attr']}（不符合 BPMN/DMN 架构）",
    ),
    (
        r"Element '(?P<el>[^']+)': The attribute '(?P<attr>[^']+)' is required but missing\.",
        lambda m: f"元素 {_short(m['el'])} 缺少必需的属性 {m['attr']}（不符合 BPMN/DMN 架构）",
    ),
    (
        r"Element '(?P<el>[^']+)': This element is not expected\." + _EXPECTED,
        lambda m: f"元素 {_short(m['el'])} 不应出现在这里（不符合 BPMN/DMN 架构）{_expected(m)}",
    ),
    (
        r"Element '(?P<el>[^']+)': Missing child element\(s\)\." + _EXPECTED,
        lambda m: f"元素 {_short(m['el'])} 缺少子元素（不符合 BPMN/DMN 架构）{_expected(m)}",
    ),
    (
        r"Element '(?P<el>[^']+)'(?:, attribute '(?P<attr>[^']+)')?: '(?P<v>.*)' is not a valid value of "
        r"the (?:local )?(?:atomic|list|union) type(?: '(?P<t>[^']+)')?\.",
        lambda m: (
            f"元素 {_short(m['el'])}{_attr(m)}的值“{m['v']}”不合法（应为 {_short(m['t']) or '规定的类型'}）"
        ),
    ),
    (
        r"Element '(?P<el>[^']+)': Character content other than whitespace is not allowed.*",
        lambda m: f"元素 {_short(m['el'])} 中不允许有文字内容（不符合 BPMN/DMN 架构）",
    ),
    (
        r"Element '(?P<el>[^']+)'(?:, attribute '(?P<attr>[^']+)')?: (?P<d>.*)",
        lambda m: f"元素 {_short(m['el'])}{_attr(m)}不符合 BPMN/DMN 架构（{_short(m['d'])}）",
    ),
    # loader and deploy
    (r"cannot read diagram: (?P<rest>.*)", lambda m: f"无法读取流程图（{_inner(m['rest'])}）"),
    (
        r"call activity calls process '(?P<p>[^']*)', which is not in this deployment or deployed",
        lambda m: f"调用活动调用的流程“{m['p']}”既不在本次部署中，也没有部署过",
    ),
    (
        r"start form key '(?P<k>[^']*)' does not resolve to a form",
        lambda m: f"开始事件的表单“{m['k']}”不存在",
    ),
    (
        r"starterRoles names '(?P<r>[^']*)', which is not a known role",
        lambda m: f"发起角色（starterRoles）中的“{m['r']}”不是已知角色",
    ),
    (
        r"external message '(?P<n>[^']*)': unknown sender role\(s\) (?P<r>.*)",
        lambda m: f"外部消息“{m['n']}”的发送角色 {m['r']} 不存在",
    ),
    (r"form key '(?P<k>[^']*)' does not resolve to a form", lambda m: f"表单“{m['k']}”不存在"),
    (r"role '(?P<r>[^']*)' is not a known role", lambda m: f"角色“{m['r']}”不存在"),
    (
        r"number series '(?P<s>[^']*)' is not configured in numbering\.yaml",
        lambda m: f"编号序列“{m['s']}”没有在 numbering.yaml 中配置",
    ),
    (
        r"only \.bpmn, \.dmn and \.yaml form files can be deployed",
        lambda m: "只能部署 .bpmn、.dmn 文件和 .yaml 表单文件",
    ),
    (r"invalid YAML: (?P<d>.*)", lambda m: f"YAML 格式错误（{m['d']}）"),
    (r"not UTF-8 text: (?P<d>.*)", lambda m: f"文件不是 UTF-8 编码的文本（{m['d']}）"),
    (r"key '(?P<k>[^']*)' is also in (?P<f>.*)", lambda m: f"表单键“{m['k']}”与 {m['f']} 重复"),
    # form definitions (YAML) deployed beside the diagrams
    (r"definition is longer than (?P<n>\d+) characters", lambda m: f"定义超过 {m['n']} 个字符"),
    (r"(?P<w>.+) must be a mapping", lambda m: f"{m['w']} 必须是映射（键: 值）"),
    (
        r"unknown key (?P<k>'[^']*') in (?P<w>.+) \(allowed: (?P<a>.*)\)",
        lambda m: f"{m['w']} 中有未知的键 {m['k']}（允许：{m['a']}）",
    ),
    (
        r"(?P<k>'[^']*') is required, as \{zh: \.\.\., en: \.\.\.\}",
        lambda m: f"缺少 {m['k']}，应写成 {{zh: ..., en: ...}}",
    ),
    (r"(?P<k>'[^']*') is required", lambda m: f"缺少必填项 {m['k']}"),
    (
        r"(?P<k>'[^']*') must be non-blank text \(quote values like yes/no/1\)",
        lambda m: f"{m['k']} 必须是非空文字（yes/no/1 这类值请加引号）",
    ),
    (r"(?P<k>'[^']*') must be true or false", lambda m: f"{m['k']} 必须是 true 或 false"),
    (r"(?P<k>'[^']*') must be a whole number >= 0", lambda m: f"{m['k']} 必须是不小于 0 的整数"),
    (r"(?P<k>'[^']*') must be a non-empty list", lambda m: f"{m['k']} 必须是非空列表"),
    (
        r"key (?P<k>'[^']*') must match the file name (?P<f>'[^']*')",
        lambda m: f"表单键 {m['k']} 必须与文件名 {m['f']} 一致",
    ),
    (
        r"shows: (?P<i>.*) must be a snake_case field name",
        lambda m: f"shows 中的 {m['i']} 必须是 snake_case 字段名",
    ),
    (r"shows: (?P<i>.*) is listed twice", lambda m: f"shows 中的 {m['i']} 重复列出"),
    (
        r"(?P<k>\w+) (?P<v>'.*') must be snake_case \(a-z, 0-9, _\)",
        lambda m: f"{m['k']} {m['v']} 必须是 snake_case（a-z、0-9、_）",
    ),
    (
        r"unknown field type (?P<t>'[^']*') \(known: (?P<a>.*)\)",
        lambda m: f"未知的字段类型 {m['t']}（可用：{m['a']}）",
    ),
    (
        r"duplicate field name (?P<n>'[^']*') \(first on line (?P<l>\d+)\)",
        lambda m: f"字段名 {m['n']} 重复（第一次出现在第 {m['l']} 行）",
    ),
    (r"prefill is only allowed on top-level fields", lambda m: "prefill 只能用于顶层字段"),
    (r"money cannot be negative: min must be >= 0", lambda m: "金额不能为负：min 必须不小于 0"),
    (r"(?P<k>[\w ]+) must be at least (?P<n>\d+)", lambda m: f"{m['k']} 至少为 {m['n']}"),
    (r"(?P<k>[\w ]+) must be at most (?P<n>\d+)", lambda m: f"{m['k']} 最多为 {m['n']}"),
    (r"duplicate choice value (?P<v>.*)", lambda m: f"选项值 {m['v']} 重复"),
    (r"groups may be nested at most (?P<n>\d+) deep", lambda m: f"分组最多嵌套 {m['n']} 层"),
    (
        r"(?P<a>\w+) \((?P<x>.*)\) is greater than (?P<b>\w+) \((?P<y>.*)\)",
        lambda m: f"{m['a']}（{m['x']}）大于 {m['b']}（{m['y']}）",
    ),
    (r"a required field cannot have a default", lambda m: "必填字段不能有默认值"),
    (r"default (?P<v>'.*?'):? (?P<d>.*)", lambda m: f"默认值 {m['v']} 不合法（{m['d']}）"),
    # expressions (lint): what, then the sandbox's reason
    (
        r"(?P<rest>.*); write it quoted, e\.g\. (?P<q>\".*\")",
        lambda m: f"{chinese(m['rest'])}；请加引号，例如 {m['q']}",
    ),
    (r"empty (?P<w>\w+)", lambda m: f"{WHAT.get(m['w'], m['w'])}为空"),
    (
        r"timer expression (?P<x>.*) is not a quoted string",
        lambda m: f"定时器表达式 {m['x']} 不是带引号的字符串",
    ),
    (
        r"timer value (?P<x>.*) is not an ISO 8601 date, duration or cycle",
        lambda m: f"定时器值 {m['x']} 不是 ISO 8601 格式的日期、时长或循环周期",
    ),
    (r"timer value (?P<x>'.*'|\".*\"): (?P<rest>.*)", lambda m: f"定时器值 {m['x']}：{chinese(m['rest'])}"),
    (
        r"a cycle's interval must be longer than zero \(it would fire on every poll\)",
        lambda m: "循环周期的间隔必须大于零（否则每次轮询都会触发）",
    ),
    (
        r"not a valid ISO 8601 (?P<k>[\w -]+?) \((?P<d>.*)\)",
        lambda m: f"不是有效的 ISO 8601 {TIMER_KINDS.get(m['k'], m['k'])}（{m['d']}）",
    ),
    (
        r"DMN (?P<t>\w+): (?P<rest>.*)",
        lambda m: f"决策表{DMN_TAGS.get(m['t'], m['t'])}：{chinese(m['rest'])}",
    ),
    (
        r"(?P<w>condition|script|timer|messagePayload|preScript|postScript|dueDate): (?P<rest>.*)",
        lambda m: f"{WHAT[m['w']]}：{chinese(m['rest'])}",
    ),
    # the sandbox's reasons
    (r"syntax error: (?P<d>.*)", lambda m: f"语法错误：{_syntax(m['d'])}"),
    (r"cannot parse: (?P<d>.*)", lambda m: f"无法解析（{m['d']}）"),
    (r"expression is nested too deeply", lambda m: "表达式嵌套过深"),
    (
        r"import is not allowed; helpers are provided by the environment",
        lambda m: "不允许 import；可用的辅助函数已由环境提供",
    ),
    (r"'(?P<k>global|nonlocal|yield|yield from)' is not allowed", lambda m: f"不允许使用 {m['k']}"),
    (r"class definitions are not allowed", lambda m: "不允许定义类"),
    (r"async code is not allowed", lambda m: "不允许异步代码"),
    (r"calling '(?P<f>[^']*)' is not allowed", lambda m: f"不允许调用 {m['f']}"),
    (
        r"'\*\*' needs a number literal of at most (?P<n>\d+) as exponent",
        lambda m: f"乘方（**）的指数必须是不大于 {m['n']} 的数字常量",
    ),
    (
        r"assigning or deleting attribute '(?P<a>[^']*)' is not allowed; keep values in variables",
        lambda m: f"不允许给属性 {m['a']} 赋值或删除它；请把值存放在变量中",
    ),
    (
        r"'(?P<a>[^']*)' changes data, which an expression must not do",
        lambda m: f"{m['a']} 会修改数据，表达式中不能这样做",
    ),
    (
        r"(?P<k>name|attribute) '(?P<n>[^']*)' is not allowed \(names starting with '_' are reserved\)",
        lambda m: f"不允许使用{'名称' if m['k'] == 'name' else '属性'} {m['n']}（以 _ 开头的名称是保留的）",
    ),
    (r"attribute '(?P<a>[^']*)' is not allowed", lambda m: f"不允许使用属性 {m['a']}"),
    (
        r"'(?P<n>[^']*)' is a helper or builtin and cannot be assigned; choose another name",
        lambda m: f"{m['n']} 是辅助函数或内置函数，不能赋值；请换一个名称",
    ),
    (r"the string '(?P<s>[^']*)' is reserved", lambda m: f"字符串“{m['s']}”是保留字，不能使用"),
    (
        r"(?P<rest>.*) \(in (?P<x>.*)\)",
        lambda m: f"{chinese(m['rest'])}（在 {m['x']} 中）",
    ),
    (
        r"(?P<w>.*) would have (?P<n>[\d,]+) items, over the limit of (?P<l>[\d,]+)",
        lambda m: f"{m['w']} 将有 {m['n']} 项，超过上限 {m['l']}",
    ),
    (
        r"(?P<w>.*) would be an integer of (?P<n>[\d,]+) bits, over the limit of (?P<l>[\d,]+)",
        lambda m: f"{m['w']} 将是 {m['n']} 位的整数，超过上限 {m['l']} 位",
    ),
    (
        r"%-format width or precision is '\*' or over the limit of (?P<l>\d+)",
        lambda m: f"% 格式的宽度或精度为 * 或超过上限 {m['l']}",
    ),
    (
        r"format width or precision (?P<n>\d+) is over the limit of (?P<l>\d+)",
        lambda m: f"格式宽度或精度 {m['n']} 超过上限 {m['l']}",
    ),
    (r"fixed-point text of (?P<v>.*) would be too long", lambda m: f"{m['v']} 的定点数文字过长"),
    (
        r"converting (?P<v>.*) to an integer would take too long \(over (?P<n>\d+) digits\)",
        lambda m: f"把 {m['v']} 转为整数耗时过长（超过 {m['n']} 位）",
    ),
    (
        r"text of (?P<n>[\d,]+) characters is too long for int\(\)",
        lambda m: f"{m['n']} 个字符的文字太长，不能用 int() 转换",
    ),
    (
        r"range of (?P<n>\d+) items is over the limit of (?P<l>\d+)",
        lambda m: f"range 有 {m['n']} 项，超过上限 {m['l']}",
    ),
    (
        r"sum\(\) of lists or texts is not allowed; use a comprehension or join",
        lambda m: "不允许用 sum() 合并列表或文字；请用推导式或 join",
    ),
    (
        r"script or expression needed more memory than allowed and was stopped",
        lambda m: "脚本或表达式占用的内存超过上限，已被停止",
    ),
    (
        r"task data field '(?P<n>[^']*)' has the name of a helper or builtin; rename the field",
        lambda m: f"任务数据字段“{m['n']}”与辅助函数或内置函数同名；请改名",
    ),
]
RULES: list[Rule] = [(re.compile(pattern, re.DOTALL), build) for pattern, build in _RULES]


def known(message: str) -> bool:
    """Tell whether a rule (rather than the fallback) gives the Chinese of `message`."""
    return any(pattern.fullmatch(message) for pattern, _build in RULES)


def chinese(message: str) -> str:
    """Return the Chinese of an English validation message (the fallback keeps unknown English)."""
    if not message:
        return message
    for pattern, build in RULES:
        if match := pattern.fullmatch(message):
            return build(match)
    return f"{FALLBACK}{_short(message)}"
