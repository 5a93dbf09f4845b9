#!/usr/bin/env node
/**
 * Compiles every TypeScript block of the root README, the package READMEs and the guides in
 * docs/ as a user would paste it: each block is a whole file, type-checked against the packed packages
 * (pnpm pack, installed with npm) in an ES-module project (nodenext, without skipLibCheck, so
 * the published declarations and those they import are checked too), a CommonJS project
 * (node16) and a CommonJS project on the older node10 resolution. A block that uses
 * top-level await must say so in a comment; it is checked as an ES module only. A block that
 * opens with its file name (`// receiver.ts`) is written under that name, beside the other
 * blocks of its README, so a later block can import it (`./receiver.js`).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const packages = readdirSync(join(root, 'packages')).filter((name) => {
  try {
    return !JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8')).private;
  } catch {
    return false;
  }
});
const guides = ['docs', join('docs', 'providers')].flatMap((folder) =>
  readdirSync(join(root, folder))
    .filter((name) => name.endsWith('.md'))
    .map((name) => join(folder, name)),
);
const readmes = ['README.md', ...packages.map((name) => join('packages', name, 'README.md')), ...guides];

/** What the blocks import besides crmhooks, at versions that run on Node 20. */
const THIRD_PARTY = {
  '@hono/node-server': '1.19.6',
  '@koa/router': '14.0.0',
  '@nestjs/common': '11.1.9',
  '@nestjs/config': '4.0.2',
  '@nestjs/core': '11.1.9',
  '@nestjs/platform-express': '11.1.9',
  '@opentelemetry/sdk-trace-node': '2.2.0',
  '@types/express': '5.0.5',
  '@types/koa': '3.0.1',
  '@types/koa__router': '12.0.5',
  '@types/node': '20.19.25',
  '@types/pg': '8.15.6',
  bullmq: '5.63.2',
  express: '5.1.0',
  fastify: '5.6.2',
  hono: '4.10.6',
  ioredis: '5.8.2',
  koa: '3.1.1',
  pg: '8.16.3',
  'pg-boss': '10.4.2',
  pino: '10.1.0',
  redis: '5.10.0',
  'reflect-metadata': '0.2.2',
  rxjs: '7.8.2',
  typescript: '5.9.3',
};

const blocks = [];
for (const readme of readmes) {
  const text = readFileSync(join(root, readme), 'utf8');
  const pattern = /^```ts\n([\s\S]*?)^```/gm;
  for (let match; (match = pattern.exec(text)); ) {
    const line = text.slice(0, match.index).split('\n').length;
    blocks.push({ where: `${readme}:${line}`, code: match[1] });
  }
}

const work = mkdtempSync(join(tmpdir(), 'crmhooks-docs-'));
const run = (command, args, cwd) => execFileSync(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
try {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const name of packages) run('pnpm', ['pack', '--pack-destination', tarballs], join(root, 'packages', name));
  const dependencies = { ...THIRD_PARTY };
  for (const file of readdirSync(tarballs)) {
    const name = `@crmhooks/${file.replace(/^crmhooks-/, '').replace(/-\d+\.\d+\.\d+\.tgz$/, '')}`;
    dependencies[name] = `file:${join(tarballs, file)}`;
  }
  writeFileSync(join(work, 'package.json'), JSON.stringify({ private: true, dependencies }, null, 2));
  run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], work);

  const projects = {
    esm: { type: 'module', compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', skipLibCheck: false } },
    cjs: { type: 'commonjs', compilerOptions: { module: 'node16', moduleResolution: 'node16' } },
    node10: { type: 'commonjs', compilerOptions: { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true } },
  };
  const failures = [];
  const sourcesOf = new Map();
  for (const [name, project] of Object.entries(projects)) {
    const dir = join(work, name);
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: project.type }));
    const compilerOptions = {
      target: 'es2022',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      ...project.compilerOptions,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      types: ['node'],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, include: ['src'] }, null, 2));
    blocks.forEach((block, index) => {
      const saysTopLevelAwait = /top-level await/i.test(block.code);
      if (/^await |^(const|let) [^=]+= await /m.test(block.code) && !saysTopLevelAwait) {
        failures.push(`${block.where}: uses top-level await without saying so in a comment (it fails in a CommonJS project)`);
      }
      if (saysTopLevelAwait && name !== 'esm') return;
      const named = /^\/\/ ([\w-]+\.ts)\b/.exec(block.code)?.[1];
      const folder = join(dir, 'src', block.where.split(':')[0].replace(/[^\w]+/g, '_'));
      mkdirSync(folder, { recursive: true });
      const unique = named !== undefined && blocks.filter((other) => other.where.split(':')[0] === block.where.split(':')[0] && other.code.startsWith(`// ${named}`)).length === 1;
      const file = join(folder, unique ? named : `block-${String(index).padStart(2, '0')}.ts`);
      writeFileSync(file, block.code.includes('import ') || block.code.includes('export ') ? block.code : `${block.code}\nexport {};\n`);
      sourcesOf.set(relative(dir, file), block.where);
    });
    try {
      run(join(work, 'node_modules', '.bin', 'tsc'), ['-p', '.'], dir);
    } catch (error) {
      const output = `${error.stdout ?? ''}${error.stderr ?? ''}`.trim();
      for (const line of output.split('\n')) {
        const found = /^(src\/[^(]+\.ts)\((\d+),\d+\): (.*)$/.exec(line);
        failures.push(found ? `[${name}] ${sourcesOf.get(found[1])} (block line ${found[2]}): ${found[3]}` : `[${name}] ${line}`);
      }
    }
  }
  if (failures.length > 0) {
    console.error(`docs: ${failures.length} problem(s) in the code blocks of the READMEs and guides:\n${failures.join('\n')}`);
    process.exitCode = 1;
  } else {
    console.log(`docs: ${blocks.length} code blocks from ${readmes.length} READMEs and guides compile in ES-module (nodenext), CommonJS (node16) and node10 projects against the packed packages.`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
