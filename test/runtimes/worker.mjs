// Entry for workerd: a module worker around the same app; the test sends the cases over HTTP.
import { conformanceApp } from './app.mjs';
import { config } from './cases.mjs';

let app;
export default {
  // Built on the first request: workerd allows no timers or I/O while the module loads.
  fetch: (request) => (app ??= conformanceApp(config)).fetch(request),
};
