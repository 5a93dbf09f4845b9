import { request as httpRequest, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { SignedDelivery } from '@crmhooks/core/testing';

/** A server under test, listening on 127.0.0.1. */
export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

/** Starts listening on a free port of 127.0.0.1. */
export async function listen(server: Server): Promise<RunningServer> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** An answer as the tests look at it. */
export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: { ok?: boolean; error?: { code: string; message: string }; [key: string]: unknown };
}

/** POSTs a delivery over real HTTP and reads the JSON answer. */
export async function post(url: string, delivery: SignedDelivery, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body, ...init });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : {} };
}

/** Sends headers and part of a body, then drops the connection. Resolves once the socket is closed. */
export function abortMidBody(url: string, delivery: SignedDelivery): Promise<void> {
  return new Promise((resolve) => {
    const request = httpRequest(url, {
      method: 'POST',
      headers: { ...delivery.headers, 'content-length': String(Buffer.byteLength(delivery.body)) },
    });
    request.on('error', () => undefined);
    request.on('close', () => resolve());
    request.write(delivery.body.slice(0, 20), () => setTimeout(() => request.destroy(), 50));
  });
}

/** Number of open connections on a server. */
export function connectionCount(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

/** Sends headers, then trickles the body a few bytes at a time; resolves with the status, or 0 if the socket closed unanswered. */
export function trickle(url: string, delivery: SignedDelivery, everyMs: number): Promise<number> {
  return new Promise((resolve) => {
    const request = httpRequest(url, {
      method: 'POST',
      headers: { ...delivery.headers, 'content-length': String(Buffer.byteLength(delivery.body)) },
    });
    let offset = 0;
    const timer = setInterval(() => {
      if (offset >= delivery.body.length) return clearInterval(timer);
      request.write(delivery.body.slice(offset, (offset += 4)));
    }, everyMs);
    request.on('response', (response) => {
      clearInterval(timer);
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => (clearInterval(timer), resolve(0)));
  });
}

/**
 * Sends a request head declaring a huge body, then pours bytes as fast as the socket takes
 * them until the server closes the connection or 64 MiB are written. A server that refuses
 * without closing keeps reading, and the whole cap gets poured.
 */
export function pourAfterRefusal(
  url: string,
  method: string,
  headers: Readonly<Record<string, string>>,
): Promise<{ status: number; bytesWritten: number; closedByServer: boolean }> {
  const { hostname, port, pathname } = new URL(url);
  const cap = 64 * 1024 ** 2;
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  return new Promise((resolve) => {
    let answer = '';
    let written = 0;
    let closedByServer = false;
    const socket = connect(Number(port), hostname, () => {
      const head = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
      socket.write(`${method} ${pathname} HTTP/1.1\r\nHost: ${hostname}\r\n${head}\r\n`);
      const pour = () => {
        while (written < cap && !socket.destroyed) {
          written += chunk.length;
          if (!socket.write(chunk)) return void socket.once('drain', pour);
        }
        if (written >= cap) socket.destroy();
      };
      pour();
    });
    socket.on('data', (data) => (answer += data.toString('latin1')));
    socket.on('end', () => (closedByServer = true));
    socket.on('error', () => (closedByServer = written < cap));
    socket.on('close', () =>
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0), bytesWritten: written, closedByServer }),
    );
  });
}
