// The studio modeler page: one tab per file of the process (its diagram and its decision tables),
// bpmn-js for .bpmn, dmn-js for .dmn; "Check" validates on the server and pins each problem on its
// element; "Deploy" sends the changed files. No inline scripts: data comes from a JSON block.
"use strict";

(function () {
  const data = JSON.parse(document.getElementById("zf-studio-data").textContent);
  const en = document.documentElement.lang === "en";
  const T = (e, z) => (en ? e : z);
  const canvas = document.getElementById("zf-canvas");
  const tabs = document.getElementById("zf-files");
  const status = document.getElementById("zf-status");
  const problemList = document.getElementById("zf-problems");
  const original = Object.assign({}, data.files);
  const texts = Object.assign({}, data.files);
  const dirty = new Set(data.version ? [] : Object.keys(data.files));
  let current = null; // {name, kind, modeler}
  let problems = [];

  data.known.decisions = Object.entries(texts).filter(([n]) => n.endsWith(".dmn")).flatMap(([, text]) => {
    const doc = new DOMParser().parseFromString(text, "application/xml");
    return Array.from(doc.getElementsByTagNameNS("*", "decision")).map((d) => d.getAttribute("id"));
  });

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function say(text, kind) {
    status.className = "mt-2 alert alert-" + (kind || "info");
    status.textContent = text;
  }

  function newBpmn(container) {
    const modeler = new window.BpmnJS({
      container: container,
      additionalModules: [window.ZfStudioTranslate.module],
      moddleExtensions: { spiffworkflow: window.ZfStudioPanel.moddle },
    });
    new window.ZfStudioPanel.Panel(modeler, document.getElementById("zf-panel"), data.known);
    return modeler;
  }

  function newDmn(container) {
    return new window.DmnJS({ container: container, common: { additionalModules: [window.ZfStudioTranslate.module] } });
  }

  async function saveCurrent() {
    if (!current || !dirty.has(current.name)) { return; }
    const result = await current.modeler.saveXML({ format: true });
    texts[current.name] = result.xml;
  }

  function watch(modeler, name, kind) {
    const mark = () => { dirty.add(name); renderTabs(); };
    if (kind === "bpmn") {
      modeler.on("commandStack.changed", mark);
      return;
    }
    modeler.on("views.changed", () => {
      const viewer = modeler.getActiveViewer();
      if (viewer && !viewer.__zfWatched) { viewer.__zfWatched = true; viewer.on("commandStack.changed", mark); }
    });
  }

  async function open(name) {
    await saveCurrent();
    if (current) { current.modeler.destroy(); }
    canvas.replaceChildren();
    document.getElementById("zf-panel").replaceChildren();
    const kind = name.endsWith(".dmn") ? "dmn" : "bpmn";
    const modeler = kind === "dmn" ? newDmn(canvas) : newBpmn(canvas);
    current = { name: name, kind: kind, modeler: modeler };
    try {
      await modeler.importXML(texts[name]);
    } catch (err) {
      say(T("Cannot open ", "无法打开 ") + name + ": " + err.message, "danger");
      return;
    }
    watch(modeler, name, kind);
    if (kind === "bpmn") { modeler.get("canvas").zoom("fit-viewport"); }
    if (kind === "dmn") {  // process owners edit the table, not the requirements graph
      const table = modeler.getViews().find((v) => v.type === "decisionTable");
      if (table && modeler.getActiveView() !== table) { await modeler.open(table); }
    }
    renderTabs();
    showMarkers();
  }

  function renderTabs() {
    tabs.replaceChildren();
    Object.keys(texts).forEach((name) => {
      const li = document.createElement("li");
      li.className = "nav-item";
      const a = document.createElement("button");
      a.type = "button";
      a.className = "nav-link" + (current && current.name === name ? " active" : "");
      a.textContent = name + (dirty.has(name) ? " •" : "");
      a.dataset.file = name;
      a.setAttribute("role", "tab");
      a.addEventListener("click", () => open(name));
      li.append(a);
      tabs.append(li);
    });
  }

  function showTableMarkers() {
    canvas.querySelectorAll(".zf-invalid-cell").forEach((cell) => cell.classList.remove("zf-invalid-cell"));
    problems.filter((p) => p.file === current.name && p.element_id).forEach((p) => {
      const id = CSS.escape(p.element_id);
      canvas.querySelectorAll('[data-element-id="' + id + '"], td[data-row-id="' + id + '"]').forEach((cell) => {
        cell.classList.add("zf-invalid-cell");
        cell.title = en ? p.message : p.message_zh;
      });
    });
  }

  function showMarkers() {
    if (current && current.kind === "dmn") { showTableMarkers(); return; }
    if (!current || current.kind !== "bpmn") { return; }
    const registry = current.modeler.get("elementRegistry");
    const overlays = current.modeler.get("overlays");
    const canvasApi = current.modeler.get("canvas");
    overlays.remove({ type: "zf-problem" });
    registry.getAll().forEach((el) => canvasApi.removeMarker(el, "zf-invalid"));
    problems.filter((p) => p.file === current.name || !p.file).forEach((p) => {
      const el = p.element_id && registry.get(p.element_id);
      if (!el) { return; }
      canvasApi.addMarker(el, "zf-invalid");
      const badge = document.createElement("div");
      badge.className = "zf-problem-badge";
      badge.textContent = "!";
      badge.title = en ? p.message : p.message_zh;
      badge.dataset.element = p.element_id;
      overlays.add(el, "zf-problem", { position: { top: -10, right: 10 }, html: badge });
    });
  }

  function listProblems() {
    problemList.replaceChildren();
    problems.forEach((p) => {
      const li = document.createElement("li");
      li.className = "text-danger";
      li.dataset.element = p.element_id || "";
      li.textContent = [p.file, p.line && T("line ", "第 ") + p.line + T("", " 行"), p.element_id].filter(Boolean).join(" · ")
        + ": " + (en ? p.message : p.message_zh);
      li.addEventListener("click", async () => {
        if (p.file && current && p.file !== current.name && texts[p.file]) { await open(p.file); }
        const el = current && current.kind === "bpmn" && p.element_id && current.modeler.get("elementRegistry").get(p.element_id);
        if (el) { current.modeler.get("selection").select(el); current.modeler.get("canvas").scrollToElement(el); }
      });
      problemList.append(li);
    });
  }

  async function post(path, files) {
    const response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
      body: JSON.stringify({ files: files }),
      credentials: "same-origin",
    });
    let body = {};
    try { body = await response.json(); } catch (e) { body = { message: response.statusText }; }
    return { status: response.status, body: body };
  }

  async function check() {
    say(T("Checking…", "正在检查…"), "secondary");
    await saveCurrent();
    const answer = await post("/studio/validate", texts);
    problems = answer.body.problems || [];
    listProblems();
    showMarkers();
    if (answer.status === 200) { say(T("No problems found.", "检查通过，没有发现问题。"), "success"); }
    else if (problems.length) { say(T("Problems found: ", "发现问题：") + problems.length, "danger"); }
    else { say(answer.body.message || T("Check failed.", "检查失败。"), "danger"); }
    return answer.status === 200;
  }

  async function deploy() {
    say(T("Deploying…", "正在部署…"), "secondary");
    await saveCurrent();
    const changed = Object.fromEntries(Object.entries(texts).filter(([n, t]) => dirty.has(n) && t !== original[n]));
    if (!Object.keys(changed).length) { say(T("Nothing changed.", "没有改动。"), "info"); return; }
    const answer = await post("/studio/deploy", changed);
    problems = answer.body.problems || [];
    listProblems();
    showMarkers();
    if (answer.status !== 200) {
      say(problems.length ? T("Not deployed: fix the problems first.", "未部署：请先修正问题。") : (answer.body.message || "error"), "danger");
      return;
    }
    Object.assign(original, changed);
    dirty.clear();
    renderTabs();
    const items = answer.body.items.map((i) => i.name + " v" + i.version + (i.created ? T(" (new)", "（新版本）") : i.reactivated ? T(" (current again)", "（恢复为当前版本）") : ""));
    say(T("Deployed: ", "已部署：") + (items.join(", ") || T("no process changed", "没有流程变化")), "success");
  }

  document.getElementById("zf-validate").addEventListener("click", check);
  document.getElementById("zf-deploy").addEventListener("click", deploy);
  // For tests and the round-trip check: save a diagram through bpmn-js without showing it.
  window.zfStudio = {
    roundTrip: async function (xml) {
      const host = document.createElement("div");
      host.style.width = "800px";
      host.style.height = "600px";
      document.body.append(host);
      const modeler = newBpmn(host);
      try {
        await modeler.importXML(xml);
        return (await modeler.saveXML({ format: true })).xml;
      } finally { modeler.destroy(); host.remove(); }
    },
    current: () => current,
    dirty: () => Array.from(dirty),
  };
  const first = Object.keys(texts).find((n) => n === data.key + ".bpmn") || Object.keys(texts)[0];
  open(first);
})();
