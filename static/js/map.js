// Progressive enhancement for the support map: zoom buttons. The whole map fits the page, which on a phone makes
// its words too small to read; zoomed in, it is at least its readable width (support_map.py), where no word is
// under 12 px, and the frame around it scrolls. Without this file the whole map shows, and the table lists everyone.
(function () {
  "use strict";
  // Words in the reader's language, from base.html's <script id="script-strings"> (English if it is missing).
  var STRINGS = (function () {
    try { return JSON.parse(document.getElementById("script-strings").textContent); } catch (e) { return {}; }
  })();
  function t(key, english, count) {
    var text = STRINGS[key] || english;
    return count === undefined ? text : text.replace("%(count)s", String(count));
  }

  var STEPS = [1, 1.5, 2]; // zoomed-in widths, as multiples of the readable width

  function zoomable(root) {
    var frame = root.querySelector(".map-zoom__frame");
    var svg = frame.querySelector("svg");
    var bar = root.querySelector(".map-zoom__bar");
    var zoomIn = bar.querySelector("[data-zoom='in']");
    var zoomOut = bar.querySelector("[data-zoom='out']");
    var status = bar.querySelector(".map-zoom__status");
    var readable = parseFloat(root.getAttribute("data-readable-width"));
    var level = 0;

    // The whole map (fitted to the frame), then each step wider than that.
    function widths() {
      var fit = frame.clientWidth;
      return [fit].concat(
        STEPS.map(function (step) { return Math.ceil(readable * step); }).filter(function (width) { return width > fit; })
      );
    }

    function show(wanted) {
      var list = widths();
      level = Math.max(0, Math.min(wanted, list.length - 1));
      // Keep the point at the middle of the view in the middle: zooming in from the whole map centres on "You".
      var box = svg.getBoundingClientRect();
      var x = (frame.scrollLeft + frame.clientWidth / 2) / box.width;
      var y = (frame.scrollTop + frame.clientHeight / 2) / box.height;
      root.classList.toggle("map-zoom--zoomed", level > 0);
      svg.style.width = level ? list[level] + "px" : "";
      box = svg.getBoundingClientRect();
      frame.scrollLeft = x * box.width - frame.clientWidth / 2;
      frame.scrollTop = y * box.height - frame.clientHeight / 2;
      // aria-disabled rather than disabled, so a button pressed to its limit keeps the keyboard's focus.
      zoomOut.setAttribute("aria-disabled", level === 0 ? "true" : "false");
      zoomIn.setAttribute("aria-disabled", level === list.length - 1 ? "true" : "false");
      if (level > 0) {
        status.textContent = t("map_zoomed", "Zoomed in. Scroll or swipe the map to see the rest of it.");
      } else if (frame.clientWidth < readable) {
        status.textContent = t("map_whole_zoom", "The whole map. Zoom in to read it.");
      } else {
        status.textContent = t("map_whole", "The whole map.");
      }
    }

    function zoom(by) {
      show(level + by);
    }

    bar.addEventListener("click", function (event) {
      var button = event.target.closest("[data-zoom]");
      if (!button || button.getAttribute("aria-disabled") === "true") return;
      zoom(button.getAttribute("data-zoom") === "in" ? 1 : -1);
    });
    // Focused, the frame scrolls with the arrow keys; + and - zoom.
    frame.tabIndex = 0;
    frame.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (event.key === "+" || event.key === "=") zoom(1);
      else if (event.key === "-" || event.key === "_") zoom(-1);
      else return;
      event.preventDefault();
    });
    bar.hidden = false;
    show(0);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".map-zoom").forEach(zoomable);
  });
})();
