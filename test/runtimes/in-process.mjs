// Entry for Node, Bun and Deno: sends every case to the app in this runtime and prints the answers.
import { conformanceApp } from './app.mjs';
import { cases, config } from './cases.mjs';

const app = conformanceApp(config);
const answers = [];
for (const sent of cases) {
  const response = await app.fetch(new Request(sent.url, { method: 'POST', headers: sent.headers, body: sent.body }));
  answers.push({ name: sent.name, status: response.status, code: (await response.json()).error?.code ?? null });
}
const dispatched = await (await app.fetch(new Request('http://conformance.invalid/dispatched'))).json();
console.log(JSON.stringify({ answers, dispatched }));
