// The live preview: reload when a new build is ready; show why a build failed.
(function () {
  "use strict";
  var seen = null;
  function mark(state) {
    document.querySelectorAll(".card").forEach(function (card) {
      var files = (card.getAttribute("data-files") || "").split(" ");
      var changed = files.some(function (f) { return state.changed.indexOf(f) >= 0; });
      if (!changed) return;
      card.classList.add("is-changed");
      card.setAttribute("data-status", (card.getAttribute("data-status") + " changed").trim());
      var note = card.querySelector(".changed-note");
      if (note) note.hidden = false;
    });
  }
  function problems(state) {
    var box = document.getElementById("live-problems");
    if (!state.problems.length) { if (box) box.remove(); return; }
    if (!box) {
      box = document.createElement("section");
      box.id = "live-problems";
      box.className = "live-problems";
      box.setAttribute("role", "alert");
      document.body.insertBefore(box, document.body.firstChild);
    }
    box.textContent = "";
    var h = document.createElement("h2");
    h.textContent = "The last save broke the build. Fix what this says and save again; this page follows by itself.";
    var pre = document.createElement("pre");
    pre.textContent = state.problems.join("\n");
    box.appendChild(h);
    box.appendChild(pre);
    var main = document.querySelector("main");
    if (main && main.id === "main") main.hidden = true;
  }
  function poll() {
    fetch("/_live/state", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (state) {
      if (seen !== null && state.build !== seen) { location.reload(); return; }
      seen = state.build;
      mark(state);
      problems(state);
    }).catch(function () {}).then(function () { setTimeout(poll, 250); });
  }
  poll();
})();
