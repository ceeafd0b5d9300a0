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

// After a dashboard drill-down (HTMX swaps #dashboard-main) the clicked link is
// gone: move focus to the new heading, so keyboard and screen-reader users
// continue from the top of the level.
document.addEventListener("htmx:afterSettle", (event) => {
  const target = event.detail && event.detail.target;
  if (target && target.id === "dashboard-main") {
    const heading = target.querySelector("h1");
    if (heading) heading.focus({ preventScroll: true });
  }
});
