// Start NHS.UK frontend components (error summary focus, header menu) once the page is parsed.
import { initAll } from "../nhsuk/nhsuk-frontend.min.js";

initAll();
