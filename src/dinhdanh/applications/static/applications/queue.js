// The officer's queue without reloads (issue 15.3): a change of filter or order asks the server for the same
// page with the new query and swaps in its results region, so the rules (jurisdiction, status, search) stay
// the server's. Without JavaScript the form's "Lọc" button does the same with a full page.
(function () {
  "use strict";
  var form = document.querySelector("form[data-queue-filter]");
  var region = document.getElementById("queue-results");
  var announce = document.getElementById("queue-announce");
  if (!form || !region || !window.fetch || !window.DOMParser) return;
  var pending = null;
  var timer = null;

  function query() {
    var params = new URLSearchParams(new FormData(form));
    params.forEach(function (value, key) { if (value === "") params.delete(key); });
    return params.toString();
  }

  function load(url) {
    if (pending) pending.abort();
    pending = new AbortController();
    region.setAttribute("aria-busy", "true");
    fetch(url, { credentials: "same-origin", signal: pending.signal, headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("queue-results");
        if (!fresh) throw new Error("no results region");
        region.replaceChildren.apply(region, Array.prototype.slice.call(fresh.childNodes));
        history.replaceState(null, "", url);
        announce.textContent = announce.dataset.done;
      })
      .catch(function (error) {
        if (error.name !== "AbortError") announce.textContent = announce.dataset.failed;
      })
      .finally(function () { region.removeAttribute("aria-busy"); });
  }

  function refresh() {
    var q = query();
    load(window.location.pathname + (q ? "?" + q : ""));
  }

  form.addEventListener("change", refresh);
  form.addEventListener("input", function (event) {
    if (event.target.name !== "q") return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 350);  // one request when the officer pauses typing, not one per key
  });
  // The pager inside the region: the next page in place as well.
  region.addEventListener("click", function (event) {
    var link = event.target.closest("nav a[href^='?']");
    if (!link) return;
    event.preventDefault();
    load(window.location.pathname + link.getAttribute("href"));
  });
})();
