/* smartcrop admin editor: pick a ratio, click a point or drag the box to move its crop, drag the
 * corner handle to zoom in or out (the ratio is kept; the box stays inside the image).
 * The boxes are kept in image pixels (upright) and posted as JSON in a hidden input; the server fits
 * them to the ratio and the image again, so nothing here has to be trusted. */
(function () {
  "use strict";
  var COLOURS = ["#00e5ff", "#ff40ff", "#ffe600", "#40ff40", "#ff8000", "#ffffff"];

  var MIN_SHARE = 0.1;  // a box is at least this share of the largest box of its ratio

  function clamp(value, low, high) { return Math.max(low, Math.min(high, value)); }

  function init(editor) {
    if (editor.dataset.ready) { return; }
    editor.dataset.ready = "1";
    var config = JSON.parse(document.getElementById(editor.dataset.config).textContent);
    var input = editor.querySelector('input[name="' + editor.dataset.input + '"]');
    var overrides = JSON.parse(input.value || "{}");
    var stage = editor.querySelector(".smartcrop-stage");
    var toolbar = editor.querySelector(".smartcrop-ratios");
    var heat = editor.querySelector(".smartcrop-heatmap");
    var toggle = editor.querySelector(".smartcrop-heat-toggle");
    var items = config.boxes;
    var selected = items.length ? items[0] : null;

    items.forEach(function (item, index) {
      item.colour = COLOURS[index % COLOURS.length];
      item.el = document.createElement("div");
      item.el.className = "smartcrop-box";
      item.el.style.borderColor = item.colour;
      item.label = document.createElement("span");
      item.label.className = "smartcrop-label";
      item.label.style.background = item.colour;
      item.el.appendChild(item.label);
      item.handle = document.createElement("span");
      item.handle.className = "smartcrop-handle";
      item.handle.title = "Drag to zoom the " + item.ratio + " crop in or out";
      item.handle.style.background = item.colour;
      item.el.appendChild(item.handle);
      stage.appendChild(item.el);
      item.button = document.createElement("button");
      item.button.type = "button";
      item.button.className = "smartcrop-ratio";
      item.button.textContent = item.ratio;
      item.badge = document.createElement("span");
      item.badge.className = "smartcrop-badge";
      item.badge.textContent = "manual";
      item.button.appendChild(item.badge);
      item.button.style.borderColor = item.colour;
      item.button.addEventListener("click", function () { selected = item; draw(); });
      toolbar.appendChild(item.button);
    });
    var automatic = document.createElement("button");
    automatic.type = "button";
    automatic.className = "smartcrop-automatic";
    automatic.textContent = "Automatic";
    automatic.title = "Clear the manual crop of the selected ratio";
    automatic.addEventListener("click", function () {
      if (!selected) { return; }
      delete overrides[selected.ratio];
      selected.box = selected.auto.slice();
      save();
    });
    toolbar.appendChild(automatic);
    if (toggle && heat) {
      toggle.addEventListener("change", function () { heat.style.display = toggle.checked ? "" : "none"; });
    }

    function draw() {
      items.forEach(function (item) {
        var b = item.box, manual = Object.prototype.hasOwnProperty.call(overrides, item.ratio);
        item.el.style.left = (100 * b[0] / config.width) + "%";
        item.el.style.top = (100 * b[1] / config.height) + "%";
        item.el.style.width = (100 * b[2] / config.width) + "%";
        item.el.style.height = (100 * b[3] / config.height) + "%";
        item.el.classList.toggle("smartcrop-selected", item === selected);
        item.label.textContent = item.ratio + (manual ? " manual" : "");
        item.button.classList.toggle("smartcrop-selected", item === selected);
        item.button.classList.toggle("smartcrop-manual", manual);
        item.button.title = item.ratio + (manual ? ": manual crop (set by an editor)" : ": automatic crop");
        item.button.setAttribute("aria-pressed", item === selected ? "true" : "false");
      });
      automatic.disabled = !selected || !Object.prototype.hasOwnProperty.call(overrides, selected.ratio);
    }

    function save() {
      input.value = JSON.stringify(overrides);
      draw();
    }

    function imagePoint(event) {
      var rect = stage.getBoundingClientRect();
      return [(event.clientX - rect.left) * config.width / rect.width,
              (event.clientY - rect.top) * config.height / rect.height];
    }

    function resizeTo(item, start, point) {
      // The width changes by as much as the pointer moved since the drag began (horizontally, or
      // vertically times the ratio, whichever is larger), never by where the pointer is: grabbing the
      // handle anywhere must not jump the box. The top-left corner stays; the ratio is kept.
      var b = item.box, largest = item.largest, ratio = largest[0] / largest[1];
      var dx = point[0] - start.point[0], dy = (point[1] - start.point[1]) * ratio;
      var maxWidth = Math.min(config.width - b[0], (config.height - b[1]) * ratio, largest[0]);
      var width = clamp(start.width + (Math.abs(dx) >= Math.abs(dy) ? dx : dy),
                        Math.min(maxWidth, MIN_SHARE * largest[0]), maxWidth);
      b[2] = Math.round(width);
      b[3] = Math.round(width / ratio);
      overrides[item.ratio] = b.slice();
    }

    function moveTo(item, left, top) {
      var b = item.box;
      b[0] = Math.round(clamp(left, 0, config.width - b[2]));
      b[1] = Math.round(clamp(top, 0, config.height - b[3]));
      overrides[item.ratio] = b.slice();
    }

    var drag = null;
    stage.addEventListener("pointerdown", function (event) {
      if (!selected || event.button !== 0) { return; }
      event.preventDefault();
      var p = imagePoint(event), b = selected.box;
      if (event.target === selected.handle) {
        drag = {resize: true, point: p, width: b[2]};
        stage.setPointerCapture(event.pointerId);
        return;
      }
      var inside = p[0] >= b[0] && p[0] <= b[0] + b[2] && p[1] >= b[1] && p[1] <= b[1] + b[3];
      if (!inside) { moveTo(selected, p[0] - b[2] / 2, p[1] - b[3] / 2); save(); }
      drag = {dx: p[0] - selected.box[0], dy: p[1] - selected.box[1]};
      stage.setPointerCapture(event.pointerId);
    });
    stage.addEventListener("pointermove", function (event) {
      if (!drag) { return; }
      var p = imagePoint(event);
      if (drag.resize) { resizeTo(selected, drag, p); } else { moveTo(selected, p[0] - drag.dx, p[1] - drag.dy); }
      save();
    });
    function stop() { drag = null; }
    stage.addEventListener("pointerup", stop);
    stage.addEventListener("pointercancel", stop);
    draw();
  }

  function initAll() { document.querySelectorAll(".smartcrop-editor").forEach(init); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", initAll); } else { initAll(); }
})();
