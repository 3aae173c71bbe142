"""The offline copy's stand-in for Web Workers: a script that lets search run from file://.

`playbook build --offline` (and the plugin's `offline` option) add it to the docs tree at
WORKER_SHIM and list it among Material's polyfills; site.py and plugin.py both use it.
"""

from __future__ import annotations

WORKER_SHIM = "assets/iframe-worker.js"
"""The offline copy's stand-in for Web Workers (the name tells Material's offline
plugin that a shim is present, so it does not add one from a CDN)."""

WORKER_SHIM_JS = """\
/* playbook: Web Workers for pages opened from file://.
 *
 * Browsers refuse to start a Worker from a file:// page, and Material runs its
 * search in one. On file:// this runs the worker script in a hidden same-origin
 * frame instead, with postMessage wired both ways, so search works from a plain
 * folder or an unpacked zip. Served over http(s) it does nothing.
 */
(function () {
  "use strict";
  if (location.protocol !== "file:") return;

  class FrameWorker extends EventTarget {
    constructor(url) {
      super();
      this.onmessage = null;
      this.onerror = null;
      this.frame = document.createElement("iframe");
      this.frame.hidden = true;
      this.frame.setAttribute("aria-hidden", "true");
      (document.body || document.documentElement).appendChild(this.frame);
      const scope = this.frame.contentWindow;
      const doc = scope.document;
      // A fresh document first: opening one clears listeners set on the frame before.
      doc.open();
      doc.write("<!doctype html><html><head></head><body></body></html>");
      doc.close();
      scope.postMessage = (data) => this.deliver(data);
      scope.addEventListener("error", (event) => this.fail(event.message));
      const script = doc.createElement("script");
      script.src = new URL(url, location.href).href;
      // A worker's importScripts, in order, relative to the worker's script. A frame
      // cannot load a script synchronously from file://, so this one returns a promise,
      // which Material's search worker awaits where it finds IFrameWorker (the lunr
      // files for a language other than English).
      scope.importScripts = (...urls) => urls.reduce((loaded, each) => loaded.then(() =>
        new Promise((resolve, reject) => {
          const part = doc.createElement("script");
          part.src = new URL(each, script.src).href;
          part.onload = resolve;
          part.onerror = () => reject(new Error("could not load " + part.src));
          doc.body.appendChild(part);
        })), Promise.resolve());
      this.ready = new Promise((resolve) => {
        script.onload = resolve;
        script.onerror = () => this.fail("could not load " + script.src);
      });
      doc.body.appendChild(script);
    }

    postMessage(data) {
      this.ready.then(() => {
        const scope = this.frame.contentWindow;
        if (scope) scope.dispatchEvent(new scope.MessageEvent("message", { data: data }));
      });
    }

    deliver(data) {
      setTimeout(() => {
        const event = new MessageEvent("message", { data: data });
        this.dispatchEvent(event);
        if (typeof this.onmessage === "function") this.onmessage(event);
      }, 0);
    }

    fail(message) {
      const event = new ErrorEvent("error", { message: String(message) });
      this.dispatchEvent(event);
      if (typeof this.onerror === "function") this.onerror(event);
    }

    terminate() {
      this.frame.remove();
    }
  }

  window.IFrameWorker = FrameWorker;
  window.Worker = FrameWorker;
})();
"""
