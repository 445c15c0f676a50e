// Enhancements only: every flow works without this file.
(function () {
  "use strict";

  // Move focus to the error summary so screen readers hear what went wrong.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) { summary.focus(); }
  });

  // Warn before the idle timeout and let the user stay logged in.
  document.addEventListener("DOMContentLoaded", function () {
    var body = document.body;
    var idle = parseInt(body.dataset.sessionIdleSeconds || "0", 10);
    var warning = parseInt(body.dataset.sessionWarningSeconds || "0", 10);
    var dialog = document.getElementById("session-warning");
    if (!idle || !dialog || typeof dialog.showModal !== "function") { return; }
    var timer = null;
    var logoutTimer = null;
    function schedule(secondsLeft) {
      clearTimeout(timer);
      timer = setTimeout(warn, Math.max(0, secondsLeft - warning) * 1000);
    }
    function warn() {
      fetch(body.dataset.sessionStatusUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { seconds_left: 0 }; })
        .then(function (data) {
          if (data.seconds_left > warning + 5) { schedule(data.seconds_left); return; }
          if (!dialog.open) { dialog.showModal(); }
          clearTimeout(logoutTimer);
          logoutTimer = setTimeout(function () { window.location.reload(); }, Math.max(1, data.seconds_left) * 1000);
        })
        .catch(function () {});
    }
    var form = dialog.querySelector("form[data-keepalive]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin",
                           headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (data) { clearTimeout(logoutTimer); dialog.close(); schedule(data.seconds_left); })
        .catch(function () { form.submit(); });
    });
    schedule(idle);
  });
})();
