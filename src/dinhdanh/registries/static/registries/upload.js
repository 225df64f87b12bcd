/*
 * Registry upload with progress, then the import's progress and summary.
 *
 *   <form data-upload data-max-bytes="..." data-msg-*="...">  the upload form (posts normally without JS)
 *   <section data-job data-status-url="...">                  a job panel, filled from the status JSON
 *
 * Loaded with <script src defer> (the CSP allows no inline script). Messages come translated from the
 * page's data attributes. Without JavaScript the form posts and the server answers with the job page.
 */
(function () {
  "use strict";

  var POLL_MS = 1000;
  var lang = document.documentElement.lang || "vi";
  var numbers = window.Intl ? new Intl.NumberFormat(lang) : null;

  function fmt(n) {
    return numbers ? numbers.format(n) : String(n);
  }

  function all(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  function show(element, visible) {
    if (element) {
      element.hidden = !visible;
    }
  }

  function renderJob(panel, data) {
    var running = data.status === "queued" || data.status === "running";
    panel.setAttribute("data-status", data.status);
    panel.querySelector("[data-job-status]").textContent = data.status_label;
    show(panel.querySelector("[data-job-running]"), running);
    var bar = panel.querySelector("[data-job-progress]");
    if (typeof data.percent === "number") {
      bar.value = data.percent;
    } else {
      bar.removeAttribute("value"); // indeterminate: rows are counted, the end is unknown (XLSX)
    }
    panel.querySelector("[data-job-rows]").textContent = fmt(data.rows || 0);
    panel.querySelector("[data-job-error]").textContent = data.error || "";
    show(panel.querySelector("[data-job-failed]"), !!data.error);
    var summary = data.summary;
    show(panel.querySelector("[data-job-summary]"), !!summary);
    if (summary) {
      all(panel, "[data-field]").forEach(function (cell) {
        var value = summary[cell.getAttribute("data-field")];
        cell.textContent = typeof value === "number" ? fmt(value) : "";
      });
      all(panel, "[data-optional]").forEach(function (element) {
        show(element, typeof summary[element.getAttribute("data-optional")] === "number");
      });
      show(panel.querySelector("[data-job-already]"), !!summary.already_imported);
    }
    var links = data.links || {};
    all(panel, "[data-link]").forEach(function (link) {
      var href = links[link.getAttribute("data-link")];
      if (href) {
        link.setAttribute("href", href);
      }
    });
    show(panel.querySelector("[data-job-errors]"), !!links.errors_csv);
    show(panel.querySelector("[data-job-snapshot]"), !!links.snapshot);
    return running;
  }

  function poll(panel) {
    var url = panel.getAttribute("data-status-url");
    var failures = 0;
    function tick() {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
        .then(function (response) {
          return response.json().then(function (data) {
            if (!response.ok) {
              throw new Error(data.error || String(response.status));
            }
            return data;
          });
        })
        .then(function (data) {
          failures = 0;
          if (renderJob(panel, data)) {
            window.setTimeout(tick, POLL_MS);
          }
        })
        .catch(function () {
          // The import goes on without us: keep asking, less often, and never stop for a blip.
          failures += 1;
          window.setTimeout(tick, Math.min(POLL_MS * (failures + 1), 10000));
        });
    }
    tick();
  }

  function startJob(panel, statusUrl) {
    panel.setAttribute("data-status-url", statusUrl);
    panel.hidden = false;
    poll(panel);
  }

  function enhanceForm(form, panel) {
    if (!window.XMLHttpRequest || !window.FormData || !panel) {
      return;
    }
    var input = form.querySelector('input[type="file"]');
    var button = form.querySelector('button[type="submit"]');
    var error = form.querySelector("[data-upload-error]");
    var box = form.querySelector("[data-upload-progress]");
    var bar = box.querySelector("progress");
    var percent = box.querySelector("[data-upload-percent]");
    // A plain integer (the template unlocalizes it); digits only, in case a grouped "10.485.760" slips in.
    var limit = parseInt(String(form.getAttribute("data-max-bytes") || "").replace(/[^0-9]/g, ""), 10) || 0;

    function fail(message) {
      error.textContent = message;
      button.disabled = false;
      show(box, false);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.textContent = "";
      var file = input.files && input.files[0];
      if (!file) {
        fail(form.getAttribute("data-msg-no-file"));
        return;
      }
      if (limit && file.size > limit) {
        fail(form.getAttribute("data-msg-too-large"));
        return;
      }
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.onprogress = function (progress) {
        if (progress.lengthComputable) {
          var value = Math.floor((progress.loaded * 100) / progress.total);
          bar.value = value;
          percent.textContent = value + " %";
        }
      };
      xhr.onload = function () {
        var data = null;
        try {
          data = JSON.parse(xhr.responseText);
        } catch (ignored) {
          data = null;
        }
        if (xhr.status === 201 && data && data.status_url) {
          bar.value = 100;
          percent.textContent = "100 %";
          form.reset();
          button.disabled = false;
          startJob(panel, data.status_url);
          return;
        }
        fail((data && data.error) || form.getAttribute("data-msg-failed") + " (HTTP " + xhr.status + ")");
      };
      xhr.onerror = function () {
        fail(form.getAttribute("data-msg-network"));
      };
      button.disabled = true;
      bar.value = 0;
      percent.textContent = "";
      show(box, true);
      show(panel, false);
      xhr.send(new FormData(form));
    });
  }

  function init() {
    var panel = document.querySelector("[data-job]");
    var form = document.querySelector("form[data-upload]");
    if (form) {
      enhanceForm(form, panel);
    }
    if (panel && panel.getAttribute("data-status-url")) {
      var status = panel.getAttribute("data-status");
      if (status === "queued" || status === "running") {
        poll(panel);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
