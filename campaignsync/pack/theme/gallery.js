// The campaignsync gallery: filters and "copy text". Every page works without it.
(function () {
  "use strict";
  var form = document.querySelector(".filters");
  function matches(el, name, value) {
    if (!value) return true;
    var have = (el.getAttribute("data-" + name) || "").split(" ");
    if (name === "status" && value === "attention") {
      return ["over", "untranslated", "fuzzy", "schedule"].some(function (k) { return have.indexOf(k) >= 0; });
    }
    return have.indexOf(value) >= 0;
  }
  function apply() {
    var chosen = {};
    Array.prototype.forEach.call(form.elements, function (el) { if (el.name) chosen[el.name] = el.value; });
    var keep = function (el, names) {
      return names.every(function (n) { return !el.hasAttribute("data-" + n) || matches(el, n, chosen[n]); });
    };
    var shown = 0;
    document.querySelectorAll(".card").forEach(function (card) {
      var ok = keep(card, ["locale", "channel", "partner", "status"]);
      card.classList.toggle("is-hidden", !ok);
      if (ok) shown += 1;
    });
    document.querySelectorAll(".post-group").forEach(function (group) {
      group.classList.toggle("is-hidden", !group.querySelector(".card:not(.is-hidden)"));
    });
    document.querySelectorAll(".message").forEach(function (m) {
      var ok = keep(m, ["channel", "partner"]);
      var locs = m.querySelectorAll(".loc");
      var any = false;
      locs.forEach(function (loc) {
        var fits = keep(loc, ["locale", "status", "channel"]);
        loc.classList.toggle("is-hidden", !fits);
        any = any || fits;
      });
      m.classList.toggle("is-hidden", !(ok && any));
      if (ok && any) shown += 1;
    });
    document.querySelectorAll(".attention li").forEach(function (li) {
      var ok = ["locale", "channel"].every(function (n) {
        return !chosen[n] || !li.getAttribute("data-" + n) || li.getAttribute("data-" + n) === chosen[n];
      });
      li.classList.toggle("is-hidden", !ok);
    });
    var out = form.querySelector(".shown");
    if (out) out.textContent = shown + " shown";
  }
  if (form) {
    form.hidden = false;
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest(".copy") : null;
    if (!button) return;
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    navigator.clipboard.writeText(source.textContent).then(function () {
      button.textContent = "Copied";
    }, function () {
      button.textContent = "Select the plain text to copy";
    });
  });
})();
