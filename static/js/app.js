// Leren met Impact: the only script besides htmx. No inline scripts anywhere (strict CSP).
(function () {
  "use strict";

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  // htmx requests carry the CSRF token in a header, as Flask-WTF expects.
  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRFToken"] = csrfToken();
  });

  // A form open for hours outlives its CSRF token: fetch a fresh one, then the caller retries.
  function refreshCsrfToken() {
    return fetch("/csrf-token", { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { if (!response.ok) { throw new Error(String(response.status)); } return response.text(); })
      .then(function (token) {
        var meta = document.querySelector('meta[name="csrf-token"]');
        if (meta) { meta.setAttribute("content", token); }
        document.querySelectorAll('input[name="csrf_token"]').forEach(function (input) { input.value = token; });
      });
  }

  // --- Autosave: never discard what is on screen; retry until the server has it. -------------
  var retryDelays = [2000, 4000, 8000, 15000, 30000];

  function autosaveStatus(text, failed) {
    var status = document.getElementById("save-status");
    if (status) {
      status.textContent = text;
      status.classList.toggle("lmi-save-status--error", Boolean(failed));
    }
  }

  function scheduleRetry(element) {
    var attempt = Number(element.dataset.retries || 0);
    var delay = retryDelays[Math.min(attempt, retryDelays.length - 1)];
    element.dataset.retries = String(attempt + 1);
    window.clearTimeout(Number(element.dataset.retryTimer || 0));
    element.dataset.retryTimer = String(window.setTimeout(function () { htmx.trigger(element, "retry"); }, delay));
  }

  function isAutosave(event) {
    return event.detail && event.detail.elt && event.detail.elt.classList.contains("lmi-autosave");
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (isAutosave(event)) { autosaveStatus(document.documentElement.lang === "en" ? "Saving…" : "Bezig met opslaan…"); }
  });

  function notSaved(element) {
    autosaveStatus(document.documentElement.lang === "en" ? "Not saved — trying again" : "Niet opgeslagen — opnieuw proberen", true);
    scheduleRetry(element);
  }

  document.addEventListener("htmx:sendError", function (event) { if (isAutosave(event)) { notSaved(event.detail.elt); } });
  document.addEventListener("htmx:afterRequest", function (event) {
    if (!isAutosave(event)) { return; }
    var element = event.detail.elt;
    var xhr = event.detail.xhr;
    if (xhr && xhr.status === 400 && xhr.getResponseHeader("X-CSRF-Expired")) {
      refreshCsrfToken().then(function () { htmx.trigger(element, "retry"); }, function () { notSaved(element); });
      return;
    }
    if (event.detail.failed) { notSaved(element); return; }
    element.dataset.retries = "0";
  });

  // Conflict between two windows: keep this window's text, or take over the other one.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-conflict]");
    if (!button) { return; }
    var form = button.closest("form");
    var version = document.getElementById("reflection-version");
    if (version) { version.value = button.dataset.version; }
    if (button.dataset.conflict === "take-theirs") {
      button.closest("#conflict-area").querySelectorAll("template[data-theirs]").forEach(function (template) {
        var field = form.querySelector('textarea[data-answer-key="' + template.dataset.theirs + '"]');
        if (field) { field.value = template.content.textContent; }
      });
    }
    var area = document.getElementById("conflict-area");
    var first = form.querySelector("textarea.lmi-autosave");
    if (area) { area.innerHTML = ""; }
    if (first) { htmx.trigger(first, "retry"); }
  });

  // --- Live screens: poll with If-None-Match; an unchanged state costs a 304 and no rendering. ----
  function startPolling(container) {
    var etag = container.dataset.etag || "";
    var busy = false;
    var connection = document.querySelector("[data-connection]");
    function poll() {
      if (busy) { return; }
      busy = true;
      var headers = { "HX-Request": "true" };
      if (etag) { headers["If-None-Match"] = etag; }
      fetch(container.dataset.pollUrl, { headers: headers, cache: "no-store", credentials: "same-origin" })
        .then(function (response) {
          if (response.status === 401 || response.redirected) { window.location.reload(); return null; }
          if (response.status === 304) { return null; }
          if (!response.ok) { throw new Error(String(response.status)); }
          etag = response.headers.get("ETag") || "";
          return response.text();
        })
        .then(function (html) {
          if (connection) { connection.hidden = true; }
          if (html === null || html === undefined) { return; }
          container.innerHTML = html;
          htmx.process(container);
          stateChanged(container);
        })
        .catch(function () { if (connection) { connection.hidden = false; } })
        .then(function () { busy = false; });
    }
    window.setInterval(poll, Number(container.dataset.pollSeconds || 1) * 1000);
    document.body.addEventListener("meeting-changed", poll);
    document.addEventListener("visibilitychange", function () { if (!document.hidden) { poll(); } });
    stateChanged(container);
  }

  function stateChanged(container) {
    container.querySelectorAll("[data-timer]").forEach(function (timer) { timer.dataset.loadedAt = String(Date.now()); });
    var state = container.querySelector("[data-current-item]");
    var current = state ? state.dataset.currentItem : "";
    var itemField = document.getElementById("contribution-agenda-item");
    if (itemField) { itemField.value = current; }
    if (container.dataset.reloadOnItemChange !== undefined && container.dataset.reloadOnItemChange !== current) {
      window.location.reload();
    }
    tickTimers();
  }

  function formatSeconds(seconds) {
    var sign = seconds < 0 ? "-" : "";
    var value = Math.abs(seconds);
    var minutes = Math.floor(value / 60);
    var rest = value % 60;
    return sign + minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function tickTimers() {
    document.querySelectorAll("[data-timer]").forEach(function (timer) {
      var remaining = Number(timer.dataset.remaining);
      if (timer.dataset.running === "1") {
        remaining -= Math.floor((Date.now() - Number(timer.dataset.loadedAt || Date.now())) / 1000);
      }
      var text = formatSeconds(remaining);
      if (timer.textContent !== text) { timer.textContent = text; }
      timer.classList.toggle("lmi-timer--over", remaining < 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-poll-url]").forEach(startPolling);
    window.setInterval(tickTimers, 250);
  });
})();
