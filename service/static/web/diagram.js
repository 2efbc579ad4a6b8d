// The case page's live status diagram: pan/zoom (svg-pan-zoom), fitted to the active steps, nodes
// linked to their task or history entry, redrawn within about a second of any change (polling with
// ETag: the server answers 304 while the case is unchanged).
"use strict";

(function () {
  const POLL_MS = 1000;
  const holder = document.getElementById("diagram");
  if (!holder) { return; }
  const status = document.getElementById("diagram-status");
  let etag = null;
  let panZoom = null;
  let first = true;

  // The screen-space box around the steps that are open, waiting or failed.
  function activeNodes(svg) {
    const active = Array.from(svg.querySelectorAll("g.node.zf-ready, g.node.zf-waiting, g.node.zf-error"));
    const tasks = active.filter((node) => node.getAttribute("data-zf-task") === "1");
    return tasks.length ? tasks : active;
  }

  function activeBox(svg, nodes) {
    let box = null;
    nodes.forEach((node) => {
      const b = node.getBBox();
      const matrix = node.getCTM();
      [[b.x, b.y], [b.x + b.width, b.y + b.height]].forEach(([x, y]) => {
        const point = svg.createSVGPoint();
        point.x = x; point.y = y;
        const p = point.matrixTransform(matrix);
        box = box ? { x1: Math.min(box.x1, p.x), y1: Math.min(box.y1, p.y), x2: Math.max(box.x2, p.x), y2: Math.max(box.y2, p.y) }
          : { x1: p.x, y1: p.y, x2: p.x, y2: p.y };
      });
    });
    return box;
  }

  // Centre the active steps at a readable size (never smaller than the whole-process fit).
  function showActive() {
    if (!panZoom) { return; }
    const svg = holder.querySelector("svg");
    panZoom.resize();
    panZoom.fit();
    panZoom.center();
    const nodes = activeNodes(svg);
    let box = activeBox(svg, nodes);
    if (!box) { return; }
    const sizes = panZoom.getSizes();
    const spread = Math.min(sizes.width / (box.x2 - box.x1 + 1), sizes.height / (box.y2 - box.y1 + 1));
    if (nodes.length > 1 && spread * sizes.realZoom < 0.6) { box = activeBox(svg, nodes.slice(0, 1)); }
    // Fit the active box with room around it, but stop at the natural size (text readable).
    const fits = Math.min((sizes.width * 0.6) / (box.x2 - box.x1 + 1), (sizes.height * 0.6) / (box.y2 - box.y1 + 1));
    const factor = Math.max(1, Math.min(fits, 1 / sizes.realZoom));
    const cx = (box.x1 + box.x2) / 2;
    const cy = (box.y1 + box.y2) / 2;
    panZoom.zoomAtPointBy(factor, { x: cx, y: cy });
    panZoom.panBy({ x: sizes.width / 2 - cx, y: sizes.height / 2 - cy });
  }

  function linkNodes(wrapper) {
    let links = {};
    try { links = JSON.parse(wrapper.getAttribute("data-links") || "{}"); } catch (e) { links = {}; }
    wrapper.querySelectorAll("g.node").forEach((node) => {
      const title = node.querySelector("title");
      const id = node.getAttribute("data-bpmn-id") || (title ? title.textContent : "");
      const href = links[id];
      if (!href) { return; }
      node.classList.add("zf-linked");
      if (href.indexOf("/tasks/") !== -1) { node.setAttribute("data-zf-task", "1"); }
      node.setAttribute("tabindex", "0");
      node.setAttribute("role", "link");
      const label = node.querySelector("text");
      node.setAttribute("aria-label", label ? label.textContent : id);
      const go = () => { window.location.href = href; };
      node.addEventListener("click", go);
      node.addEventListener("keydown", (event) => { if (event.key === "Enter") { go(); } });
    });
  }

  function install(html) {
    const view = panZoom ? { zoom: panZoom.getZoom(), pan: panZoom.getPan() } : null;
    if (panZoom) { panZoom.destroy(); panZoom = null; }
    holder.innerHTML = html;
    const wrapper = holder.querySelector(".zf-svg");
    const svg = holder.querySelector("svg");
    if (!svg || !wrapper) { return; }
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    // svg-pan-zoom writes a style attribute unless one with "overflow" exists; setting it through
    // CSSOM is allowed by the CSP, an attribute written by script is not.
    svg.style.overflow = "hidden";
    linkNodes(wrapper);
    if (typeof window.svgPanZoom === "function") {
      panZoom = window.svgPanZoom(svg, {
        controlIconsEnabled: false, zoomScaleSensitivity: 0.3, minZoom: 0.05, maxZoom: 40, fit: true, center: true,
      });
      if (view && !first) {
        panZoom.zoom(view.zoom);
        panZoom.pan(view.pan);
      } else {
        showActive();
      }
    }
    holder.setAttribute("data-version", wrapper.getAttribute("data-version"));
    holder.zfPanZoom = panZoom;
  }

  async function poll() {
    const headers = { "HX-Request": "true" };
    if (etag) { headers["If-None-Match"] = etag; }
    try {
      const response = await fetch(holder.getAttribute("data-src"), { headers: headers, credentials: "same-origin" });
      if (response.status === 200) {
        etag = response.headers.get("ETag");
        install(await response.text());
        if (!first) {
          if (status) { status.textContent = status.getAttribute("data-updated"); }
          document.body.dispatchEvent(new CustomEvent("zf-case-changed"));
        }
        first = false;
      }
    } catch (e) {
      // offline for a moment: try again on the next tick
    }
    window.setTimeout(poll, POLL_MS);
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-zf-zoom]");
    if (!button || !panZoom) { return; }
    const what = button.getAttribute("data-zf-zoom");
    if (what === "in") { panZoom.zoomIn(); }
    else if (what === "out") { panZoom.zoomOut(); }
    else if (what === "fit") { panZoom.resize(); panZoom.fit(); panZoom.center(); }
    else { showActive(); }
  });

  holder.addEventListener("keydown", (event) => {
    if (!panZoom || event.target !== holder) { return; }
    const step = 60;
    const moves = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
    if (moves[event.key]) { panZoom.panBy({ x: moves[event.key][0], y: moves[event.key][1] }); event.preventDefault(); }
    else if (event.key === "+" || event.key === "=") { panZoom.zoomIn(); }
    else if (event.key === "-") { panZoom.zoomOut(); }
  });

  poll();
})();
