/** A bench server in its own process: `node server.js <bare|crmhooks> <superoffice|highlevel> <express|fastify>`. */
import type { IncomingMessage } from 'node:http';
import { Controller, Headers, HttpCode, Injectable, Module, Post, Req, UnauthorizedException, type RawBodyRequest } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { highlevel, MemoryIdempotencyStore, superoffice, type HighLevelRelationCreate, type SuperOfficeRelationCreated } from '@crmhooks/core';
import { CrmHooksModule, OnCrmEvent } from '@crmhooks/nestjs';
import { announceUrl, DISTINCT_DELIVERIES, ROUTE } from '../../../bench/support/bench-server.js';
import { verifyByHand } from '../../../bench/support/bare-verify.js';
import { handleByHand } from '../../../bench/support/kit-receiver.js';

const [variant, provider, platform = 'express'] = process.argv.slice(2);

@Controller()
class HandWrittenController {
  @Post(ROUTE)
  @HttpCode(200)
  receive(@Req() request: RawBodyRequest<IncomingMessage>, @Headers() headers: Record<string, string>) {
    const payload = verifyByHand(provider!, headers, request.rawBody!);
    if (payload === undefined) throw new UnauthorizedException('invalid signature');
    handleByHand(payload);
    return { ok: true };
  }
}

@Injectable()
class Handlers {
  @OnCrmEvent('superoffice.relation.created')
  superOffice(event: SuperOfficeRelationCreated) {
    handleByHand(event.FieldValues);
  }

  @OnCrmEvent('highlevel.RelationCreate')
  highLevel(event: HighLevelRelationCreate) {
    handleByHand(event.firstRecordId);
  }
}

const crmHooks = CrmHooksModule.forRoot({
  providers: [superoffice({ secret: process.env.BENCH_SECRET ?? '' }), highlevel({ publicKeys: process.env.BENCH_HIGHLEVEL_KEY ?? '' })],
  store: new MemoryIdempotencyStore({ maxEntries: DISTINCT_DELIVERIES / 2 }),
});

@Module(variant === 'crmhooks' ? { imports: [crmHooks], providers: [Handlers] } : { controllers: [HandWrittenController] })
class AppModule {}

const options = { rawBody: true, logger: false as const };
const app =
  platform === 'fastify'
    ? await NestFactory.create(AppModule, new FastifyAdapter(), options)
    : await NestFactory.create(AppModule, options);
// Nest's listen, not the raw server's: Fastify must go through its ready() first.
await app.listen(0, '127.0.0.1');
announceUrl((await app.getUrl()).replace('[::1]', '127.0.0.1'));
