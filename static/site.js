// Henan Stories: small progressive enhancements. Every page works without this script.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Mobile menu: the navigation collapses behind a button on narrow screens.
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.hidden = false;
    var setOpen = function (open) {
      nav.classList.toggle("open", open);
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    toggle.addEventListener("click", function () {
      setOpen(!nav.classList.contains("open"));
    });
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && nav.classList.contains("open")) { setOpen(false); toggle.focus(); }
    });
  }

  // Timeline filters by kind and region; without the script the full timeline shows.
  var form = document.querySelector(".timeline-filters");
  if (form) {
    form.hidden = false;
    var count = form.querySelector(".filter-count");
    var apply = function () {
      var kind = form.elements.kind.value;
      var region = form.elements.region.value;
      var shown = 0;
      document.querySelectorAll(".timeline .year").forEach(function (year) {
        var any = false;
        year.querySelectorAll(".entry").forEach(function (entry) {
          var ok = (!kind || entry.dataset.kind === kind) &&
            (!region || (" " + entry.dataset.regions + " ").indexOf(" " + region + " ") >= 0);
          entry.hidden = !ok;
          if (ok) { any = true; shown++; }
        });
        year.hidden = !any;
      });
      document.querySelectorAll(".year-index a").forEach(function (a) {
        var target = document.getElementById(a.getAttribute("href").slice(1));
        a.parentNode.hidden = !!(target && target.hidden);
      });
      if (count) { count.textContent = (kind || region) ? (count.dataset.text || "{n}").replace("{n}", shown) : ""; }
    };
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
  }

  // Map: wheel / pinch-free zoom with buttons and drag to pan, by changing the viewBox.
  var svg = document.querySelector(".world-map");
  if (svg && svg.viewBox && svg.viewBox.baseVal) {
    var base = svg.viewBox.baseVal;
    var full = { x: base.x, y: base.y, w: base.width, h: base.height };
    var view = Object.assign({}, full);
    var set = function () {
      view.w = Math.min(full.w, Math.max(full.w / 8, view.w));
      view.h = view.w * full.h / full.w;
      view.x = Math.min(full.x + full.w - view.w, Math.max(full.x, view.x));
      view.y = Math.min(full.y + full.h - view.h, Math.max(full.y, view.y));
      svg.setAttribute("viewBox", [view.x, view.y, view.w, view.h].map(function (n) { return n.toFixed(1); }).join(" "));
    };
    var zoom = function (factor, cx, cy) {
      var nx = cx === undefined ? view.x + view.w / 2 : cx;
      var ny = cy === undefined ? view.y + view.h / 2 : cy;
      view.x = nx - (nx - view.x) * factor;
      view.y = ny - (ny - view.y) * factor;
      view.w *= factor;
      set();
    };
    var controls = document.createElement("div");
    controls.className = "map-controls";
    var labels = svg.parentNode.dataset;
    [["+", 0.66, labels.zoomIn], ["−", 1.5, labels.zoomOut], ["⟲", 0, labels.zoomReset]].forEach(function (c) {
      var b = document.createElement("button");
      b.type = "button";
      b.textContent = c[0];
      b.setAttribute("aria-label", c[2] || c[0]);
      b.title = c[2] || c[0];
      b.addEventListener("click", function () {
        if (c[1] === 0) { view = Object.assign({}, full); set(); } else { zoom(c[1]); }
      });
      controls.appendChild(b);
    });
    svg.parentNode.insertBefore(controls, svg);
    var drag = null;
    svg.addEventListener("pointerdown", function (e) {
      if (e.target.closest("a")) { return; }
      drag = { x: e.clientX, y: e.clientY, vx: view.x, vy: view.y };
      svg.setPointerCapture(e.pointerId);
    });
    svg.addEventListener("pointermove", function (e) {
      if (!drag) { return; }
      var scale = view.w / svg.getBoundingClientRect().width;
      view.x = drag.vx - (e.clientX - drag.x) * scale;
      view.y = drag.vy - (e.clientY - drag.y) * scale;
      set();
    });
    svg.addEventListener("pointerup", function () { drag = null; });
  }
})();
