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
    select.innerHTML = "";
    if (placeholder) {
      select.appendChild(placeholder);
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
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-org-form]"), init);
  });
})();
