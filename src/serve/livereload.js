// Live reload for `henan-stories serve`. Injected into served pages only, never into a build.
// Listens on the server's event stream: reloads the page when it changed (keeping the scroll
// position), swaps stylesheets in place when only CSS changed, and shows a failed build's report
// over the page until a good build clears it.
(() => {
  "use strict";
  const script = document.currentScript;
  const page = script.dataset.page;
  let version = script.dataset.version;
  const SCROLL_KEY = "henan-stories:livereload-scroll";
  const OVERLAY_ID = "henan-stories-livereload-error";

  function restoreScroll() {
    let saved = null;
    try {
      saved = JSON.parse(sessionStorage.getItem(SCROLL_KEY) || "null");
      sessionStorage.removeItem(SCROLL_KEY);
    } catch (_) {
      return;
    }
    if (!saved || saved.path !== location.pathname) return;
    const restore = () => window.scrollTo(saved.x, saved.y);
    restore();
    // Images and fonts may change the height until the page has loaded; then the browser may
    // restore scrolling itself again for the user's own reloads.
    window.addEventListener(
      "load",
      () => {
        restore();
        history.scrollRestoration = "auto";
      },
      { once: true },
    );
  }

  function reload() {
    try {
      sessionStorage.setItem(
        SCROLL_KEY,
        JSON.stringify({ path: location.pathname, x: window.scrollX, y: window.scrollY }),
      );
      // Ours, not the browser's: the page may be shorter while it loads.
      history.scrollRestoration = "manual";
    } catch (_) {
      // Storage may be disabled; reloading matters more than the scroll position.
    }
    location.reload();
  }

  // Does a build that changed these output paths concern this page? Other pages, feeds and
  // stylesheets (swapped separately) do not; scripts, images and fonts may.
  function concernsThisPage(changed) {
    return (
      page === "*" ||
      changed.some((p) => p === page || !/\.(html|css|xml|txt)$/.test(p))
    );
  }

  function swapStylesheets(changed) {
    for (const link of document.querySelectorAll('link[rel~="stylesheet"]')) {
      const url = new URL(link.href, location.href);
      if (url.origin !== location.origin) continue;
      if (!changed.includes(url.pathname.replace(/^\//, ""))) continue;
      url.searchParams.set("livereload", Date.now());
      // Add the new sheet first and drop the old one once it has loaded: no unstyled flash.
      const next = link.cloneNode();
      next.href = url.href;
      next.addEventListener("load", () => link.remove(), { once: true });
      next.addEventListener("error", () => link.remove(), { once: true });
      link.after(next);
    }
  }

  function showError(text) {
    let overlay = document.getElementById(OVERLAY_ID);
    if (!overlay) {
      overlay = document.createElement("div");
      overlay.id = OVERLAY_ID;
      overlay.setAttribute("role", "alert");
      overlay.style.cssText =
        "position:fixed;inset:0;z-index:2147483647;overflow:auto;margin:0;padding:1.5rem;" +
        "background:rgba(20,20,20,.93);color:#fafafa;font:14px/1.45 ui-monospace,monospace;";
      const title = document.createElement("p");
      title.style.cssText = "margin:0 0 1rem;font-weight:bold;color:#ff8a80;";
      title.textContent =
        "The last edit broke the build; this is the last good version. Fix the file and save: this message goes away.";
      const pre = document.createElement("pre");
      pre.style.cssText = "margin:0;white-space:pre-wrap;";
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "×";
      close.setAttribute("aria-label", "Hide");
      close.style.cssText =
        "position:absolute;top:.5rem;right:.75rem;font-size:1.5rem;background:none;border:0;color:inherit;cursor:pointer;";
      close.addEventListener("click", () => overlay.remove());
      overlay.append(close, title, pre);
      document.body.append(overlay);
    }
    // textContent, never innerHTML: the report quotes the broken source.
    overlay.querySelector("pre").textContent = text;
  }

  function clearError() {
    const overlay = document.getElementById(OVERLAY_ID);
    if (overlay) overlay.remove();
  }

  restoreScroll();
  const events = new EventSource("/__livereload/events");
  const on = (name, handle) =>
    events.addEventListener(name, (e) => handle(JSON.parse(e.data)));
  on("hello", (m) => {
    // The site changed while this page was loading, or the server restarted.
    if (m.version !== version) reload();
  });
  on("reload", (m) => {
    version = m.version;
    clearError();
    if (concernsThisPage(m.changed)) reload();
  });
  on("css", (m) => {
    version = m.version;
    clearError();
    swapStylesheets(m.changed);
  });
  on("error", (m) => showError(m.text));
})();
