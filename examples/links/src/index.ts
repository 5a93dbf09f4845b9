export { LinkTable, type LinkTableRow } from './link-table.js';
export { config, listeningLine, type ExampleConfig } from './config.js';
export { exampleProviders } from './providers.js';
export { scenario, linksAfterScenario, type ScenarioStep } from './scenario.js';
