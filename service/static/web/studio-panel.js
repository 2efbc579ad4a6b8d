// The studio's side panel: the Spiff extension properties the service reads, edited through
// bpmn-js commands (so undo works and the file is marked changed). Known values come from the
// server: form keys, roles, helper names for expressions, number series, DMN decision ids.
"use strict";

(function () {
  const SPIFF = {
    name: "SpiffWorkflow",
    prefix: "spiffworkflow",
    uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    xml: { tagAlias: "lowerCase" },
    associations: [],
    types: [
      { name: "Properties", superClass: ["Element"],
        properties: [{ name: "properties", type: "Property", isMany: true }] },
      { name: "Property", superClass: ["Element"],
        properties: [{ name: "name", isAttr: true, type: "String" }, { name: "value", isAttr: true, type: "String" }] },
      { name: "CalledDecisionId", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
      { name: "MessagePayload", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
      { name: "MessageVariable", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
      { name: "PreScript", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
      { name: "PostScript", superClass: ["Element"], properties: [{ name: "value", isBody: true, type: "String" }] },
    ],
  };
  const T = document.documentElement.lang === "en"
    ? (en) => en
    : (en, zh) => zh;

  function values(bo) { return (bo.extensionElements && bo.extensionElements.values) || []; }
  function propsOf(bo) { return values(bo).find((v) => v.$type === "spiffworkflow:Properties"); }
  function getProp(bo, name) {
    const box = propsOf(bo);
    const item = box && (box.properties || []).find((p) => p.name === name);
    return item ? item.value || "" : "";
  }
  function bodyOf(bo, type) {
    const item = values(bo).find((v) => v.$type === type);
    return item ? item.value || "" : "";
  }

  class Panel {
    constructor(modeler, root, known) {
      this.modeler = modeler;
      this.root = root;
      this.known = known;
      this.modeling = modeler.get("modeling");
      this.moddle = modeler.get("moddle");
      modeler.on("selection.changed", (e) => this.show(e.newSelection[0]));
      modeler.on("elements.changed", (e) => {
        if (this.element && e.elements.some((el) => el.id === this.element.id) && !this.editing) {
          this.show(this.element);
        }
      });
    }

    // Extension elements: create the containers on first use, through commands.
    extensions(element, bo) {
      if (!bo.extensionElements) {
        const ee = this.moddle.create("bpmn:ExtensionElements", { values: [] });
        if (bo === element.businessObject) {
          this.modeling.updateProperties(element, { extensionElements: ee });
        } else {
          this.modeling.updateModdleProperties(element, bo, { extensionElements: ee });
        }
      }
      return bo.extensionElements;
    }

    setProp(element, name, value) {
      const bo = element.businessObject;
      let box = propsOf(bo);
      const item = box && (box.properties || []).find((p) => p.name === name);
      if (item && value) { this.modeling.updateModdleProperties(element, item, { value: value }); return; }
      if (item) {
        this.modeling.updateModdleProperties(element, box, { properties: box.properties.filter((p) => p !== item) });
        return;
      }
      if (!value) { return; }
      const ee = this.extensions(element, bo);
      if (!box) {
        box = this.moddle.create("spiffworkflow:Properties", { properties: [] });
        this.modeling.updateModdleProperties(element, ee, { values: [...ee.values, box] });
      }
      const created = this.moddle.create("spiffworkflow:Property", { name: name, value: value });
      this.modeling.updateModdleProperties(element, box, { properties: [...(box.properties || []), created] });
    }

    setBody(element, bo, type, value) {
      const current = values(bo).find((v) => v.$type === type);
      if (current && value) { this.modeling.updateModdleProperties(element, current, { value: value }); return; }
      const ee = this.extensions(element, bo);
      if (current) {
        this.modeling.updateModdleProperties(element, ee, { values: ee.values.filter((v) => v !== current) });
      } else if (value) {
        const created = this.moddle.create(type, { value: value });
        this.modeling.updateModdleProperties(element, ee, { values: [...ee.values, created] });
      }
    }

    field(label, value, onChange, options) {
      const opts = options || {};
      const id = "zf-f-" + Math.random().toString(36).slice(2);
      const wrap = document.createElement("div");
      wrap.className = "mb-2";
      const lab = document.createElement("label");
      lab.className = "form-label small mb-0";
      lab.htmlFor = id;
      lab.textContent = label;
      const input = document.createElement(opts.multiline ? "textarea" : "input");
      input.className = "form-control form-control-sm";
      input.id = id;
      input.value = value || "";
      input.dataset.field = opts.key || label;
      if (opts.multiline) { input.rows = opts.rows || 3; }
      if (opts.list) { input.setAttribute("list", "zf-list-" + opts.list); }
      input.addEventListener("change", () => {
        this.editing = true;
        try { onChange(input.value.trim() === "" ? "" : (opts.multiline ? input.value : input.value.trim())); }
        finally { this.editing = false; }
      });
      wrap.append(lab, input);
      if (opts.hint) {
        const hint = document.createElement("div");
        hint.className = "form-text";
        hint.textContent = opts.hint;
        wrap.append(hint);
      }
      return wrap;
    }

    datalists() {
      const lists = { forms: this.known.forms, roles: this.known.roles, series: this.known.series,
        decisions: this.known.decisions || [] };
      const frag = document.createDocumentFragment();
      Object.entries(lists).forEach(([name, items]) => {
        const list = document.createElement("datalist");
        list.id = "zf-list-" + name;
        items.forEach((v) => { const o = document.createElement("option"); o.value = v; list.append(o); });
        frag.append(list);
      });
      return frag;
    }

    show(element) {
      this.element = element;
      this.root.replaceChildren();
      if (!element || element.type === "label") {
        const p = document.createElement("p");
        p.className = "text-body-secondary small";
        p.textContent = T("Select an element to edit its properties.", "选中一个元素以编辑其属性。");
        this.root.append(p);
        return;
      }
      const bo = element.businessObject;
      const title = document.createElement("h2");
      title.className = "h6";
      title.textContent = (bo.name || "") + " · " + element.type.replace("bpmn:", "");
      const id = document.createElement("div");
      id.className = "small text-body-secondary mb-2";
      id.textContent = "id: " + bo.id;
      this.root.append(title, id, this.datalists());
      this.root.append(this.field(T("Name", "名称"), bo.name, (v) => this.modeling.updateLabel(element, v), { key: "name" }));
      this.sections(element, bo).forEach((node) => this.root.append(node));
    }

    sections(element, bo) {
      const out = [];
      const helpers = T("Helpers: ", "可用函数：") + this.known.helpers.join(", ");
      const prop = (label, name, opts) =>
        this.field(label, getProp(bo, name), (v) => this.setProp(element, name, v), Object.assign({ key: name }, opts));
      const type = element.type;
      if (type === "bpmn:UserTask") {
        out.push(prop(T("Form key", "表单"), "formKey", { list: "forms" }));
        out.push(prop(T("Role (else the lane's)", "办理角色（不填则按泳道）"), "role", { list: "roles" }));
        out.push(prop(T("Due (expression)", "办理期限（表达式）"), "dueDate", { hint: helpers }));
        out.push(prop(T("Warn before (working days)", "提前提醒（工作日）"), "warnBefore"));
        out.push(prop(T("Legal basis", "法律依据"), "legalBasis"));
        out.push(prop(T("No time limit (reason)", "无办理时限（理由）"), "noTimeLimit"));
        out.push(prop(T("Assign numbers (field=series, …)", "自动编号（字段=编号序列，…）"), "assignNumbers",
          { hint: T("Series: ", "编号序列：") + this.known.series.join(", ") }));
      }
      if (type === "bpmn:StartEvent" && !bo.$parent.triggeredByEvent) {
        out.push(prop(T("Start form", "发起表单"), "formKey", { list: "forms" }));
        out.push(prop(T("Starter roles (comma-separated)", "可发起角色（逗号分隔）"), "starterRoles", { list: "roles" }));
      }
      if (type === "bpmn:ScriptTask") {
        out.push(this.field(T("Script (Python)", "脚本（Python）"), bo.script,
          (v) => this.modeling.updateProperties(element, { script: v || undefined, scriptFormat: "python" }),
          { multiline: true, rows: 8, hint: helpers, key: "script" }));
      }
      if (type === "bpmn:SequenceFlow") {
        const cond = bo.conditionExpression ? bo.conditionExpression.body : "";
        out.push(this.field(T("Condition", "条件"), cond, (v) => this.modeling.updateProperties(element, {
          conditionExpression: v ? this.moddle.create("bpmn:FormalExpression", { body: v }) : undefined,
        }), { multiline: true, hint: helpers, key: "condition" }));
      }
      if (type === "bpmn:BusinessRuleTask") {
        out.push(this.field(T("Decision table", "决策表"), bodyOf(bo, "spiffworkflow:CalledDecisionId"),
          (v) => this.setBody(element, bo, "spiffworkflow:CalledDecisionId", v), { list: "decisions", key: "decision" }));
      }
      if (type === "bpmn:Lane") {
        const role = (bo.id || "").startsWith("lane_") ? bo.id.slice(5) : "";
        out.push(this.field(T("Role of this lane", "泳道角色"), role,
          (v) => v && this.modeling.updateProperties(element, { id: "lane_" + v }), { list: "roles", key: "laneRole" }));
      }
      (bo.eventDefinitions || []).forEach((def) => out.push(...this.eventSection(element, bo, def, helpers)));
      return out;
    }

    eventSection(element, bo, def, helpers) {
      const out = [];
      if (def.$type === "bpmn:TimerEventDefinition") {
        const kind = def.timeDuration ? "timeDuration" : def.timeCycle ? "timeCycle" : "timeDate";
        const text = def[kind] ? def[kind].body : "";
        out.push(this.field(T("Timer (" + kind + ", expression)", "定时（" + kind + "，表达式）"), text, (v) => {
          const update = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
          update[kind] = v ? this.moddle.create("bpmn:FormalExpression", { body: v }) : undefined;
          this.modeling.updateModdleProperties(element, def, update);
        }, { hint: T('Quote ISO text: "P15D"; or ', '常量须加引号："P15D"；或 ') + helpers, key: "timer" }));
        out.push(this.field(T("Legal basis", "法律依据"), getProp(bo, "legalBasis"),
          (v) => this.setProp(element, "legalBasis", v), { key: "legalBasis" }));
      }
      if (def.$type === "bpmn:MessageEventDefinition") {
        const message = def.messageRef;
        out.push(this.field(T("Message name", "消息名称"), message ? message.name : "", (v) => this.setMessage(element, def, v),
          { hint: T("start.<process> starts a case; others go to a linked case", "start.<流程> 发起新案件；其他名称发往关联案件"), key: "message" }));
        const throwing = /Throw|End/.test(element.type);
        if (throwing) {
          out.push(this.field(T("Payload (expression)", "消息内容（表达式）"), bodyOf(def, "spiffworkflow:MessagePayload"),
            (v) => this.setBody(element, def, "spiffworkflow:MessagePayload", v), { multiline: true, key: "payload" }));
        } else {
          out.push(this.field(T("Store payload as", "消息内容存入变量"), bodyOf(def, "spiffworkflow:MessageVariable"),
            (v) => this.setBody(element, def, "spiffworkflow:MessageVariable", v), { key: "messageVariable" }));
          out.push(this.field(T("External message (true/false)", "外部消息（true/false）"), getProp(bo, "externalMessage"),
            (v) => this.setProp(element, "externalMessage", v), { key: "externalMessage" }));
          out.push(this.field(T("Sender roles", "可登记的角色"), getProp(bo, "senderRoles"),
            (v) => this.setProp(element, "senderRoles", v), { list: "roles", key: "senderRoles" }));
        }
      }
      return out;
    }

    setMessage(element, def, name) {
      if (def.messageRef) { this.modeling.updateModdleProperties(element, def.messageRef, { name: name }); return; }
      if (!name) { return; }
      const definitions = this.modeler.getDefinitions();
      let message = definitions.rootElements.find((r) => r.$type === "bpmn:Message" && r.name === name);
      if (!message) {
        message = this.moddle.create("bpmn:Message", { id: "message_" + name.replace(/[^A-Za-z0-9_]/g, "_"), name: name });
        message.$parent = definitions;
        this.modeling.updateModdleProperties(element, definitions, { rootElements: [...definitions.rootElements, message] });
      }
      this.modeling.updateModdleProperties(element, def, { messageRef: message });
    }
  }

  window.ZfStudioPanel = { Panel: Panel, moddle: SPIFF };
})();
