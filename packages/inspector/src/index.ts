/**
 * @crmhooks/inspector: a small page to see what the journal kept (what arrived, what was
 * answered) and replay it; mounted in your own app, behind your own authorization.
 * @packageDocumentation
 */
export { createInspector, type Inspector, type InspectorOptions } from './inspector.js';
