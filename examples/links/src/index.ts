export { LinkIndex } from './link-index.js';
export { config, listeningLine, type ExampleConfig } from './config.js';
export { scenario, LINKS_AFTER_SCENARIO, type ScenarioStep } from './scenario.js';
