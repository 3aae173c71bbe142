// playbook: small helpers for readers. Everything here is progressive: without
// script the pages still show every diagram (the wide variant, scaled to fit) and
// every table (scrolling sideways inside its own box).
(function () {
  "use strict";

  // A diagram's words are drawn at 11 pt; shrunk below this share of its natural
  // size they fall under 11 px on screen, so the narrow variant is shown instead.
  var READABLE = 0.75;
  // On paper the words may shrink to 8 pt, no further: 8.25 of their 11 pt, since
  // Chromium prints a page about 2.5 % smaller than its CSS says (measured in PDFs).
  var PRINT_READABLE = 8.25 / 11;
  // The width of the printed column in CSS pixels: A4 with 2 cm margins (17 cm),
  // the narrower of A4 and Letter.
  var PRINT_WIDTH = 643;

  function natural(svg, i) {
    // Graphviz writes the size in points, and the viewBox in the same units.
    var box = (svg.getAttribute("viewBox") || "").split(/[\s,]+/);
    return parseFloat(box[i] || "0") * 4 / 3;
  }

  // Of a figure's wide and narrow variants, the one whose words stay readable in
  // `width`: the wide one when it fits well enough, else the narrow one.
  function pick(figure, width, readable) {
    var wide = figure.querySelector(".pb-wide svg");
    if (!wide) return null;
    return width >= natural(wide, 2) * readable ? "wide" : "narrow";
  }

  // On paper a drawing is at most as tall as most of a page (diagrams.css), but is
  // never made so small that its words fall under 8 pt: this is the height at which
  // they would, the floor of that limit.
  function setPrintFloor(svg) {
    svg.style.setProperty("--pb-print-floor", (natural(svg, 3) * PRINT_READABLE).toFixed(1) + "px");
  }

  function pickVariants() {
    document.querySelectorAll("figure.pb-diagram").forEach(function (figure) {
      var width = figure.clientWidth;
      figure.querySelectorAll("svg").forEach(setPrintFloor);
      var choice = pick(figure, width, READABLE);
      if (!choice) return;
      if (width > 0) figure.setAttribute("data-pick", choice);
      figure.setAttribute("data-print-pick", pick(figure, PRINT_WIDTH, PRINT_READABLE));
    });
  }

  // On a narrow screen a table of many columns reads as cards: each row a block,
  // each cell labelled with its column's heading (playbook.css, cards).
  function labelTables() {
    document.querySelectorAll("article table").forEach(function (table) {
      if (table.classList.contains("pb-signoff") || table.classList.contains("pb-grid")) return;
      var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
        return th.textContent.trim();
      });
      if (heads.length < 4) return;
      table.setAttribute("data-pb-cards", "");
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        Array.prototype.forEach.call(tr.children, function (cell, i) {
          if (heads[i]) cell.setAttribute("data-label", heads[i]);
        });
      });
    });
  }

  // A word too long for its table (a German compound, an address) may break inside
  // itself, and only such a word: cells that break anywhere let the table squeeze its
  // short columns to a letter a line. In a table wider than its box the widest words
  // (each wider than a quarter of the box) are marked (playbook.css, .pb-break), every
  // place each occurs, until it fits; the matrix, which scrolls by design, only gets no
  // word wider than MATRIX_WORD.
  var LONG_WORD = /\S{10,}/g;
  var MATRIX_WORD = 10;  // em
  var ADDRESS = /[\/:@._=?&#]/;

  function unmark(table) {
    table.querySelectorAll("span.pb-break").forEach(function (span) {
      var parent = span.parentNode;
      parent.replaceChild(document.createTextNode(span.textContent), span);
      parent.normalize();
    });
  }

  function textNodes(table) {
    var nodes = [];
    var walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.parentNode.closest(".pb-break")) nodes.push(node);
    }
    return nodes;
  }

  // The table's long words as shown, widest first: [[width, word], ...].
  function longWords(table) {
    var widths = {};
    var range = document.createRange();
    textNodes(table).forEach(function (node) {
      (node.data.match(LONG_WORD) || []).forEach(function (word) {
        if (word in widths) return;
        var at = node.data.indexOf(word);
        range.setStart(node, at);
        range.setEnd(node, at + word.length);
        widths[word] = range.getBoundingClientRect().width;
      });
    });
    return Object.keys(widths).map(function (word) { return [widths[word], word]; })
      .filter(function (pair) { return pair[0] > 0; })
      .sort(function (x, y) { return y[0] - x[0]; });
  }

  // Every place `word` is a whole word of the table, in a span that may break it.
  function mark(table, word) {
    textNodes(table).forEach(function (node) {
      var found = [], match;
      LONG_WORD.lastIndex = 0;
      while ((match = LONG_WORD.exec(node.data))) {
        if (match[0] === word) found.push(match.index);
      }
      // from the end, so that the earlier places keep their offsets
      found.reverse().forEach(function (at) {
        var rest = node.splitText(at);
        rest.splitText(word.length);
        var span = document.createElement("span");
        // A word of letters may also be hyphenated in the page's language, where the
        // browser can; an address is never given hyphens that are not in it.
        span.className = ADDRESS.test(word) ? "pb-break" : "pb-break pb-hyphenate";
        span.textContent = word;
        rest.parentNode.replaceChild(span, rest);
      });
    });
  }

  function wider(box) {
    return box.scrollWidth > box.clientWidth + 1;
  }

  function fitTables() {
    document.querySelectorAll("article table").forEach(function (table) {
      if (table.classList.contains("pb-signoff")) return;
      unmark(table);
      if (table.closest(".pb-matrix")) {
        var most = MATRIX_WORD * parseFloat(getComputedStyle(table).fontSize);
        longWords(table).forEach(function (pair) { if (pair[0] > most) mark(table, pair[1]); });
        return;
      }
      var box = table.closest(".md-typeset__scrollwrap") || table.parentNode;
      if (!wider(box)) return;
      // A word under a quarter of the box fits its column in any table of four columns
      // or fewer: in a table that scrolls because of its many columns it stays whole.
      var words = longWords(table).filter(function (pair) { return pair[0] > box.clientWidth / 4; });
      for (var i = 0; i < words.length && wider(box); i++) mark(table, words[i][1]);
    });
  }

  // The words of the buttons, in the playbook's language: the page's figure carries
  // them (data-pb-enlarge, ...), from the message catalogs; English where it does not.
  function said(figure, key, english) {
    return (figure && figure.dataset && figure.dataset[key]) || english;
  }

  // "Enlarge": the drawing full-screen in a dialog, to zoom and pan (svg-pan-zoom),
  // its nodes still links. The copy drops ids so the page keeps them unique.
  function addEnlarge() {
    document.querySelectorAll("figure.pb-diagram").forEach(function (figure) {
      if (!figure.querySelector("svg") || figure.querySelector(".pb-enlarge")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "pb-enlarge md-button";
      button.textContent = said(figure, "pbEnlarge", "Enlarge");
      var caption = figure.querySelector("figcaption");
      button.setAttribute("aria-label", said(figure, "pbEnlargeLabel", "Enlarge the diagram") +
        (caption && caption.textContent ? ": " + caption.textContent : ""));
      button.addEventListener("click", function () { enlarge(figure); });
      figure.insertBefore(button, figure.firstChild);
    });
  }

  function enlarge(figure) {
    var shown = figure.querySelector(".pb-wide svg") || figure.querySelector("svg");
    var dialog = document.createElement("dialog");
    dialog.className = "pb-zoom";
    var close = document.createElement("button");
    close.type = "button";
    close.className = "pb-zoom-close md-button";
    close.textContent = said(figure, "pbClose", "Close");
    close.addEventListener("click", function () { dialog.close(); });
    var copy = shown.cloneNode(true);
    copy.removeAttribute("style");
    copy.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    copy.removeAttribute("aria-labelledby");
    var caption = figure.querySelector("figcaption");
    copy.setAttribute("aria-label", caption ? caption.textContent : said(figure, "pbDiagram", "Diagram"));
    dialog.appendChild(close);
    dialog.appendChild(copy);
    document.body.appendChild(dialog);
    dialog.addEventListener("close", function () { dialog.remove(); });
    dialog.showModal();
    if (window.svgPanZoom) {
      window.svgPanZoom(copy, { controlIconsEnabled: true, fit: true, center: true,
        minZoom: 0.5, maxZoom: 20, zoomScaleSensitivity: 0.3 });
    }
  }

  // Material's search dialog has no accessible name; screen readers announce it as
  // an unnamed dialog. Give it one.
  function nameSearch() {
    var search = document.querySelector(".md-search");
    if (search && !search.hasAttribute("aria-label")) {
      // In another language, Material's own word for its search box (its placeholder).
      var input = search.querySelector("input.md-search__input");
      var english = /^en\b/.test(document.documentElement.lang || "en");
      search.setAttribute("aria-label", english || !input || !input.placeholder
        ? "Search the playbook" : input.placeholder);
    }
  }

  // Everything a page needs, on a page as loaded and on one shown by Material's
  // instant navigation (an owner's `navigation.instant`), which swaps the content in
  // without running this file again. Each step can run twice on the same page.
  function preparePage() {
    nameSearch();
    labelTables();
    fitTables();
    addEnlarge();
    pickVariants();
  }

  function start() {
    // Material's document$ emits the document as loaded and after every instant
    // navigation; without it (another theme) the page is prepared once.
    var pages = window.document$;
    if (pages && typeof pages.subscribe === "function") {
      pages.subscribe(function () { preparePage(); });
    } else {
      preparePage();
    }
    var pending = null, fitted = window.innerWidth;
    window.addEventListener("resize", function () {
      if (pending) cancelAnimationFrame(pending);
      pending = requestAnimationFrame(function () {
        pickVariants();
        // A phone's address bar coming and going changes only the height.
        if (window.innerWidth !== fitted) {
          fitted = window.innerWidth;
          fitTables();
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
