// Chinese labels for the bpmn-js palette, context pad, replace menu and popups (a diagram-js
// `translate` module). English pages keep bpmn-js's own labels.
"use strict";

(function () {
  const ZH = {
    "Activate hand tool": "抓手工具（平移画布）",
    "Activate lasso tool": "套索工具（框选）",
    "Activate create/remove space tool": "插入/删除空白",
    "Activate global connect tool": "连线工具",
    "Create start event": "添加开始事件",
    "Create intermediate/boundary event": "添加中间/边界事件",
    "Create end event": "添加结束事件",
    "Create gateway": "添加网关",
    "Create task": "添加任务",
    "Create data object reference": "添加数据对象",
    "Create data store reference": "添加数据存储",
    "Create expanded sub-process": "添加展开的子流程",
    "Create pool/participant": "添加泳池/参与者",
    "Create group": "添加分组",
    "Append end event": "追加结束事件",
    "Append gateway": "追加网关",
    "Append task": "追加任务",
    "Append intermediate/boundary event": "追加中间/边界事件",
    "Append text annotation": "追加文字注释",
    "Add text annotation": "添加文字注释",
    "Change element": "更改类型",
    "Change type": "更改类型",
    "Delete": "删除",
    "Remove": "删除",
    "Connect using sequence/message flow or association": "用顺序流/消息流或关联连接",
    "Connect using association": "用关联连接",
    "Connect using data input association": "用数据输入关联连接",
    "Connect to other element": "连接到其他元素",
    "Add lane above": "在上方添加泳道",
    "Add lane below": "在下方添加泳道",
    "Divide into two lanes": "拆分为两条泳道",
    "Divide into three lanes": "拆分为三条泳道",
    "Append compensation activity": "追加补偿活动",
    "Search in diagram": "在图中搜索",
    "Task": "任务",
    "User task": "用户任务",
    "Service task": "服务任务",
    "Script task": "脚本任务",
    "Business rule task": "业务规则任务",
    "Send task": "发送任务",
    "Receive task": "接收任务",
    "Manual task": "手工任务",
    "Call activity": "调用活动",
    "Sub-process (collapsed)": "子流程（折叠）",
    "Sub-process (expanded)": "子流程（展开）",
    "Sub-process": "子流程",
    "Event sub-process": "事件子流程",
    "Exclusive gateway": "排他网关",
    "Parallel gateway": "并行网关",
    "Inclusive gateway": "包容网关",
    "Complex gateway": "复杂网关",
    "Event-based gateway": "事件网关",
    "Start event": "开始事件",
    "End event": "结束事件",
    "Intermediate throw event": "中间抛出事件",
    "Message start event": "消息开始事件",
    "Timer start event": "定时开始事件",
    "Message intermediate catch event": "消息中间捕获事件",
    "Message intermediate throw event": "消息中间抛出事件",
    "Timer intermediate catch event": "定时中间捕获事件",
    "Message end event": "消息结束事件",
    "Error end event": "错误结束事件",
    "Terminate end event": "终止结束事件",
    "Message boundary event": "消息边界事件",
    "Timer boundary event": "定时边界事件",
    "Error boundary event": "错误边界事件",
    "Message boundary event (non-interrupting)": "消息边界事件（不中断）",
    "Timer boundary event (non-interrupting)": "定时边界事件（不中断）",
    "Sequence flow": "顺序流",
    "Default flow": "默认流",
    "Conditional flow": "条件流",
    "Loop": "循环",
    "Parallel multi-instance": "并行多实例",
    "Sequential multi-instance": "串行多实例",
    "Toggle non-interrupting": "切换为不中断",
  };

  function translate(template, replacements) {
    const zh = document.documentElement.lang !== "en";
    const text = zh && ZH[template] ? ZH[template] : template;
    return text.replace(/{([^}]+)}/g, function (_m, key) {
      return replacements && key in replacements ? replacements[key] : "{" + key + "}";
    });
  }

  window.ZfStudioTranslate = { module: { translate: ["value", translate] }, labels: ZH };
})();
