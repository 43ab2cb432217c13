// Start NHS.UK frontend components (error summary focus, header menu) once the page is parsed.
// NHS.UK frontend only starts on a body marked as supported; the mark is set here, by script, because
// the content security policy allows no inline script and the mark must only be there when JS runs.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("nhsuk-frontend-supported");
initAll();
