#!/usr/bin/env node
// What a release needs beyond each package's own publint/attw check: the published packages
// agree with each other. Exits 1 with one line per problem.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const packages = readdirSync(join(root, 'packages'))
  .map((dir) => ({ dir: join(root, 'packages', dir), manifest: JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter(({ manifest }) => !manifest.private);
const core = packages.find(({ manifest }) => manifest.name === '@crmhooks/core').manifest;
const problems = [];

for (const { dir, manifest } of packages) {
  const name = manifest.name;
  if (manifest.version !== core.version) problems.push(`${name} is ${manifest.version}, @crmhooks/core is ${core.version}: all @crmhooks packages share one version (changesets "fixed" group).`);
  if (JSON.stringify(manifest.engines) !== JSON.stringify(core.engines)) problems.push(`${name} engines ${JSON.stringify(manifest.engines)} differ from core's ${JSON.stringify(core.engines)}.`);
  for (const field of ['dependencies', 'peerDependencies']) {
    for (const [dependency, range] of Object.entries(manifest[field] ?? {})) {
      if (dependency.startsWith('@crmhooks/') && range !== 'workspace:^') problems.push(`${name} ${field}.${dependency} is "${range}": use "workspace:^", published as ^${core.version}.`);
    }
  }
  for (const peer of Object.keys(manifest.peerDependencies ?? {})) {
    if (!(peer in (manifest.devDependencies ?? {}))) problems.push(`${name} declares the peer ${peer} but does not test against it (no devDependency).`);
  }
  for (const file of ['README.md', 'LICENSE', 'CHANGELOG.md']) {
    if (!existsSync(join(dir, file))) problems.push(`${name} has no ${file}.`);
    if (!manifest.files?.includes(file)) problems.push(`${name} does not publish ${file} (add it to "files").`);
  }
  if (!manifest.repository || !manifest.license) problems.push(`${name} lacks "repository" or "license".`);
}

// The "fixed" group names the published packages only: private ones (examples) have no version,
// and a group that matched them made every `changeset version` fail.
const config = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8'));
const fixed = [...(config.fixed?.[0] ?? [])].sort();
const published = packages.map(({ manifest }) => manifest.name).sort();
if (config.fixed?.length !== 1 || JSON.stringify(fixed) !== JSON.stringify(published)) {
  problems.push(`.changeset/config.json "fixed" must be one group listing exactly the published packages: ${published.join(', ')}.`);
}

if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`release check: ${packages.length} packages at ${core.version}, consistent.`);
