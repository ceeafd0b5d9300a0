// Disponering: let htmx swap the answers that carry a form back to the user:
// 409 (someone else saved first: the conflict message) and 422 (invalid input).
"use strict";

document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status === 409 || status === 422) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
