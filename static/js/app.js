// Botilbud: small progressive enhancements. No inline scripts anywhere (strict CSP).
"use strict";

document.addEventListener("click", (event) => {
  // <button data-toggle-target="id"> shows/hides an element (e.g. a chart's table).
  const toggle = event.target.closest("[data-toggle-target]");
  if (toggle) {
    const target = document.getElementById(toggle.dataset.toggleTarget);
    if (target) {
      const show = target.hidden;
      target.hidden = !show;
      toggle.setAttribute("aria-expanded", String(show));
    }
  }
  // <button data-confirm="text"> asks before it submits.
  const confirmer = event.target.closest("[data-confirm]");
  if (confirmer && !window.confirm(confirmer.dataset.confirm)) {
    event.preventDefault();
  }
});
