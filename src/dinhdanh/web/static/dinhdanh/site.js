// Site-wide behaviour, progressive: every page works without it.
// 1. An error summary takes focus, so a screen reader reads every error once and the keyboard starts there;
//    its links focus the field itself (the label's top stays in view), not just scroll to it.
// 2. On a narrow screen the main menu folds behind a button.
// 3. After a step-up, the held action is posted again at once (people/views/resume.py); without script the
//    person presses the button.
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }
  ready(function () {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) return;
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) return;
        event.preventDefault();
        var holder = target.closest(".field, fieldset") || target;
        holder.scrollIntoView();
        target.focus({ preventScroll: true });
      });
    }
    var resume = document.querySelector("form[data-resume-action]");
    if (resume && !resume.dataset.sent) {
      resume.dataset.sent = "1";
      resume.requestSubmit ? resume.requestSubmit() : resume.submit();
    }
    var toggle = document.querySelector("[data-menu-toggle]");
    var nav = document.getElementById("main-nav");
    if (toggle && nav) {
      toggle.hidden = false;
      document.documentElement.classList.add("has-menu-toggle");
      toggle.addEventListener("click", function () {
        var open = toggle.getAttribute("aria-expanded") !== "true";
        toggle.setAttribute("aria-expanded", String(open));
        nav.classList.toggle("open", open);
      });
    }
  });
})();
