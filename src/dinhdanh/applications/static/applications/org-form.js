/*
 * Step 5 of the organization registration (form[data-org-form]):
 *  - the head office: choosing a province loads its communes from /api/v1/units;
 *  - live checks: when a field changes, the server checks it with the same code as on submission
 *    (POST JSON to data-validate-url, CSRF header) and the message shows beside the field;
 *  - the authorization letter is shown only to an authorized person.
 * Loaded with <script src defer> (the CSP allows no inline script). Without JavaScript the form works
 * the same way: the province button fetches the communes and the server checks everything on submit.
 */
(function () {
  "use strict";

  var LIVE = [
    "name", "short_name", "foreign_name", "code", "established_on", "founding_document_number",
    "founding_document_date", "founding_document_issuer", "head_office_code", "street", "phone", "email",
    "representative_name", "representative_id", "representative_position",
  ];

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function liveError(form, name) {
    return form.querySelector('[data-live-error="' + name + '"]');
  }

  function show(form, name, message) {
    var slot = liveError(form, name);
    var input = form.elements[name];
    if (slot) {
      slot.textContent = message || "";
    }
    if (input && input.setAttribute) {
      if (message) {
        input.setAttribute("aria-invalid", "true");
      } else {
        input.removeAttribute("aria-invalid");
      }
    }
  }

  function check(form, input) {
    var value = input.value || "";
    if (!value.trim()) {
      show(form, input.name, "");  // empty fields are checked on submit, not while typing through
      return;
    }
    var body = JSON.stringify({
      category: form.getAttribute("data-category"),
      field: input.name,
      value: value,
      foreigner: false,
    });
    fetch(form.getAttribute("data-validate-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: body,
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (answer) {
        if (answer && answer.field === input.name && input.value === value) {
          show(form, input.name, answer.ok ? "" : answer.message);
        }
      })
      .catch(function () {
        /* offline or refused: the server still checks on submit */
      });
  }

  function fillCommunes(form, provinceCode) {
    var select = form.elements.head_office_code;
    if (!select) {
      return;
    }
    var placeholder = select.options.length ? select.options[0].cloneNode(true) : null;
    var keep = select.value;
    var kept = keep ? select.querySelector('option[value="' + keep + '"]') : null;
    select.innerHTML = "";
    if (placeholder) {
      select.appendChild(placeholder);
    }
    if (kept) {
      // A commune chosen by search stays chosen while its province's list loads.
      select.appendChild(kept);
      select.value = keep;
    }
    if (!provinceCode) {
      return;
    }
    var url = form.getAttribute("data-units-url") + "?level=commune&parent=" + encodeURIComponent(provinceCode);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : [];
      })
      .then(function (units) {
        if (kept && kept.parentNode === select) {
          select.removeChild(kept);
        }
        units.forEach(function (unit) {
          var option = document.createElement("option");
          option.value = unit.code;
          option.textContent = unit.name;
          if (unit.code === keep) {
            option.selected = true;
          }
          select.appendChild(option);
        });
      })
      .catch(function () {
        /* the no-script button still works */
      });
  }

  // The head-office commune chosen by search (ARIA 1.2 combobox with a listbox popup). Without JavaScript
  // the block stays hidden and the province and commune selects do the job.
  function communeSearch(form) {
    var box = form.querySelector("[data-commune-search]");
    var select = form.elements.head_office_code;
    var province = form.elements.province;
    if (!box || !select || !window.fetch) {
      return;
    }
    var input = box.querySelector('[role="combobox"]');
    var list = box.querySelector('[role="listbox"]');
    var status = box.querySelector("[data-commune-status]");
    var hits = [];
    var active = -1;
    var timer = null;
    var asked = 0;
    box.hidden = false;

    function say(text) {
      status.textContent = text;
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function mark(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (li, i) {
        li.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0 && list.children[index]) {
        input.setAttribute("aria-activedescendant", list.children[index].id);
        list.children[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function label(hit) {
      return hit.name + ", " + hit.province;
    }
    function choose(index) {
      var hit = hits[index];
      if (!hit) {
        return;
      }
      var option = select.querySelector('option[value="' + hit.code + '"]');
      if (!option) {
        option = document.createElement("option");
        option.value = hit.code;
        option.textContent = hit.name;
        select.appendChild(option);
      }
      if (province && province.value !== hit.province_code) {
        province.value = hit.province_code;
        select.value = hit.code;
        fillCommunes(form, hit.province_code);
      }
      select.value = hit.code;
      input.value = label(hit);
      close();
      show(form, "head_office_code", "");
      say(box.getAttribute("data-chosen").replace("%(name)s", label(hit)));
    }
    function render() {
      list.innerHTML = "";
      hits.forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = "commune-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = label(hit);
        if (hit.formerly) {
          var old = document.createElement("span");
          old.className = "formerly";
          old.textContent = "(" + box.getAttribute("data-formerly") + ": " + hit.formerly + ")";
          li.appendChild(document.createTextNode(" "));
          li.appendChild(old);
        }
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();  // keep focus in the input
          choose(i);
        });
        list.appendChild(li);
      });
      list.hidden = hits.length === 0;
      input.setAttribute("aria-expanded", hits.length ? "true" : "false");
      active = -1;
      say(
        hits.length
          ? box.getAttribute("data-found").replace("%(n)s", String(hits.length))
          : box.getAttribute("data-none")
      );
    }
    function search() {
      var query = input.value.trim();
      if (query.length < 2) {
        hits = [];
        close();
        list.innerHTML = "";
        return;
      }
      var ticket = ++asked;
      fetch(box.getAttribute("data-url") + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (found) {
          if (ticket === asked) {
            hits = Array.isArray(found) ? found : [];
            render();
          }
        })
        .catch(function () {
          /* the selects below still work */
        });
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 250);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" && hits.length) {
        event.preventDefault();
        if (list.hidden) {
          list.hidden = false;
          input.setAttribute("aria-expanded", "true");
        }
        mark(Math.min(active + 1, hits.length - 1));
      } else if (event.key === "ArrowUp" && hits.length) {
        event.preventDefault();
        mark(Math.max(active - 1, 0));
      } else if (event.key === "Enter") {
        if (!list.hidden && active >= 0) {
          event.preventDefault();  // choose, do not submit the form
          choose(active);
        } else if (!list.hidden && hits.length) {
          event.preventDefault();
          choose(0);
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
  }

  function toggleLetter(form) {
    var letter = form.querySelector("[data-letter]");
    var chosen = form.querySelector('input[name="capacity"]:checked');
    if (letter) {
      letter.hidden = !chosen || chosen.value !== "authorized";
    }
  }

  function init(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-no-js]"), function (el) {
      el.hidden = true;
    });
    var names = LIVE.slice();
    // Co-representative rows exist only as many as the person added (issue 15.1).
    Array.prototype.forEach.call(form.querySelectorAll('[name^="co_name_"], [name^="co_id_"]'), function (el) {
      names.push(el.name);
    });
    names.forEach(function (name) {
      var input = form.elements[name];
      if (input && input.addEventListener) {
        input.addEventListener("change", function () {
          check(form, input);
        });
      }
    });
    var province = form.elements.province;
    if (province) {
      province.addEventListener("change", function () {
        fillCommunes(form, province.value);
        show(form, "head_office_code", "");
      });
    }
    Array.prototype.forEach.call(form.querySelectorAll('input[name="capacity"]'), function (radio) {
      radio.addEventListener("change", function () {
        toggleLetter(form);
      });
    });
    toggleLetter(form);
    communeSearch(form);
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-org-form]"), init);
  });
})();
