/* Forms, when scripts run (every page works without them):
   - after a failed submit, focus moves to the error summary;
   - a long form (data-draft) is saved on the server as a draft a few seconds after each change
     and when the page is hidden, so a dropped connection or a closed tab loses nothing;
   - its sections list says what each section still needs. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }

  var form = document.querySelector("form[data-draft]");
  if (!form) { return; }
  var nav = document.querySelector("nav.sections");

  function answered(el) {
    if (el.tagName === "FIELDSET") { return !!el.querySelector("input:checked"); }
    return el.value !== "";
  }
  function progress() {
    if (!nav) { return; }
    var sections = form.querySelectorAll("fieldset.section");
    for (var i = 0; i < sections.length; i++) {
      var asked = sections[i].querySelectorAll("[aria-required=true],[required],[data-required]");
      var missing = 0;
      for (var j = 0; j < asked.length; j++) { if (!answered(asked[j])) { missing++; } }
      var state = nav.querySelector('[data-state-of="' + sections[i].id + '"]');
      if (state) {
        state.textContent = missing ? nav.getAttribute("data-todo").replace("{n}", missing)
                                    : (asked.length ? "✓ " + nav.getAttribute("data-done") : "");
      }
    }
  }
  progress();

  var status = document.getElementById("draft-status");
  var timer = null, changed = false, saving = false, submitting = false;
  function save(leaving) {
    if (!changed || saving || submitting || !window.fetch) { return; }
    changed = false;
    saving = true;
    fetch(form.getAttribute("data-draft"), {
      method: "POST", credentials: "same-origin", keepalive: !!leaving,
      headers: {"X-Sutura-Autosave": "1"}, body: new URLSearchParams(new FormData(form))
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.status); }
      return response.json();
    }).then(function (data) {
      if (status && data.message) { status.textContent = data.message; }
    }).catch(function () {
      changed = true;
      if (status) { status.textContent = status.getAttribute("data-failed"); }
      clearTimeout(timer);
      timer = setTimeout(save, 15000);
    }).then(function () { saving = false; });
  }
  function edited() {
    changed = true;
    progress();
    clearTimeout(timer);
    timer = setTimeout(save, 3000);
  }
  form.addEventListener("input", edited);
  form.addEventListener("change", edited);
  form.addEventListener("submit", function () { submitting = true; clearTimeout(timer); });
  window.addEventListener("pageshow", function () { submitting = false; });  // back to the page
  window.addEventListener("online", function () { save(); });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(true); }
  });
})();
