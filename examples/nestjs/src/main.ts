import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { config, listeningLine } from '@crmhooks/example-links';
import { AppModule } from './app.module.js';

// The module reads the exact bytes the CRM sent on its own route: no rawBody option needed.
const app = await NestFactory.create(AppModule, { logger: ['error', 'warn'] });
await app.listen(config().port, '127.0.0.1');
console.log(listeningLine('nestjs', (await app.getUrl()).replace('[::1]', '127.0.0.1')));
