// Start NHS.UK frontend components (error summary focus, header menu) once the page is parsed.
// NHS.UK frontend only starts on a body marked as supported; the mark is set here, by script, because
// the content security policy allows no inline script and the mark must only be there when JS runs.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("nhsuk-frontend-supported");
initAll();

// The skip link moves focus to main but leaves "#maincontent" in the address. A form posted after
// that comes back to the same address, and the browser's jump to #maincontent would take focus from
// the error summary; so the address drops the fragment once the jump is done.
for (const link of document.querySelectorAll(".nhsuk-skip-link")) {
  link.addEventListener("click", () => {
    setTimeout(() => history.replaceState(history.state, "", location.pathname + location.search));
  });
}

// The skip link may be followed before this script has run (it loads after the page is parsed); drop a
// fragment it left then too, before any form on the page is sent.
if (location.hash === "#maincontent") {
  history.replaceState(history.state, "", location.pathname + location.search);
}
